from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from briefing import BriefingReport, BriefingStore
from data.store import Briefing, Prediction, PredictionStore, Signal
from tests.briefing.conftest import AS_OF
from tools.track import CALL_HORIZONS


def count(engine: Engine, table: type) -> int:
    import sqlalchemy as sa

    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table.__table__)).scalar_one()


@pytest.mark.parametrize(
    "engine", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_save_replaces_the_same_date_and_finds_the_previous(
    engine: Engine, four_report: BriefingReport
) -> None:
    store = BriefingStore(engine)
    store.save(four_report, report_dir="/tmp/out")
    store.save(four_report)  # the same watchlist and date again: replaced, not duplicated
    assert count(engine, Briefing) == 1 and count(engine, Signal) == 4
    assert store.get(four_report.watchlist_key, AS_OF) == four_report
    later = four_report.model_copy(update={"as_of": AS_OF.replace(day=27), "run_id": "r2"})
    store.save(later)
    assert store.dates(four_report.watchlist_key) == [later.as_of, AS_OF]
    assert store.previous(four_report.watchlist_key, before=AS_OF) == later
    assert store.previous(four_report.watchlist_key, before=later.as_of) is None
    assert store.latest() == four_report and store.latest("other") is None
    calls = store.calls("MSFT", end=AS_OF)
    assert list(calls.index.date) == [later.as_of, AS_OF]
    msft = four_report.brief("MSFT")
    assert calls.iloc[-1][["action", "score"]].tolist() == [msft.action, msft.score]
    assert store.calls("MSFT", end=AS_OF, run_id="r2").shape[0] == 1
    assert store.calls("MSFT", end=later.as_of.replace(day=1)).empty


def test_the_web_chat_lists_a_stored_briefing_with_its_threads(
    sqlite_engine: Engine, four_report: BriefingReport
) -> None:
    from ui.briefings import latest_briefing

    BriefingStore(sqlite_engine).save(four_report)
    view = latest_briefing(sqlite_engine)
    assert view is not None and view.as_of == AS_OF
    assert view.watchlist == tuple(four_report.watchlist)
    assert [(t.ticker, t.action, t.thread_id, t.openable) for t in view.tickers] == [
        (b.ticker, b.action, b.thread_id, True) for b in four_report.tickers
    ]


@pytest.mark.parametrize(
    "engine", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_saving_records_each_covered_call_once_per_horizon(
    engine: Engine, four_report: BriefingReport
) -> None:
    store = BriefingStore(engine)
    store.save(four_report)
    store.save(four_report)  # a re-run of the same date: the first calls stand
    store.save(four_report, source="replay")  # the same calls from a replay: their own rows
    calls = PredictionStore(engine).calls(as_of=AS_OF)
    assert count(engine, Prediction) == 2 * 4 * len(CALL_HORIZONS) == len(calls)
    briefed = calls[calls["source"] == "briefing"]
    assert sorted(briefed["horizon_days"].unique()) == list(CALL_HORIZONS)
    for b in four_report.tickers:
        rows = briefed[briefed["ticker"] == b.ticker]
        signal = next(e for e in b.evidence if e.id == b.signal_evidence_id)
        assert set(rows["action"]) == {b.action} and set(rows["score"]) == {b.score}
        assert set(rows["config_hash"]) == {signal.values["config_fingerprint"]}
        assert rows["model_id"].isna().all() and rows["prob_up"].isna().all()
        assert set(rows["run_id"]) == {four_report.run_id}
    assert calls["outcome_date"].isna().all()


def test_an_uncovered_ticker_records_no_call(
    sqlite_engine: Engine, four_report: BriefingReport
) -> None:
    failed = four_report.tickers[0].model_copy(update={"status": "failed", "action": None})
    report = four_report.model_copy(update={"tickers": [failed, *four_report.tickers[1:]]})
    BriefingStore(sqlite_engine, horizons=(5,)).save(report)
    calls = PredictionStore(sqlite_engine).calls(as_of=AS_OF)
    assert sorted(calls["ticker"]) == sorted(b.ticker for b in four_report.tickers[1:])
    assert set(calls["horizon_days"]) == {5}
