"""The schema's constraints, cascades and types, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from data.store import (
    Backtest,
    BacktestTrade,
    Briefing,
    Document,
    EvalRun,
    Instrument,
    Prediction,
    QuarantinedBar,
    Signal,
)

AS_OF = date(2024, 6, 28)


def _signal(**changes) -> Signal:
    values = dict(
        ticker="AAPL",
        as_of=AS_OF,
        action="BUY",
        score=0.6,
        confidence=0.7,
        position_size=0.01,
        components={"technical": {"score": 0.62, "rsi": 41.5}, "ml": None},
        config_hash="abc123",
    )
    return Signal(**(values | changes))


def _add(engine: Engine, *rows: object) -> None:
    with Session(engine, expire_on_commit=False) as session:
        session.add_all(rows)
        session.commit()


def test_json_and_utc_timestamps_round_trip(engine):
    created = datetime(2024, 6, 28, 22, 0, tzinfo=timezone(timedelta(hours=2)))
    _add(engine, _signal(created_at=created, run_id="run-1"))
    with Session(engine) as session:
        got = session.exec(select(Signal)).one()
    assert got.components == {"technical": {"score": 0.62, "rsi": 41.5}, "ml": None}
    assert got.created_at == datetime(2024, 6, 28, 20, 0, tzinfo=UTC)
    assert got.created_at.utcoffset() == timedelta(0)
    assert got.as_of == AS_OF


def test_naive_timestamps_are_refused(engine):
    with pytest.raises(sa.exc.StatementError, match="naive datetime"):
        _add(engine, _signal(created_at=datetime(2024, 1, 1, 12, 0)))


def _prediction(**changes) -> Prediction:
    values = dict(
        source="briefing",
        ticker="AAPL",
        as_of=AS_OF,
        horizon_days=5,
        action="BUY",
        score=0.6,
        config_hash="abc123",
    )
    return Prediction(**(values | changes))


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (_signal, lambda: _signal(score=0.1)),
        (_prediction, lambda: _prediction(action="SELL", score=0.4)),
        (
            lambda: _prediction(model_id="m1", prob_up=0.6, config_hash=None),
            lambda: _prediction(model_id="m1", prob_up=0.4, config_hash="other"),
        ),
        (
            lambda: Briefing(watchlist_key="core", as_of=AS_OF, payload={"n": 1}),
            lambda: Briefing(watchlist_key="core", as_of=AS_OF, payload={"n": 2}),
        ),
        (
            lambda: Document(id="d1", source="edgar", content_hash="h"),
            lambda: Document(id="d2", source="edgar", content_hash="h"),
        ),
    ],
    ids=["signal", "prediction", "model_prediction", "briefing", "document"],
)
def test_unique_constraints(engine, first, second):
    _add(engine, first())
    with pytest.raises(sa.exc.IntegrityError):
        _add(engine, second())


def test_same_keys_with_another_config_or_horizon_are_allowed(engine):
    _add(
        engine,
        _signal(),
        _signal(config_hash="other"),
        _prediction(),
        _prediction(horizon_days=20),
        _prediction(config_hash="other"),
        _prediction(source="replay"),
        _prediction(model_id="m1", prob_up=0.6),  # a model's call is keyed by its model
        _prediction(model_id="m2", prob_up=0.6),
    )
    with Session(engine) as session:
        assert len(session.exec(select(Signal)).all()) == 2
        assert len(session.exec(select(Prediction)).all()) == 6


def test_prediction_outcome_is_filled_later(engine):
    _add(engine, _prediction())
    filled = datetime(2024, 7, 8, tzinfo=UTC)
    with Session(engine) as session:
        pred = session.exec(select(Prediction)).one()
        assert (pred.outcome_return, pred.hit, pred.resolved_at) == (None,) * 3
        pred.outcome_return, pred.hit, pred.resolved_at = 0.021, True, filled
        session.add(pred)
        session.commit()
    with Session(engine) as session:
        pred = session.exec(select(Prediction)).one()
    assert (pred.outcome_return, pred.hit, pred.resolved_at) == (0.021, True, filled)


@pytest.mark.parametrize(
    "row",
    [
        lambda: _prediction(prob_up=1.5),
        lambda: _prediction(horizon_days=0),
        lambda: _prediction(config_hash=None),  # neither a configuration nor a model
        lambda: Instrument(ticker="A", asset_class="bond"),
        lambda: QuarantinedBar(ticker="NOPE", source="x", date=AS_OF, reason="r"),
    ],
    ids=[
        "prob_up_in_0_1",
        "horizon_at_least_1",
        "a_maker",
        "asset_class",
        "quarantine_needs_instrument",
    ],
)
def test_check_and_foreign_key_constraints(engine, row):
    with pytest.raises(sa.exc.IntegrityError):
        _add(engine, row())


def test_deleting_a_backtest_deletes_its_trades(engine):
    keep, drop = (
        Backtest(
            ticker=t,
            strategy="sma",
            start=date(2020, 1, 1),
            end=date(2024, 1, 1),
            params={"fast": 50},
            metrics={"sharpe": 0.8},
            walk_forward=True,
        )
        for t in ("AAPL", "MSFT")
    )
    _add(engine, keep, drop)
    trades = [
        BacktestTrade(
            backtest_id=bt, entry_date=date(2021, 1, 4), side="long", entry_price=100.0, weight=0.5
        )
        for bt in (keep.id, drop.id, drop.id)
    ]
    _add(engine, *trades)
    with engine.begin() as conn:
        conn.execute(sa.delete(Backtest.__table__).where(Backtest.__table__.c.id == drop.id))
    with Session(engine) as session:
        left = session.exec(select(BacktestTrade)).all()
        backtest = session.exec(select(Backtest)).one()
    assert [t.backtest_id for t in left] == [keep.id]
    assert backtest.params == {"fast": 50}
    assert backtest.walk_forward is True


def test_deleting_an_instrument_deletes_its_quarantined_bars(engine):
    _add(engine, Instrument(ticker="AAPL", name="Apple Inc."))
    _add(engine, QuarantinedBar(ticker="AAPL", source="x", date=AS_OF, close=1.0, reason="r"))
    with engine.begin() as conn:
        conn.execute(sa.delete(Instrument.__table__))
    with Session(engine) as session:
        assert session.exec(select(QuarantinedBar)).all() == []


def test_eval_run_round_trips(engine):
    started = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
    _add(
        engine,
        EvalRun(
            suite="smoke",
            model="offline",
            code_version="abc",
            settings={"k": [1, 2]},
            metrics={"hit_rate": 0.55},
            started_at=started,
        ),
    )
    with Session(engine) as session:
        run = session.exec(select(EvalRun)).one()
    assert (run.settings, run.metrics, run.started_at, run.finished_at) == (
        {"k": [1, 2]},
        {"hit_rate": 0.55},
        started,
        None,
    )
