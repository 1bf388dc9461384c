"""Bounded parsing: per-document size and time limits skip a document with a clear reason, and
HTML, section and chunk parsing do work linear in the input (counted in executed Python lines,
never timed on a clock)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

from core.settings import load_settings
from retrieval.chunking import chunk_documents
from retrieval.parsing import parse_sections
from retrieval.sources._html import html_to_text
from retrieval.sources.folder import load_folder, read_document
from retrieval.sources.limits import Deadline, ParseLimitError, ParseLimits
from retrieval.types import Document

FILINGS = Path(__file__).resolve().parents[1] / "fixtures" / "filings"


def test_a_file_over_the_size_limit_is_skipped_with_its_reason(tmp_path: Path) -> None:
    page = tmp_path / "ACME_10-K_2021-03-01_big.html"
    page.write_text("<html><body>" + "<p>Revenue grew.</p>" * 100 + "</body></html>")
    with pytest.raises(ParseLimitError) as caught:
        read_document(page, limits=ParseLimits(max_bytes=1000))
    assert str(caught.value) == (
        f"too large: {page.stat().st_size:,} bytes, over the 1,000-byte limit "
        "(SIGNALDESK_INGEST_MAX_BYTES)"
    )
    load = load_folder(tmp_path, limits=ParseLimits(max_bytes=1000))
    assert load.documents == [] and [s.reason for s in load.skipped] == [str(caught.value)]
    assert "Revenue grew." in read_document(page, limits=ParseLimits(max_bytes=None)).text


@pytest.mark.parametrize("name", ["ACME_letter_2021-04-01.pdf", "ACME_10-Q_2021-05-07.htm"])
def test_a_document_over_the_time_limit_is_skipped_with_its_reason(name: str) -> None:
    with pytest.raises(ParseLimitError, match=r"^took too long: parsing passed the 1e-09-second"):
        read_document(FILINGS / name, limits=ParseLimits(max_seconds=1e-9))
    assert read_document(FILINGS / name, limits=ParseLimits(max_seconds=None)).text


def test_the_html_walk_checks_its_deadline_while_it_works() -> None:
    ticks = iter(range(10**9))
    deadline = Deadline(5.0, clock=lambda: float(next(ticks)))  # one second per look at it
    page = "<html><body>" + "<p>Revenue grew.</p>" * 30_000 + "</body></html>"
    with pytest.raises(ParseLimitError, match="5-second limit"):
        html_to_text(page, deadline=deadline)


def test_the_limits_are_settings(tmp_path: Path) -> None:
    settings = load_settings(home=tmp_path, ingest_max_bytes=10, ingest_max_seconds=2.5)
    assert (settings.ingest_max_bytes, settings.ingest_max_seconds) == (10, 2.5)
    defaults = load_settings(home=tmp_path)
    assert (defaults.ingest_max_bytes, defaults.ingest_max_seconds) == (
        ParseLimits().max_bytes,
        ParseLimits().max_seconds,
    )


def _lines_executed(work: Callable[[], Any]) -> int:
    """Python lines executed by ``work()`` (every module, bs4's included)."""
    count = 0

    def tracer(frame: FrameType, event: str, arg: object) -> Any:
        nonlocal count
        if event == "line":
            count += 1
        return tracer

    sys.settrace(tracer)
    try:
        work()
    finally:
        sys.settrace(None)
    return count


def _ratio(make: Callable[[int], Callable[[], Any]], n: int) -> float:
    return _lines_executed(make(4 * n)) / _lines_executed(make(n))


def _paragraphs(n: int) -> Callable[[], Any]:
    page = "<html><body>" + "".join(f"<p>Paragraph {i}.</p>" for i in range(n)) + "</body></html>"
    return lambda: html_to_text(page)


def _nested_divs(n: int) -> Callable[[], Any]:
    page = "<html><body>" + "<div>x " * n + "</div>" * n + "</body></html>"
    return lambda: html_to_text(page)


def _item_lines(n: int) -> Callable[[], Any]:
    text = "\n".join(f"Item {i % 15 + 1}. Title {i}\nSome text of the item." for i in range(n))
    return lambda: parse_sections(text, form="10-K")


def _one_sentence(n: int) -> Callable[[], Any]:
    text = " ".join(["revenue grew"] * n)
    doc = Document(
        id="d", kind="other", title="t", available_on=date(2020, 1, 1), source="s", text=text
    )
    return lambda: chunk_documents([doc])


@pytest.mark.parametrize(
    ("make", "n"),
    [(_paragraphs, 300), (_nested_divs, 600), (_item_lines, 300), (_one_sentence, 3000)],
    ids=["20k-p-like", "nested-divs", "item-headings", "one-long-sentence"],
)
def test_parsing_work_grows_linearly_with_the_input(
    make: Callable[[int], Callable[[], Any]], n: int
) -> None:
    # four times the input: 4x the work when linear, 16x when quadratic; 6 leaves room for
    # fixed costs and the logarithms of tree building
    assert _ratio(make, n) < 6
