"""The briefing end to end in-process: real agent turns (offline planner) on the bundled data."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pandas as pd

from agent.ledger import Ledger
from agent.runner import Agent
from agent.verifier import verify
from briefing import BriefingPlan, BriefingReport, BriefingStore, run_briefing
from briefing.replay import replay, replay_dates
from data.providers.bundled import BundledProvider
from data.providers.files import FileProvider
from data.store import PredictionStore
from tests.briefing.conftest import AS_OF, FOUR, FailingFor, HangingFor, offline_agent
from tools.track import CALL_HORIZONS


def test_every_ticker_is_covered_with_a_verified_cited_explanation(
    four_report: BriefingReport,
) -> None:
    assert [b.ticker for b in four_report.tickers] == ["AAPL", "MSFT", "IBM", "GOOG"]
    assert four_report.complete and not four_report.warnings
    for b in four_report.tickers:
        assert b.status == "ok" and b.answer is not None and b.thread_id
        again = verify(b.answer, Ledger(b.evidence))  # the stored answer, checked anew
        assert again.ok, again.problems()
        signal = next(e for e in b.evidence if e.kind == "signal")
        assert b.signal_evidence_id == signal.id == b.answer.signal.evidence_id
        assert (b.action, b.score) == (signal.values["action"], signal.values["score"])
        assert b.risk is not None and 0 < b.risk.var_95 < b.risk.var_99
        assert b.last_bar == AS_OF and b.risk.drawdown_from_peak <= 0
    panel = four_report.portfolio
    assert panel is not None and panel.tickers == ["AAPL", "MSFT", "IBM", "GOOG"]
    assert panel.window_end == AS_OF and panel.n_days == 500


def test_a_ticker_thread_can_be_continued(four_agent: Agent, four_report: BriefingReport) -> None:
    ibm = four_report.brief("IBM")
    follow = four_agent.ask("and its 99% VaR?", thread_id=ibm.thread_id)
    assert follow.answer.tickers == ["IBM"] and follow.answer.as_of == AS_OF
    assert "99% 1-day VaR" in follow.answer.markdown and follow.verification.ok


def test_a_failing_data_source_is_reported_and_the_rest_is_covered() -> None:
    agent = offline_agent(FailingFor("IBM"))
    report = run_briefing(agent, agent.deps.context_for(AS_OF), watchlist=FOUR)
    ibm = report.brief("IBM")
    assert ibm.status == "failed" and "malformed file" in ibm.error
    assert ibm.error.startswith("UnusableDataError: no usable data for IBM: flaky: feed returned")
    assert [b.ticker for b in report.covered] == ["AAPL", "MSFT", "GOOG"]
    assert report.portfolio is not None and report.portfolio.tickers == ["AAPL", "MSFT", "GOOG"]
    assert "IBM" in report.portfolio.excluded and not report.complete
    assert report.warnings == [f"IBM: {ibm.error}"]


def test_a_hung_ticker_times_out_without_holding_up_the_others() -> None:
    hanging = HangingFor("MSFT")
    agent = offline_agent(hanging)
    try:
        report = run_briefing(
            agent,
            agent.deps.context_for(AS_OF),
            watchlist=FOUR,
            plan=BriefingPlan(workers=2, ticker_timeout_s=4),
        )
    finally:
        hanging.release.set()
    msft = report.brief("MSFT")
    assert msft.status == "timeout" and "4 s" in msft.error
    assert {b.ticker for b in report.covered} == {"AAPL", "IBM", "GOOG"}


def test_too_little_history_fails_that_ticker_only(four_agent: Agent) -> None:
    from briefing import Watchlist

    report = run_briefing(
        four_agent, four_agent.deps.context_for(AS_OF), watchlist=Watchlist.of(["FB", "IBM"])
    )
    fb = report.brief("FB")
    assert fb.status == "failed" and "only 195 are available" in fb.error
    assert fb.risk is not None  # risk needs less history than the signal: still reported
    assert report.brief("IBM").status == "ok"


def test_the_next_day_reports_what_changed(four_agent: Agent, four_report: BriefingReport) -> None:
    nxt = date(2013, 3, 1)
    report = run_briefing(
        four_agent, four_agent.deps.context_for(nxt), watchlist=FOUR, previous=four_report
    )
    changes = report.changes
    assert changes is not None and changes.previous_as_of == AS_OF
    assert [c.ticker for c in changes.signals] == ["AAPL", "MSFT", "IBM", "GOOG"]
    for c in changes.signals:
        before, after = four_report.brief(c.ticker), report.brief(c.ticker)
        assert c.score_delta == after.score - before.score
        assert c.flipped == (before.action != after.action)
    assert {(m.ticker, m.metric) for m in changes.risk} >= {("IBM", "var_95")}


def _truncated_csv(folder: Path, tickers: tuple[str, ...], day: date) -> FileProvider:
    bundled = BundledProvider()
    folder.mkdir(parents=True, exist_ok=True)
    for ticker in tickers:
        raw = bundled.fetch(ticker, start=None, end=day).frame.loc[: pd.Timestamp(day)]
        raw.rename_axis("date").reset_index().to_csv(folder / f"{ticker}.csv", index=False)
    return FileProvider(folder, fmt="csv")


def _strip_ids(text: str) -> str:
    return re.sub(r"E-[a-z]+-[A-Za-z0-9^.\-]+?-\d{8}-[0-9a-f]{8}", "E-id", text)


def test_replay_stores_one_call_per_ticker_per_week_without_look_ahead(
    four_agent: Agent, sqlite_engine, tmp_path: Path
) -> None:
    store = BriefingStore(sqlite_engine)
    dates = replay_dates(date(2012, 6, 1), date(2012, 6, 22), every="week")
    summary = replay(
        four_agent,
        four_agent.deps.context_for,
        watchlist=FOUR,
        dates=dates,
        store=store,
        run_id="replay-test",
    )
    assert summary.dates == 4 and summary.calls == 16 and summary.failed == 0
    for ticker in FOUR.tickers:
        calls = store.calls(ticker, end=dates[-1], run_id="replay-test")
        assert list(calls.index.date) == dates
    replayed = store.get(FOUR.key, dates[1])
    assert replayed.changes is not None and replayed.changes.previous_as_of == dates[0]
    assert all(b.thread_id is None for b in replayed.tickers)  # a replay keeps no threads
    tracked = PredictionStore(sqlite_engine).calls(as_of=dates[-1])  # and records its calls
    assert len(tracked) == 4 * 4 * len(CALL_HORIZONS)
    assert set(tracked["source"]) == {"replay"} and set(tracked["run_id"]) == {"replay-test"}
    # The same date, briefed on files that end on that date, gives the same calls and text.
    day = dates[1]
    files = _truncated_csv(tmp_path / "prices", FOUR.tickers, day)
    cut = offline_agent(files)
    alone = run_briefing(cut, cut.deps.context_for(day), watchlist=FOUR)
    for b in replayed.tickers:
        a = alone.brief(b.ticker)
        fields = (
            "action",
            "score",
            "confidence",
            "position_size",
            "components",
            "technical_components",
            "last_close",
            "last_bar",
        )
        assert {f: getattr(a, f) for f in fields} == {f: getattr(b, f) for f in fields}
        assert a.risk.model_dump(exclude={"evidence_id"}) == b.risk.model_dump(
            exclude={"evidence_id"}
        )
        assert _strip_ids(a.answer.markdown) == _strip_ids(b.answer.markdown)
    assert alone.portfolio.var == replayed.portfolio.var


def test_numbers_only_replay_is_the_same_call_without_explanations(
    four_report: BriefingReport, sqlite_engine, four_agent: Agent
) -> None:
    store = BriefingStore(sqlite_engine)
    summary = replay(
        None,
        four_agent.deps.context_for,
        watchlist=FOUR,
        dates=[AS_OF],
        store=store,
        run_id="numbers",
    )
    assert summary.calls == 4
    numbers = store.get(FOUR.key, AS_OF)
    assert numbers.model.startswith("none")
    for b in numbers.tickers:
        full = four_report.brief(b.ticker)
        assert b.answer is None and (b.action, b.score) == (full.action, full.score)
        assert b.signal_evidence_id == full.signal_evidence_id
    assert numbers.complete


def test_a_briefing_on_data_that_stopped_is_stale_visible_and_partial(
    four_agent: Agent,
) -> None:
    """Run as of a day long after the bundled data end: every figure describes 2013-03-01, the
    report says so at the top, and the run is partial (a scheduler's exit 1)."""
    later = date(2013, 6, 28)
    report = run_briefing(None, four_agent.deps.context_for(later), watchlist=FOUR)
    assert set(report.stale) == set(FOUR.tickers)
    assert all(end == date(2013, 3, 1) for end in report.stale.values())
    assert not report.complete
    assert any("latest bar is 2013-03-01" in w for w in report.warnings)
    from briefing.markdown import render_markdown

    text = render_markdown(report)
    assert "**Stale data:**" in text.split("## ")[0]  # in the header, before any section
    fresh = run_briefing(None, four_agent.deps.context_for(AS_OF), watchlist=FOUR)
    assert fresh.stale == {} and fresh.complete
    lenient = BriefingPlan(stale_after_days=365)  # Settings.stale_after_days, 119 days old
    assert run_briefing(
        None, four_agent.deps.context_for(later), watchlist=FOUR, plan=lenient
    ).complete
