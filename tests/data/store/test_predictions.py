"""``PredictionStore``: calls written once, resolved once, read as known on a date (SQLite and
PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
import pytest
from sqlalchemy.engine import Engine

from data.store import NewCall, Outcome, PendingCall, PredictionStore

DAY = date(2013, 2, 25)


def _call(**changes) -> NewCall:
    values = dict(
        source="briefing",
        ticker="IBM",
        as_of=DAY,
        horizon_days=5,
        action="BUY",
        score=0.58,
        config_hash="cfg1",
    )
    return NewCall(**(values | changes))  # type: ignore[arg-type]


def _outcome(call_id: int, **changes) -> Outcome:
    values = dict(
        id=call_id,
        entry_date=DAY,
        outcome_date=date(2013, 3, 4),
        outcome_return=0.012,
        trailing_return_20=-0.03,
        hit=True,
    )
    return Outcome(**(values | changes))  # type: ignore[arg-type]


def test_a_call_is_recorded_once_per_source_ticker_date_horizon_and_maker(engine: Engine):
    store = PredictionStore(engine)
    first = [_call(), _call(horizon_days=1), _call(model_id="m1", prob_up=0.61, score=None)]
    assert store.record(first) == 3
    again = [
        _call(action="SELL", score=0.40),  # the same call, re-made differently: the first stays
        _call(model_id="m1", prob_up=0.2, config_hash="cfg2", score=None),  # keyed by the model
        _call(source="replay"),
        _call(config_hash="cfg2"),
        _call(ticker="AAPL"),
        _call(model_id="m2", prob_up=0.5, config_hash=None, score=None),
    ]
    assert store.record(again) == 4
    assert store.record(again) == 0
    frame = store.calls(as_of=DAY)
    assert len(frame) == 7
    ibm5 = frame[
        (frame["source"] == "briefing")
        & (frame["ticker"] == "IBM")
        & (frame["horizon_days"] == 5)
        & (frame["config_hash"] == "cfg1")
        & frame["model_id"].isna()
    ]
    assert ibm5[["action", "score"]].values.tolist() == [["BUY", 0.58]]
    model = frame[frame["model_id"] == "m1"].iloc[0]
    assert (model["prob_up"], model["config_hash"], model["action"]) == (0.61, "cfg1", "BUY")


def test_record_inside_the_callers_transaction_rolls_back_with_it(engine: Engine):
    store = PredictionStore(engine)
    with pytest.raises(RuntimeError), engine.begin() as conn:
        assert store.record([_call()], conn=conn) == 1
        raise RuntimeError("the briefing failed after its calls")
    assert store.calls(as_of=DAY).empty


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"source": "Briefing"}, "lowercase word"),
        ({"horizon_days": 0}, "horizon_days"),
        ({"prob_up": 1.2}, "prob_up"),
        ({"score": float("nan")}, "NaN"),
        ({"action": "buy"}, "action must be one of"),
        ({"config_hash": None}, "configuration"),
    ],
)
def test_a_malformed_call_is_refused_before_the_database(changes, message):
    with pytest.raises(ValueError, match=message):
        _call(**changes)


def test_pending_lists_unresolved_calls_up_to_a_date(engine: Engine):
    store = PredictionStore(engine)
    store.record([_call(), _call(as_of=date(2013, 2, 26)), _call(ticker="AAPL")])
    pending = store.pending(as_of=DAY)
    assert [(p.ticker, p.as_of, p.horizon_days, p.action) for p in pending] == [
        ("IBM", DAY, 5, "BUY"),
        ("AAPL", DAY, 5, "BUY"),
    ]  # oldest first, then in the order recorded
    assert all(isinstance(p, PendingCall) for p in pending)
    assert [p.ticker for p in store.pending(as_of=DAY, tickers=["AAPL"])] == ["AAPL"]
    assert store.pending(as_of=date(2013, 2, 22)) == []
    assert store.tickers() == ["AAPL", "IBM"]


def test_an_outcome_is_written_once_and_never_rewritten(engine: Engine):
    store = PredictionStore(engine)
    store.record([_call(), _call(action="HOLD", horizon_days=1)])
    five, one = sorted(store.pending(as_of=DAY), key=lambda p: -p.horizon_days)
    stamp = datetime(2013, 3, 4, 22, 0, tzinfo=UTC)
    assert store.resolve([_outcome(five.id)], resolved_at=stamp) == 1
    assert store.resolve([_outcome(five.id, outcome_return=-0.5, hit=False)]) == 0
    assert store.resolve([_outcome(one.id, hit=None, trailing_return_20=float("nan"))]) == 1
    assert store.pending(as_of=date(2013, 3, 4)) == []
    row = store.calls(as_of=date(2013, 3, 4)).set_index("horizon_days")
    assert row.loc[5, ["outcome_return", "hit", "trailing_return_20"]].tolist() == [
        0.012,
        True,
        -0.03,
    ]
    assert row.loc[5, "resolved_at"] == stamp
    assert row.loc[5, "entry_date"] == pd.Timestamp(DAY)
    assert row.loc[1, "hit"] is None and pd.isna(row.loc[1, "trailing_return_20"])


def test_calls_read_as_known_on_a_date_hide_later_outcomes(engine: Engine):
    store = PredictionStore(engine)
    store.record([_call()])
    (call,) = store.pending(as_of=DAY)
    store.resolve([_outcome(call.id)])
    before = store.calls(as_of=date(2013, 3, 1))
    assert before["outcome_date"].isna().all() and before["hit"].tolist() == [None]
    assert store.resolved(as_of=date(2013, 3, 1)).empty
    after = store.resolved(as_of=date(2013, 3, 4))
    assert after["outcome_date"].tolist() == [pd.Timestamp(2013, 3, 4)]
    assert store.calls(as_of=DAY, ticker="AAPL").empty
    assert len(store.calls(as_of=DAY, source="briefing")) == 1


def test_thousands_of_calls_are_recorded_in_one_call(engine: Engine):
    """More rows than one statement may bind on SQLite (32766 variables: ~2,900 calls)."""
    from datetime import timedelta

    store = PredictionStore(engine)
    calls = [
        _call(as_of=date(2000, 1, 3) + timedelta(days=i), horizon_days=h)
        for i in range(1500)
        for h in (1, 5)
    ]
    assert store.record(calls) == 3000
    assert store.record(calls) == 0
