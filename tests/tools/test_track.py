"""Recording calls from evidence, resolving them from market data read through a CSV source,
and the look-ahead test: outcomes from data that end at day t are those the full data give,
for the calls due by t, and there are none for the calls not due yet."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy.engine import Engine

from data.bars import to_raw_frame
from data.providers.files import FileProvider
from data.service import MarketData
from data.store import PredictionStore, make_engine, upgrade
from tools.evidence import Evidence
from tools.track import CALL_HORIZONS, calls_of, record_calls, resolve_due, track_record_at

DAYS = pd.bdate_range("2013-01-02", periods=60)


def _raw(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    close = 100 * np.cumprod(1 + rng.normal(0, 0.01, DAYS.size))
    frame = pd.DataFrame(
        {
            "open": close,
            "high": close * 1.01,
            "low": close * 0.99,
            "close": close,
            "volume": np.full(DAYS.size, 1e6),
            "adj_close": close,
        },
        index=DAYS,
    )
    return to_raw_frame(frame)


def _folder(root: Path, *, end: str | None = None) -> Path:
    root.mkdir(parents=True)
    for seed, ticker in enumerate(("AAPL", "IBM")):
        raw = _raw(seed)
        if end is not None:
            raw = raw.loc[:end]
        raw.rename_axis("date").reset_index().to_csv(root / f"{ticker}.csv", index=False)
    return root


def _market(folder: Path) -> MarketData:
    return MarketData([FileProvider(folder)], calendar=None)


def _store(path: Path) -> PredictionStore:
    engine: Engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    return PredictionStore(engine)


def _signal(ticker: str, day: date, action: str, score: float = 0.6) -> Evidence:
    values = {"action": action, "score": score, "config_fingerprint": "cfg1"}
    return Evidence.make(kind="signal", tickers=[ticker], as_of=day, values=values)


def _forecast(ticker: str, day: date, prob_up: float) -> Evidence:
    values = {"prob_up": prob_up, "horizon_days": 5, "model_id": "xgb-IBM-1"}
    return Evidence.make(kind="forecast", tickers=[ticker], as_of=day, values=values)


def _evidence() -> list[Evidence]:
    """A BUY on AAPL and a SELL on IBM on every fifth day, and one model forecast."""
    days = [d.date() for d in DAYS[25::5]]
    out = [_signal("AAPL", d, "BUY") for d in days] + [_signal("IBM", d, "SELL") for d in days]
    return [*out, _forecast("IBM", days[0], 0.35)]


def test_calls_of_reads_signals_at_each_horizon_and_forecasts_at_theirs():
    day = date(2013, 2, 25)
    risk = Evidence.make(kind="risk", tickers=["IBM"], as_of=day, values={"var_95": 0.02})
    calls = calls_of([_signal("IBM", day, "HOLD", 0.5), _forecast("IBM", day, 0.62), risk],
                     source="signal", run_id="r1")  # fmt: skip
    assert [(c.horizon_days, c.action, c.score, c.prob_up, c.model_id) for c in calls] == [
        *((h, "HOLD", 0.5, None, None) for h in CALL_HORIZONS),
        (5, "BUY", None, 0.62, "xgb-IBM-1"),
    ]
    assert {(c.source, c.ticker, c.as_of, c.config_hash, c.run_id) for c in calls} == {
        ("signal", "IBM", day, "cfg1", "r1")
    }
    alone = calls_of([_forecast("IBM", day, 0.5)], source="ask")
    assert [(c.action, c.config_hash) for c in alone] == [("HOLD", None)]


def test_resolve_fills_due_calls_once_and_by_the_definitions(tmp_path: Path):
    store = _store(tmp_path / "db.sqlite")
    assert record_calls(store, _evidence(), source="briefing") == 1 + 2 * 7 * len(CALL_HORIZONS)
    assert record_calls(store, _evidence(), source="briefing") == 0
    market = _market(_folder(tmp_path / "prices"))
    last = DAYS[-1].date()
    first = resolve_due(store, market, as_of=last)
    assert (first.pending, first.failed) == (43, {})
    assert first.resolved + first.waiting == 43 and first.waiting > 0
    again = resolve_due(store, market, as_of=last)
    assert (again.pending, again.resolved) == (first.waiting, 0)

    calls = store.resolved(as_of=last)
    close = {t: _raw(seed)["close"] for seed, t in enumerate(("AAPL", "IBM"))}
    for row in calls.itertuples():
        series = close[row.ticker]
        entry = series.index.get_loc(row.as_of)
        assert row.entry_date == row.as_of  # calls on trading days enter that day
        assert row.outcome_date == series.index[entry + row.horizon_days]
        expected = series.iloc[entry + row.horizon_days] / series.iloc[entry] - 1
        assert row.outcome_return == pytest.approx(expected, rel=1e-9)
        assert row.trailing_return_20 == pytest.approx(
            series.iloc[entry] / series.iloc[entry - 20] - 1, rel=1e-9
        )
        up = expected > 0
        assert row.hit == (up if row.action == "BUY" else not up)


def test_a_ticker_without_data_is_named_and_its_calls_wait(tmp_path: Path):
    store = _store(tmp_path / "db.sqlite")
    record_calls(store, [_signal("NOPE", DAYS[30].date(), "BUY")], source="signal")
    summary = resolve_due(store, _market(_folder(tmp_path / "prices")), as_of=DAYS[-1].date())
    assert (summary.resolved, summary.waiting) == (0, 3)
    assert list(summary.failed) == ["NOPE"] and "NOPE" in summary.failed["NOPE"]


@pytest.mark.parametrize("cut", [DAYS[31], DAYS[40], DAYS[52]])
def test_outcomes_from_data_ending_at_t_equal_the_full_datas_for_calls_due_by_t(
    tmp_path: Path, cut: pd.Timestamp
):
    t = cut.date()
    truncated, full = _store(tmp_path / "t.sqlite"), _store(tmp_path / "f.sqlite")
    for store in (truncated, full):
        record_calls(store, _evidence(), source="briefing")
    resolve_due(truncated, _market(_folder(tmp_path / "cut", end=str(t))), as_of=t)
    resolve_due(full, _market(_folder(tmp_path / "all")), as_of=DAYS[-1].date())

    seen = truncated.calls(as_of=DAYS[-1].date()).set_index("id")
    known = full.calls(as_of=DAYS[-1].date()).set_index("id")
    due = known["outcome_date"] <= cut
    assert 0 < due.sum() < len(due)
    assert seen["outcome_date"].notna().tolist() == due.tolist()  # none early, none missed
    columns = ["entry_date", "outcome_date", "hit"]
    pd.testing.assert_frame_equal(seen.loc[due, columns], known.loc[due, columns])
    for name in ("outcome_return", "trailing_return_20"):
        np.testing.assert_allclose(seen.loc[due, name], known.loc[due, name], rtol=1e-12)
    # and the track record at t is the same from either database
    assert track_record_at(truncated, as_of=t) == track_record_at(full, as_of=t)


def test_a_final_outcome_is_never_rewritten_by_later_or_different_data(tmp_path: Path):
    store = _store(tmp_path / "db.sqlite")
    record_calls(store, _evidence(), source="briefing")
    t = DAYS[45].date()
    resolve_due(store, _market(_folder(tmp_path / "cut", end=str(t))), as_of=t)
    before = store.resolved(as_of=t)
    other = tmp_path / "other"  # the same tickers, entirely different prices
    other.mkdir()
    for seed, ticker in ((7, "AAPL"), (8, "IBM")):
        _raw(seed).rename_axis("date").reset_index().to_csv(other / f"{ticker}.csv", index=False)
    later = resolve_due(store, _market(other), as_of=DAYS[-1].date())
    assert later.resolved > 0  # the calls due since t
    pd.testing.assert_frame_equal(store.resolved(as_of=t), before)
