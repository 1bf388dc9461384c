"""Which agent threads a chat owns, the open_briefing payload, and a chat's fork of a briefing
thread (on the in-memory and SQLite checkpointers)."""

from __future__ import annotations

import datetime as dt
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agent.deps import deps_from_settings
from agent.runner import Agent
from core.settings import load_settings
from ui.threads import (
    ActionRefused,
    agent_thread_for,
    fork_briefing,
    fork_id,
    owns_agent_thread,
    parse_open_briefing,
)

AS_OF = dt.date(2013, 2, 28)
BRIEF = "brief-20130228-abcd1234-IBM"


def test_a_chat_owns_its_thread_and_its_forks_only() -> None:
    ana, bea = str(uuid.uuid4()), str(uuid.uuid4())
    assert agent_thread_for(ana) == ana
    assert owns_agent_thread(ana, ana) and owns_agent_thread(ana, fork_id(ana, BRIEF))
    assert fork_id(ana, BRIEF) == f"{ana}~{BRIEF}"
    for other in (bea, fork_id(bea, BRIEF), BRIEF, ana + "x", ana[:-1], "", "~"):
        assert not owns_agent_thread(ana, other), other
    # a chat id chosen to name a briefing thread or another chat's fork names neither
    for chosen in (BRIEF, fork_id(bea, BRIEF), "x~y"):
        own = agent_thread_for(chosen)
        assert own.startswith("chat-") and len(own) == 37 and own not in (chosen, bea)
        assert not owns_agent_thread(chosen, chosen)
        assert agent_thread_for(chosen) == own  # the same chat again, the same thread
    assert agent_thread_for(ana.upper()) != ana  # only the canonical spelling is the id


def test_open_briefing_payload_names_a_date_and_a_ticker_only() -> None:
    assert parse_open_briefing({"ticker": "IBM", "as_of": "2013-02-28"}) == (AS_OF, "IBM")
    assert parse_open_briefing({"ticker": "BRK.B", "as_of": "2013-02-28"})[1] == "BRK.B"
    refused = {
        "not by thread_id": {"ticker": "IBM", "as_of": "2013-02-28", "thread_id": BRIEF},
        "not by agent_thread, thread_id": {"ticker": "IBM", "thread_id": "x", "agent_thread": 1},
        "'ibm' is not a ticker": {"ticker": "ibm", "as_of": "2013-02-28"},
        "None is not a ticker": {"as_of": "2013-02-28"},
        "['IBM'] is not a ticker": {"ticker": ["IBM"], "as_of": "2013-02-28"},
        "as-of '2013-02-30' is not a date": {"ticker": "IBM", "as_of": "2013-02-30"},
        "as-of 'None' is not a date": {"ticker": "IBM"},
    }
    for said, payload in refused.items():
        with pytest.raises(ActionRefused, match=r"^refused: ") as err:
            parse_open_briefing(payload)
        assert said in str(err.value), (said, str(err.value))


@pytest.fixture(params=["memory", "sqlite"])
def agent(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Agent]:
    from langgraph.checkpoint.memory import InMemorySaver
    from langgraph.checkpoint.sqlite import SqliteSaver

    settings = load_settings(home=tmp_path / "home", sources=["bundled"])
    if request.param == "memory":
        yield Agent(deps_from_settings(settings, model=None), checkpointer=InMemorySaver())
        return
    conn = sqlite3.connect(tmp_path / "threads.sqlite", check_same_thread=False)
    try:
        saver = SqliteSaver(conn)
        saver.setup()
        yield Agent(deps_from_settings(settings, model=None), checkpointer=saver)
    finally:
        conn.close()


def _questions(agent: Agent, thread_id: str) -> list[Any]:
    state = agent.graph.get_state({"configurable": {"thread_id": thread_id}}).values
    return [m.content for m in state.get("messages", []) if m.type == "human"]


def test_a_fork_carries_the_briefing_and_keeps_its_follow_ups_to_itself(agent: Agent) -> None:
    from ui.briefings import stored_turn

    explained = agent.ask("Should I buy IBM?", as_of=AS_OF, thread_id=BRIEF)
    ana, bea = fork_id(str(uuid.uuid4()), BRIEF), fork_id(str(uuid.uuid4()), BRIEF)
    assert fork_briefing(agent, BRIEF, ana) is True
    answer, evidence = stored_turn(agent, ana)  # type: ignore[misc]
    assert answer == explained.answer
    assert {e.id for e in evidence} == {e.id for e in explained.evidence}

    follow_up = agent.ask("and its VaR?", thread_id=ana)  # in the briefing's context
    assert follow_up.answer.tickers == ["IBM"] and follow_up.answer.as_of == AS_OF
    assert _questions(agent, ana) == ["Should I buy IBM?", "and its VaR?"]
    assert _questions(agent, BRIEF) == ["Should I buy IBM?"]  # the briefing: untouched

    assert fork_briefing(agent, BRIEF, bea) is True
    assert _questions(agent, bea) == ["Should I buy IBM?"]  # not ana's follow-up
    assert fork_briefing(agent, BRIEF, ana) is True  # opened again: her follow-ups kept
    assert _questions(agent, ana) == ["Should I buy IBM?", "and its VaR?"]
    assert fork_briefing(agent, "brief-none", fork_id(str(uuid.uuid4()), "brief-none")) is False
