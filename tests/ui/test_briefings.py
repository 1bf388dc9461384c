"""The latest briefing as the chat lists it, and opening a ticker as its agent thread."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from agent.deps import deps_from_settings
from agent.runner import Agent
from core.settings import load_settings
from data.store import Briefing, make_engine, upgrade
from ui.briefings import BriefingTicker, briefing_markdown, latest_briefing, stored_turn

AS_OF = dt.date(2013, 2, 28)


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'signaldesk.db'}")
    upgrade(engine)
    return engine


def insert_briefing(
    engine: Engine, *, as_of: dt.date, tickers: list[dict[str, Any]], created: dt.datetime
) -> None:
    """A briefing row as the briefing runner stores it (payload shape of the briefing issue)."""
    payload = {
        "as_of": as_of.isoformat(),
        "watchlist": [t["ticker"] for t in tickers],
        "tickers": tickers,
    }
    with engine.begin() as conn:
        conn.execute(
            sa.insert(Briefing.__table__).values(
                watchlist_key="AAPL,IBM",
                as_of=as_of,
                created_at=created,
                payload=payload,
                report_dir=None,
            )
        )


def test_no_briefing(tmp_path: Path, engine: Engine) -> None:
    assert latest_briefing(engine) is None
    bare = make_engine(f"sqlite:///{tmp_path / 'never-migrated.db'}")
    assert latest_briefing(bare) is None  # no table yet: nothing to list, no error


def test_latest_briefing_is_the_newest_as_of_then_the_newest_run(engine: Engine) -> None:
    utc = dt.UTC
    ok = {"ticker": "IBM", "status": "ok", "action": "HOLD", "score": 0.54, "thread_id": "t-ibm"}
    insert_briefing(
        engine, as_of=AS_OF, tickers=[ok], created=dt.datetime(2013, 3, 1, 7, tzinfo=utc)
    )
    insert_briefing(
        engine,
        as_of=dt.date(2013, 1, 31),
        tickers=[ok],
        created=dt.datetime(2013, 3, 2, 7, tzinfo=utc),  # run later, but for an older date
    )
    failed = {
        "ticker": "AAPL",
        "status": "timeout",
        "action": None,
        "score": None,
        "thread_id": None,
        "error": "took longer than 180 s",
    }
    with engine.begin() as conn:  # a re-run of the same day replaces the row's payload
        conn.execute(
            sa.update(Briefing.__table__)
            .where(Briefing.__table__.c.as_of == AS_OF)
            .values(
                payload={
                    "as_of": "2013-02-28",
                    "watchlist": ["AAPL", "IBM"],
                    "tickers": [failed, ok],
                }
            )
        )
    view = latest_briefing(engine)
    assert view is not None and view.as_of == AS_OF
    assert view.watchlist == ("AAPL", "IBM")
    assert view.tickers == (
        BriefingTicker("AAPL", "timeout", None, None, None, "took longer than 180 s"),
        BriefingTicker("IBM", "ok", "HOLD", 0.54, "t-ibm", None),
    )
    assert [t.ticker for t in view.tickers if t.openable] == ["IBM"]
    text = briefing_markdown(view)
    assert "as of 2013-02-28 · AAPL, IBM" in text
    assert "| AAPL | n/a | n/a | timeout: took longer than 180 s |" in text
    assert "| IBM | HOLD | 0.540 | ok |" in text


def test_opening_a_briefing_ticker_continues_its_agent_thread(
    tmp_path: Path, engine: Engine
) -> None:
    """The briefing's explanation is an agent thread: the chat shows its last answer, and a
    follow-up on the same thread is answered in its context (ticker and date)."""
    from langgraph.checkpoint.memory import InMemorySaver

    settings = load_settings(home=tmp_path / "home", sources=["bundled"])
    agent = Agent(deps_from_settings(settings, model=None), checkpointer=InMemorySaver())
    explained = agent.ask("Should I buy IBM?", as_of=AS_OF, thread_id="briefing-IBM")
    insert_briefing(
        engine,
        as_of=AS_OF,
        tickers=[
            {
                "ticker": "IBM",
                "status": "ok",
                "action": explained.answer.signal.action.value,
                "score": explained.answer.signal.score,
                "thread_id": "briefing-IBM",
            }
        ],
        created=dt.datetime(2013, 3, 1, 7, tzinfo=dt.UTC),
    )
    ticker = latest_briefing(engine).ticker("IBM")
    assert ticker is not None and ticker.openable

    stored = stored_turn(agent, ticker.thread_id)
    assert stored is not None
    answer, evidence = stored
    assert answer == explained.answer
    assert {e.id for e in evidence} == {e.id for e in explained.evidence}

    follow_up = agent.ask("and its VaR?", thread_id=ticker.thread_id)  # no ticker, no date
    assert follow_up.answer.tickers == ["IBM"] and follow_up.answer.as_of == AS_OF
    assert [e.kind for e in follow_up.evidence] == ["risk"]
    assert stored_turn(agent, "no-such-thread") is None


def test_a_briefing_ticker_is_found_by_date_and_ticker(engine: Engine) -> None:
    """What the chat's open action names (date, ticker) leads to the thread the briefing stored:
    the newest run for that date with the ticker openable."""
    from ui.briefings import briefing_ticker

    utc = dt.UTC

    def row(ticker: str, thread: str | None, status: str = "ok") -> dict[str, Any]:
        return {"ticker": ticker, "status": status, "action": "HOLD", "thread_id": thread}

    insert_briefing(
        engine,
        as_of=AS_OF,
        tickers=[row("IBM", "brief-old-IBM"), row("AAPL", "brief-old-AAPL")],
        created=dt.datetime(2013, 3, 1, 7, tzinfo=utc),
    )
    later = [row("IBM", "brief-new-IBM"), row("AAPL", None, "timeout")]
    with engine.begin() as conn:  # another watchlist's briefing of the same day, run later
        conn.execute(
            sa.insert(Briefing.__table__).values(
                watchlist_key="IBM,AAPL",
                as_of=AS_OF,
                created_at=dt.datetime(2013, 3, 1, 9, tzinfo=utc),
                payload={"as_of": "2013-02-28", "watchlist": ["IBM", "AAPL"], "tickers": later},
                report_dir=None,
            )
        )
    assert briefing_ticker(engine, as_of=AS_OF, ticker="IBM").thread_id == "brief-new-IBM"
    assert briefing_ticker(engine, as_of=AS_OF, ticker="AAPL").thread_id == "brief-old-AAPL"
    assert briefing_ticker(engine, as_of=AS_OF, ticker="MSFT") is None
    assert briefing_ticker(engine, as_of=dt.date(2013, 1, 31), ticker="IBM") is None
