"""``signaldesk briefing`` as a scheduler runs it (offline; exit codes, stdout and stderr as a
shell sees them, in this process through tests/cli/runner.py)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from agent.ledger import Ledger
from agent.verifier import verify
from briefing import BriefingReport, BriefingStore
from data.providers.bundled import BundledProvider
from data.store import make_engine
from tests.cli.runner import run

FOUR = "AAPL,MSFT,IBM,GOOG"
STEM = "briefing-{day}-AAPL-GOOG-IBM-MSFT"


def _report(out: Path, day: str) -> BriefingReport:
    stem = out / STEM.format(day=day)
    for ext in ("md", "html", "json"):
        assert stem.with_suffix(f".{ext}").stat().st_size > 1000, ext
    return BriefingReport.model_validate_json(stem.with_suffix(".json").read_text())


def test_briefing_writes_three_formats_and_the_next_day_says_what_changed(tmp_path: Path) -> None:
    first = run("briefing", "--watchlist", FOUR, "--as-of", "2013-02-28", "--out", "out/")
    assert first.returncode == 0, first.stderr
    report = _report(tmp_path / "out", "2013-02-28")
    assert [b.status for b in report.tickers] == ["ok"] * 4
    for b in report.tickers:  # the answers as stored pass the verifier again
        assert b.answer is not None and verify(b.answer, Ledger(b.evidence)).ok
    md = (tmp_path / "out" / STEM.format(day="2013-02-28")).with_suffix(".md").read_text()
    assert "First briefing of this watchlist" in md and "## Portfolio" in md
    assert f"`signaldesk chat --thread {report.tickers[0].thread_id}`" in md

    second = run("briefing", "--watchlist", FOUR, "--as-of", "2013-03-01", "--out", "out/")
    assert second.returncode == 0, second.stderr
    assert "Since 2013-02-28:" in second.stdout
    nxt = _report(tmp_path / "out", "2013-03-01")
    assert nxt.changes is not None and nxt.changes.previous_as_of.isoformat() == "2013-02-28"
    md = (tmp_path / "out" / STEM.format(day="2013-03-01")).with_suffix(".md").read_text()
    assert "## What changed since 2013-02-28" in md

    again = run(
        "briefing",
        "--watchlist",
        FOUR,
        "--as-of",
        "2013-02-28",
        "--format",
        "json",
        "--out",
        "out/",
        "--no-progress",
    )
    assert again.returncode == 0, again.stderr
    store = BriefingStore(make_engine(f"sqlite:///{tmp_path / 'home' / 'signaldesk.db'}"))
    assert store.dates("AAPL,GOOG,IBM,MSFT") == [report.as_of, nxt.as_of]  # replaced, not added

    thread = report.brief("IBM").thread_id
    follow = run("ask", "and its 99% VaR?", "--thread", thread, "--json")
    assert follow.returncode == 0, follow.stderr
    assert json.loads(follow.stdout)["answer"]["tickers"] == ["IBM"]


def test_a_broken_source_for_one_ticker_is_named_and_the_rest_covered(tmp_path: Path) -> None:
    prices = tmp_path / "prices"
    prices.mkdir()
    for ticker in ("AAPL", "MSFT", "IBM"):
        raw = BundledProvider().fetch(ticker, start=None, end=None).frame  # type: ignore[arg-type]
        raw.rename_axis("date").reset_index().to_csv(prices / f"{ticker}.csv", index=False)
    (prices / "GOOG.csv").write_text("this is not,a price file\n\x00\x01garbage\n")
    env = {"SIGNALDESK_SOURCES": f"csv:{prices}"}
    out = run(
        "briefing",
        "--watchlist",
        FOUR,
        "--as-of",
        "2013-02-28",
        "--out",
        "out/",
        "--no-progress",
        env_extra=env,
    )
    assert out.returncode == 1, out.stderr  # partial: a scheduler alerts
    assert "warning: GOOG:" in out.stderr
    report = _report(tmp_path / "out", "2013-02-28")
    goog = report.brief("GOOG")
    assert goog.status == "failed" and "GOOG.csv" in goog.error
    assert [b.ticker for b in report.covered] == ["AAPL", "MSFT", "IBM"]
    md = (tmp_path / "out" / STEM.format(day="2013-02-28")).with_suffix(".md").read_text()
    assert "**Not covered**" in md and "**GOOG** (failed)" in md
    assert report.portfolio is not None and "GOOG" in report.portfolio.excluded


def test_bad_input_exits_2_and_replay_stores_weekly_calls(tmp_path: Path) -> None:
    bad = run("briefing", "--watchlist", "AAPL,AAPL")
    assert bad.returncode == 2 and "listed twice" in bad.stderr
    fmt = run("briefing", "--format", "pdf")
    assert fmt.returncode == 2 and "unknown format" in fmt.stderr
    dates = run("briefing", "replay", "--start", "2012-02-01", "--end", "2012-01-01")
    assert dates.returncode == 2 and "after" in dates.stderr
    replayed = run(
        "briefing",
        "replay",
        "--watchlist",
        "IBM,MSFT",
        "--start",
        "2012-01-01",
        "--end",
        "2012-01-31",
        "--no-explain",
        "--json",
    )
    assert replayed.returncode == 0, replayed.stderr
    summary = json.loads(replayed.stdout)
    assert (summary["dates"], summary["calls"], summary["failed"]) == (4, 8, 0)
    store = BriefingStore(make_engine(f"sqlite:///{tmp_path / 'home' / 'signaldesk.db'}"))
    calls = store.calls("IBM", end=date(2012, 12, 31))
    assert [d.isoformat() for d in calls.index.date] == [
        "2012-01-06",
        "2012-01-13",
        "2012-01-20",
        "2012-01-27",
    ]
