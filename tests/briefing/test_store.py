from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from briefing import BriefingReport, BriefingStore
from data.store import Briefing, Signal
from tests.briefing.conftest import AS_OF


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
