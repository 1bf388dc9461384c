"""The numbers-only briefing computes every signal at once and briefs as the one-ticker path
does; each ticker keeps its own time limit and its own failure."""

from __future__ import annotations

from datetime import date

import pytest

from agent.runner import Agent
from briefing import BriefingPlan, Watchlist, run_briefing
from briefing.ticker import brief_ticker
from tests.briefing.conftest import AS_OF, FailingFor, HangingFor, offline_agent
from tools.signal import signal_evidence

FIVE = Watchlist.of(["AAPL", "MSFT", "FB", "IBM", "GOOG"])


@pytest.mark.parametrize("as_of", [date(2012, 9, 19), AS_OF])
def test_numbers_only_briefs_equal_the_one_ticker_briefs(four_agent: Agent, as_of: date) -> None:
    ctx = four_agent.deps.context_for(as_of)
    report = run_briefing(None, ctx, watchlist=FIVE)
    assert [b.ticker for b in report.tickers] == list(FIVE.tickers)
    for b in report.tickers:
        alone = brief_ticker(None, ctx, ticker=b.ticker, as_of=as_of, thread_id=None)
        # the track record line is the briefing's (one read for every ticker), not the brief's
        same = {"elapsed_s", "track_record"}
        assert b.model_dump(exclude=same) == alone.model_dump(exclude=same)
        if b.status == "ok":
            evidence, _ = signal_evidence(ctx, b.ticker)
            assert b.evidence[0] == evidence and b.signal_evidence_id == evidence.id
    fb = report.brief("FB")
    assert fb.status == "failed" and fb.error.startswith("signal failed: need at least 251")
    assert fb.risk is not None or as_of < date(2012, 11, 1)  # risk needs less history
    assert [b.ticker for b in report.covered] == ["AAPL", "MSFT", "IBM", "GOOG"]


def test_a_failing_source_fails_its_ticker_only() -> None:
    agent = offline_agent(FailingFor("IBM"))
    report = run_briefing(None, agent.deps.context_for(AS_OF), watchlist=FIVE)
    ibm = report.brief("IBM")
    assert ibm.status == "failed"
    assert ibm.error.startswith("UnusableDataError: no usable data for IBM: flaky: feed returned")
    assert [b.ticker for b in report.covered] == ["AAPL", "MSFT", "GOOG"]


def test_a_hung_ticker_times_out_without_holding_up_the_others() -> None:
    hanging = HangingFor("MSFT")
    agent = offline_agent(hanging)
    seen: list[str] = []
    try:
        report = run_briefing(
            None,
            agent.deps.context_for(AS_OF),
            watchlist=FIVE,
            plan=BriefingPlan(workers=2, ticker_timeout_s=4),
            on_ticker=lambda b: seen.append(b.ticker),
        )
    finally:
        hanging.release.set()
    msft = report.brief("MSFT")
    assert msft.status == "timeout" and "4 s" in msft.error
    assert [b.ticker for b in report.covered] == ["AAPL", "IBM", "GOOG"]
    assert sorted(seen) == sorted(FIVE.tickers)  # every ticker reported once
