"""Each ticker's track record line in the briefing: read point in time at the briefing's as-of
date with one query for the whole watchlist, and rendered in its section."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import event

from briefing import Watchlist, run_briefing
from briefing.markdown import sections, track_record_line
from briefing.models import TrackLine
from briefing.track import track_line
from data.store import NewCall, PredictionStore, make_engine, upgrade
from tests.briefing.conftest import AS_OF, offline_agent
from tools.track_record import closes_of, records_by_ticker


def _line(**values: object) -> TrackLine:
    base = {"horizon_days": 5, "last": 100, "calls": 60, "resolved": 57, "pending": 3}
    return TrackLine.model_validate(base | values)


@pytest.mark.parametrize(
    ("line", "text"),
    [
        (
            _line(scored=57, directional=57, hit_rate=0.544, always_buy=0.526, momentum=0.491),
            "Track record (5-day calls, last 100 resolved): 54% right vs always-buy 53%, "
            "momentum 49% (57 calls).",
        ),
        (
            _line(scored=57, directional=40, hit_rate=0.55, always_buy=0.526, momentum=None),
            "Track record (5-day calls, last 100 resolved): 55% right of the 40 that took a "
            "side vs always-buy 53%, momentum n/a (57 calls).",
        ),
        (
            _line(calls=12, resolved=0, pending=12, scored=0, directional=0),
            "Track record (5-day calls): no resolved calls yet (12 recorded, 12 pending).",
        ),
    ],
)
def test_the_line_says_the_hit_rate_beside_the_baselines(line: TrackLine, text: str) -> None:
    assert track_record_line(line) == text


def _seeded(path: Path) -> PredictionStore:
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    store = PredictionStore(engine)
    days = [d.date() for d in pd.bdate_range("2012-10-01", "2013-02-27", freq="W-WED")]
    store.record(
        [
            NewCall(
                source="replay",
                ticker="IBM",
                as_of=d,
                horizon_days=h,
                action=("BUY", "SELL", "HOLD")[i % 3],
                score=0.5,
                config_hash="cfg",
            )
            for i, d in enumerate(days)
            for h in (1, 5, 20)
        ]  # fmt: skip
    )
    return store


def test_the_briefing_reads_every_tickers_line_in_one_query(tmp_path: Path) -> None:
    store = _seeded(tmp_path / "calls.db")
    reads: list[str] = []
    event.listen(
        store.engine,
        "before_cursor_execute",
        lambda *args: reads.append(args[2]) if "FROM predictions" in args[2] else None,
    )
    agent = offline_agent()
    ctx = dataclasses.replace(agent.deps.context_for(AS_OF), predictions=lambda: store)
    report = run_briefing(None, ctx, watchlist=Watchlist.of(["IBM", "AAPL"]))
    assert len(reads) == 1
    expected = records_by_ticker(store, ["IBM", "AAPL"], as_of=AS_OF, closes=closes_of(ctx))
    ibm, aapl = report.brief("IBM"), report.brief("AAPL")
    assert ibm is not None and aapl is not None
    assert ibm.track_record == track_line(expected["IBM"])
    assert ibm.track_record is not None and 0 < ibm.track_record.scored < ibm.track_record.calls
    assert aapl.track_record == TrackLine(
        horizon_days=5, last=100, calls=0, resolved=0, pending=0, scored=0, directional=0
    )
    text = sections(report)
    assert track_record_line(ibm.track_record) in text["ticker:IBM"]
    assert f"({ibm.track_record.scored} calls)." in text["ticker:IBM"]
    assert "no resolved calls yet (0 recorded, 0 pending)" in text["ticker:AAPL"]


def test_the_line_knows_no_outcome_after_the_briefings_date(tmp_path: Path) -> None:
    store = _seeded(tmp_path / "calls.db")
    agent = offline_agent()
    day = date(2012, 12, 31)
    ctx = dataclasses.replace(agent.deps.context_for(day), predictions=lambda: store)
    lines = records_by_ticker(store, ["IBM"], as_of=day, closes=closes_of(ctx))
    line = track_line(lines["IBM"])
    row = next(r for r in lines["IBM"]["horizons"] if r["horizon_days"] == 5)
    assert row["recent"]["last_outcome"] <= day and line.calls == row["calls"]
    assert line.pending > 0  # the calls of the last weeks of 2012 are not due on that day
