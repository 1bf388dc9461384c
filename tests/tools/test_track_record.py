"""The track record as evidence (``tools.track_record``): calls recorded and resolved in a
temporary SQLite database, scored per horizon beside always-buy and momentum, a call shown by
two entry points counted once, nothing known after the as-of date, zero counts without a
database or a call."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from data.store import NewCall, PredictionStore
from tests.tools.test_track import DAYS, _folder, _market, _raw, _store
from tools.context import ToolContext
from tools.evidence import json_ready
from tools.registry import TOOLS_BY_NAME
from tools.runtime import use_context
from tools.track import resolve_due
from tools.track_record import LAST, closes_of, records_by_ticker, track_record_evidence

ACTIONS = ("BUY", "SELL", "HOLD", "BUY", "STRONG BUY", "SELL", "BUY")


def _calls(ticker: str, *, source: str, days: pd.DatetimeIndex) -> list[NewCall]:
    """A signal call on each of ``days`` at 1, 5 and 20 bars, actions cycling through
    ``ACTIONS``, and one model forecast."""
    calls = [
        NewCall(source=source, ticker=ticker, as_of=d.date(), horizon_days=h,
                action=ACTIONS[i % len(ACTIONS)], score=0.5, config_hash="cfg1")
        for i, d in enumerate(days)
        for h in (1, 5, 20)
    ]  # fmt: skip
    forecast = NewCall(
        source=source, ticker=ticker, as_of=days[0].date(), horizon_days=5, action="BUY",
        score=None, config_hash=None, prob_up=0.7, model_id="m1",
    )  # fmt: skip
    return [*calls, forecast]


@pytest.fixture
def setup(tmp_path: Path) -> tuple[PredictionStore, ToolContext]:
    store = _store(tmp_path / "db.sqlite")
    days = DAYS[22:50:2]
    store.record(_calls("IBM", source="briefing", days=days))
    store.record(_calls("IBM", source="chat", days=days[:5]))  # shown again: the same calls
    store.record(_calls("AAPL", source="signal", days=days[:3]))
    market = _market(_folder(tmp_path / "prices"))
    ctx = ToolContext(as_of=DAYS[-1].date(), market=market, predictions=lambda: store)
    return store, ctx


def _expected(ticker: str, horizon: int, as_of: date) -> dict[str, float | int]:
    """The scores of the last ``LAST`` resolved signal calls, by hand from the closes."""
    close = _raw(("AAPL", "IBM").index(ticker))["close"]
    rows = []
    for i, d in enumerate(DAYS[22:50:2]):
        at = close.index.get_loc(d)
        if at + horizon >= len(close) or close.index[at + horizon].date() > as_of:
            continue
        ret = close.iloc[at + horizon] / close.iloc[at] - 1
        trailing = close.iloc[at] / close.iloc[at - 20] - 1
        side = {"BUY": 1, "STRONG BUY": 1, "SELL": -1, "HOLD": 0}[ACTIONS[i % len(ACTIONS)]]
        rows.append((side, ret, trailing))
    rows = rows[-LAST:]
    sided = [(s, r) for s, r, _ in rows if s]
    return {
        "calls": len(rows),
        "directional": len(sided),
        "hit_rate": float(np.mean([s * r > 0 for s, r in sided])) if sided else None,
        "always_buy": float(np.mean([r > 0 for _, r, _ in rows])) if rows else None,
        "momentum": float(np.mean([np.sign(t) * r > 0 for _, r, t in rows])) if rows else None,
    }


def test_the_evidence_scores_each_horizon_beside_the_baselines(setup) -> None:  # noqa: ANN001
    store, ctx = setup
    resolve_due(store, ctx.market, as_of=ctx.as_of)
    ev = track_record_evidence(ctx, "ibm")
    v = ev.values
    assert ev.kind == "track_record" and ev.tickers == ("IBM",) and ev.as_of == ctx.as_of
    assert v["calls"] == 14 * 3  # the chat's five repeats are the briefing's calls
    assert v["entry_points"] == ["briefing", "chat"] and v["last"] == LAST
    assert v["resolved"] + v["pending"] == v["calls"] and v["pending"] > 0
    assert (v["first_call"], v["last_call"]) == (str(DAYS[22].date()), str(DAYS[48].date()))
    for row in v["horizons"]:
        expected = _expected("IBM", row["horizon_days"], ctx.as_of)
        got = {k: row["recent"][k] for k in expected}
        assert got == pytest.approx(expected), row["horizon_days"]
        assert row["resolved"] == expected["calls"]
    [forecast] = v["forecasts"]
    assert forecast["horizon_days"] == 5 and forecast["recent"]["calls"] == 1
    assert forecast["recent"]["brier"] is not None
    assert "IBM" in ev.summary and str(ctx.as_of) in ev.summary


def test_calls_not_resolved_yet_are_scored_from_the_bars_as_the_resolver_would(setup) -> None:  # noqa: ANN001
    store, ctx = setup
    before = track_record_evidence(ctx, "IBM")  # nothing resolved in the database yet
    resolve_due(store, ctx.market, as_of=ctx.as_of)
    assert track_record_evidence(ctx, "IBM") == before


@pytest.mark.parametrize("cut", [DAYS[30], DAYS[41]])
def test_an_outcome_dated_after_the_as_of_date_is_not_counted(
    setup,
    tmp_path: Path,
    cut: pd.Timestamp,  # noqa: ANN001
) -> None:
    """Resolved with all the data, read at t: as known at t, the same as from data ending at
    t (look-ahead test)."""
    store, ctx = setup
    resolve_due(store, ctx.market, as_of=DAYS[-1].date())  # every outcome, some after t
    t = cut.date()
    at_t = dataclasses.replace(ctx, as_of=t)
    ev = track_record_evidence(at_t, "IBM")
    for row in ev.values["horizons"]:
        last = row["recent"]["last_outcome"]
        assert last is None or date.fromisoformat(last) <= t
        expected = _expected("IBM", row["horizon_days"], t)
        assert row["resolved"] == expected["calls"]
        if expected["calls"]:
            assert row["recent"]["hit_rate"] == pytest.approx(expected["hit_rate"])
    truncated = dataclasses.replace(at_t, market=_market(_folder(tmp_path / "cut", end=str(t))))
    assert track_record_evidence(truncated, "IBM") == ev


def test_no_database_or_no_call_gives_zero_counts_not_an_error(setup) -> None:  # noqa: ANN001
    _, ctx = setup
    for ev in (
        track_record_evidence(dataclasses.replace(ctx, predictions=None), "IBM"),
        track_record_evidence(dataclasses.replace(ctx, as_of=DAYS[10].date()), "IBM"),
        track_record_evidence(ctx, "MSFT"),
    ):
        v = ev.values
        assert (v["calls"], v["resolved"], v["pending"], v["forecasts"]) == (0, 0, 0, [])
        assert all(r["recent"]["hit_rate"] is None for r in v["horizons"])
        assert "no resolved 5-day call yet" in ev.summary


def test_all_tickers_and_the_briefings_one_read_agree_with_each_tickers_evidence(setup) -> None:  # noqa: ANN001
    store, ctx = setup
    every = track_record_evidence(ctx)
    assert every.tickers == () and every.values["tickers"] == ["AAPL", "IBM"]
    assert every.values["calls"] == (14 + 3) * 3
    lines = records_by_ticker(store, ["IBM", "AAPL"], as_of=ctx.as_of, closes=closes_of(ctx))
    for ticker in ("IBM", "AAPL"):
        assert json_ready(lines[ticker]) == track_record_evidence(ctx, ticker).values


def test_the_tool_returns_the_evidence_for_the_ledger(setup) -> None:  # noqa: ANN001
    _, ctx = setup
    with use_context(ctx):
        message = TOOLS_BY_NAME["track_record"].invoke(
            {"type": "tool_call", "name": "track_record", "args": {"ticker": "ibm"}, "id": "1"}
        )
    [artifact] = message.artifact
    assert artifact["kind"] == "track_record" and artifact["tickers"] == ["IBM"]
    assert message.text.startswith(f"[{artifact['id']}] Track record")
