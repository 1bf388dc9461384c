"""The briefing's Markdown and HTML, and the HTML drawn in headless Chromium (screenshot)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from agent.answer import citation_ids
from agent.runner import Agent
from briefing import BriefingReport
from briefing.files import report_stem
from briefing.markdown import cited_evidence, render_markdown
from core.files import write_atomic
from tests._browser import headless_tab, needs_chromium
from tests.briefing.conftest import AS_OF


@pytest.fixture(scope="module")
def page(four_agent: Agent, four_report: BriefingReport) -> str:
    from briefing.html import render_html

    ctx = four_agent.deps.context_for(AS_OF)
    bars = {b.ticker: ctx.bars(b.ticker).frame for b in four_report.covered}
    return render_html(four_report, bars=bars, config=ctx.config)


def test_markdown_has_every_section_and_lists_every_cited_source(
    four_report: BriefingReport,
) -> None:
    md = render_markdown(four_report)
    for heading in (
        "# SignalDesk briefing: 2013-02-28",
        "## Summary",
        "## What changed",
        "## Portfolio",
        "## AAPL",
        "## GOOG",
        "## Sources",
    ):
        assert heading in md
    cited = {i for i, _ in citation_ids(md)}
    listed = {e.id for e in cited_evidence(four_report)}
    assert cited == listed and four_report.portfolio.evidence_id in listed
    assert f"| MSFT | **{four_report.brief('MSFT').action}** |" in md


def test_html_links_each_citation_to_its_numbered_source(page: str) -> None:
    anchors = set(re.findall(r'<li id="(src-[^"]+)"', page))
    links = set(re.findall(r'<a href="#(src-[^"]+)"', page))
    assert links and links <= anchors
    assert "[E-" not in re.sub(r"<code>.*?</code>|<script>.*?</script>", "", page, flags=re.S)
    assert page.count('class="plotly-graph-div"') == 10  # 2 per ticker + VaR + correlation


def test_files_are_named_per_watchlist_and_date_and_replaced_whole(
    tmp_path: Path, four_report: BriefingReport
) -> None:
    stem = report_stem(four_report)
    assert stem == "briefing-2013-02-28-AAPL-GOOG-IBM-MSFT"
    path = write_atomic(tmp_path / f"{stem}.md", "old")
    write_atomic(path, "new")
    assert path.read_text() == "new" and [p.name for p in tmp_path.iterdir()] == [path.name]
    assert path.stat().st_mode & 0o644 == 0o644


@needs_chromium
def test_html_draws_its_charts_in_headless_chromium(page: str, tmp_path: Path) -> None:
    html = write_atomic(tmp_path / "briefing.html", page)
    shots = tmp_path / "screenshots"
    with headless_tab(html, console_errors=False) as (tab, errors):
        tab.wait_for_function(
            "document.querySelectorAll('.js-plotly-plot .main-svg').length >= 10",
            timeout=60_000,
        )
        drawn = tab.evaluate("document.querySelectorAll('.js-plotly-plot g.trace').length")
        tab.locator("#ticker-IBM sup.cite a").first.click()
        target = tab.evaluate("location.hash")
        tab.screenshot(path=str(shots / "briefing.png"), full_page=True)
        tab.locator("#portfolio").screenshot(path=str(shots / "portfolio.png"))
    assert not errors and drawn > 20
    assert target.startswith("#src-E-")
    for name in ("briefing.png", "portfolio.png"):
        assert (shots / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert (shots / name).stat().st_size > 20_000
    print(f"screenshots in {shots}")
