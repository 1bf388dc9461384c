"""The Markdown building blocks of reports/markdown.py: one table layout, "n/a" for None."""

from __future__ import annotations

from reports.html import markdown_html
from reports.markdown import markdown_table, num, pct, signed


def test_markdown_table_renders_as_an_html_table() -> None:
    lines = markdown_table(["a", "b"], iter([["1", "x"], ["2", "y"]]))
    assert lines == ["| a | b |", "|---|---|", "| 1 | x |", "| 2 | y |"]
    rendered = markdown_html("\n".join(lines))
    assert rendered.count("<tr>") == 3 and "<th>a</th>" in rendered
    assert markdown_table(["only"], []) == ["| only |", "|---|"]


def test_number_formats() -> None:
    assert pct(0.01234) == "1.23%" and pct(0.01234, 1) == "1.2%" and pct(None) == "n/a"
    assert signed(0.5) == "+0.50" and signed(-0.01234, percent=True) == "-1.23%"
    assert signed(None, percent=True) == "n/a"
    assert num(0.12345) == "0.123" and num(0.12345, 4) == "0.1235" and num(None) == "n/a"
