"""agent/memory.py: thread memory on SQLite (always) and on PostgreSQL (marked, skips when absent).

A conversation runs through ``Agent`` with the offline planner and a real checkpointer: the
follow-up "and its VaR?" only makes sense with the thread's history (the ticker and the as-of
date of the first turn), so it tells whether the history was stored and read back.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import psycopg
import pytest
from langchain_core.messages import HumanMessage

from agent.deps import deps_from_settings
from agent.memory import ThreadStoreError, open_checkpointer, postgres_conninfo
from agent.runner import Agent, RunResult, open_agent
from core.settings import Settings, load_settings
from tests.processes import run_together

PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
AS_OF = date(2013, 2, 28)
FIRST = "Should I buy Microsoft?"
FOLLOW_UP = "and its VaR?"


@pytest.fixture(scope="module")
def pg_available() -> None:
    """Skips when the PostgreSQL test server does not answer."""
    try:
        psycopg.connect(PG_URL, connect_timeout=2).close()
    except psycopg.OperationalError as err:
        pytest.skip(f"PostgreSQL not available at 127.0.0.1:5432: {str(err).splitlines()[0]}")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def settings(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings whose thread store is SQLite under the test's home, or the PostgreSQL server."""
    if request.param == "postgres":
        request.getfixturevalue("pg_available")
        monkeypatch.setenv("SIGNALDESK_DATABASE_URL", PG_URL)
    return load_settings()


@pytest.fixture
def thread_id(settings: Settings) -> Iterator[str]:
    """A thread id no earlier run used (PostgreSQL outlives the test); deleted afterwards."""
    tid = f"test-{uuid.uuid4().hex}"
    yield tid
    with open_checkpointer(settings) as saver:
        saver.delete_thread(tid)


def _first_turn(agent: Agent, thread_id: str) -> RunResult:
    result = agent.ask(FIRST, as_of=AS_OF, thread_id=thread_id)
    assert result.thread_id == thread_id
    assert result.answer.tickers == ["MSFT"]
    assert result.answer.as_of == AS_OF
    assert [s.name for s in result.steps] == ["signal", "technicals", "risk"]
    assert result.answer.signal is not None
    assert result.verification.ok
    return result


def _assert_var_follow_up(result: RunResult, thread_id: str) -> None:
    """The follow-up answered about MSFT at the first turn's date, from the risk tool only."""
    assert result.thread_id == thread_id
    assert not result.answer.refused
    assert result.answer.tickers == ["MSFT"]
    assert result.answer.as_of == AS_OF  # inherited: the follow-up named no date
    assert [(s.name, s.args["ticker"], s.status) for s in result.steps] == [
        ("risk", "MSFT", "success")
    ]
    assert [(e.kind, e.tickers, e.as_of) for e in result.evidence] == [("risk", ("MSFT",), AS_OF)]
    assert result.answer.signal is None  # this turn's ledger has no signal: not carried over
    assert "VaR" in result.answer.markdown
    assert result.evidence[0].id in result.answer.markdown
    assert result.verification.ok
    assert result.verification.numbers  # it stated numbers, and each one matched the evidence
    assert result.verification.unmatched == []


def _humans(agent: Agent, thread_id: str) -> list[str]:
    state = agent.graph.get_state({"configurable": {"thread_id": thread_id}})
    return [m.text for m in state.values["messages"] if isinstance(m, HumanMessage)]


# --- conversations --------------------------------------------------------------------------------


def test_follow_up_inherits_ticker_and_date(settings: Settings, thread_id: str) -> None:
    with open_checkpointer(settings) as saver:
        agent = Agent(deps_from_settings(settings, model=None), checkpointer=saver)
        _first_turn(agent, thread_id)
        follow_up = agent.ask(FOLLOW_UP, thread_id=thread_id)
        _assert_var_follow_up(follow_up, thread_id)
        assert _humans(agent, thread_id) == [FIRST, FOLLOW_UP]


def test_restart_resumes_the_thread(settings: Settings, thread_id: str) -> None:
    with open_agent(settings, model=None) as agent:
        first = _first_turn(agent, thread_id)
    with open_agent(settings, model=None) as restarted:  # new agent, new connection
        assert restarted is not agent
        assert _humans(restarted, thread_id) == [FIRST]
        follow_up = restarted.ask(FOLLOW_UP, thread_id=thread_id)
    _assert_var_follow_up(follow_up, thread_id)
    # the bare "VaR" follow-up asks a one-day VaR of the same company at the same date
    assert first.steps[2].args == {"ticker": "MSFT", "horizon_days": 10}
    assert follow_up.steps[0].args == {"ticker": "MSFT", "horizon_days": 1}
    assert follow_up.evidence[0].as_of == first.evidence[-1].as_of


def test_the_turn_as_of_comes_back_from_the_checkpointer_as_a_date(
    settings: Settings, thread_id: str
) -> None:
    """The state's ``as_of`` is a ``date`` after a restart (the checkpointer serialised it) and
    after a run on the in-memory saver."""
    with open_agent(settings, model=None) as agent:
        _first_turn(agent, thread_id)
    with open_agent(settings, model=None) as restarted:
        state = restarted.graph.get_state({"configurable": {"thread_id": thread_id}}).values
    assert type(state["as_of"]) is date and state["as_of"] == AS_OF
    in_memory = Agent(deps_from_settings(settings, model=None))
    _first_turn(in_memory, "t-mem")
    state = in_memory.graph.get_state({"configurable": {"thread_id": "t-mem"}}).values
    assert type(state["as_of"]) is date and state["as_of"] == AS_OF


def test_a_thread_stored_with_an_iso_string_as_of_still_answers_its_follow_up(
    settings: Settings, thread_id: str
) -> None:
    """Threads checkpointed before ``as_of`` was a ``date`` hold its ISO string."""
    with open_agent(settings, model=None) as agent:
        _first_turn(agent, thread_id)
        config = {"configurable": {"thread_id": thread_id}}
        agent.graph.update_state(config, {"as_of": AS_OF.isoformat()}, as_node="verify")
        assert agent.graph.get_state(config).values["as_of"] == "2013-02-28"
        _assert_var_follow_up(agent.ask(FOLLOW_UP, thread_id=thread_id), thread_id)


def test_sqlite_threads_live_in_home() -> None:
    settings = load_settings()
    with open_agent(settings, model=None) as agent:
        _first_turn(agent, "t-1")
    assert (settings.home / "threads.sqlite").is_file()


def test_another_thread_has_no_history(settings: Settings, thread_id: str) -> None:
    with open_agent(settings, model=None) as agent:
        _first_turn(agent, thread_id)
        other = f"{thread_id}-other"
        try:
            result = agent.ask(FOLLOW_UP, thread_id=other)
            assert _humans(agent, other) == [FOLLOW_UP]
        finally:
            agent.graph.checkpointer.delete_thread(other)  # type: ignore[union-attr]
    assert result.answer.refused
    assert result.answer.refusal_reason is not None
    assert result.answer.refusal_reason.startswith("Which company do you mean?")
    assert result.answer.tickers == []
    assert result.steps == []
    assert result.evidence == []
    assert result.verification.ok


def test_default_memory_ends_with_the_agent_object() -> None:
    """Without a checkpointer the thread lives in the ``Agent`` (in memory), not on disk."""
    settings = load_settings()
    agent = Agent(deps_from_settings(settings, model=None))
    _first_turn(agent, "t-1")
    _assert_var_follow_up(agent.ask(FOLLOW_UP, thread_id="t-1"), "t-1")
    restarted = Agent(deps_from_settings(settings, model=None))
    result = restarted.ask(FOLLOW_UP, thread_id="t-1")
    assert result.answer.refused
    assert result.steps == []
    assert not (settings.home / "threads.sqlite").exists()


@pytest.mark.postgres
def test_postgres_thread_is_stored_in_the_database(
    pg_available: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SIGNALDESK_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1/test")
    settings = load_settings()
    tid = f"test-{uuid.uuid4().hex}"
    try:
        with open_agent(settings, model=None) as agent:
            _first_turn(agent, tid)
        with psycopg.connect(PG_URL) as conn:
            (rows,) = conn.execute(
                "SELECT count(*) FROM checkpoints WHERE thread_id = %s", (tid,)
            ).fetchone()  # type: ignore[misc]
        assert rows > 0
        assert not (settings.home / "threads.sqlite").exists()
    finally:
        with open_checkpointer(settings) as saver:
            saver.delete_thread(tid)
    with psycopg.connect(PG_URL) as conn:
        (left,) = conn.execute(
            "SELECT count(*) FROM checkpoints WHERE thread_id = %s", (tid,)
        ).fetchone()  # type: ignore[misc]
    assert left == 0


# --- connection strings and failures --------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "conninfo"),
    [
        ("postgresql://u:p@db:5432/sd", "postgresql://u:p@db:5432/sd"),
        ("postgres://u@db/sd", "postgresql://u@db/sd"),
        ("postgresql+psycopg://u:p@db:5432/sd", "postgresql://u:p@db:5432/sd"),
        ("postgresql+psycopg2://u@db/sd?sslmode=require", "postgresql://u@db/sd?sslmode=require"),
        ("postgres+asyncpg://u@db/sd", "postgresql://u@db/sd"),
        # only the scheme is rewritten: a "postgres://" later in the URL stays as it is
        ("postgresql+psycopg://u@db/sd?application_name=postgres://x", "postgresql://u@db/sd"
         "?application_name=postgres://x"),
    ],
)  # fmt: skip
def test_postgres_conninfo(url: str, conninfo: str) -> None:
    assert postgres_conninfo(url) == conninfo


def test_unreachable_postgres_is_a_thread_store_error() -> None:
    settings = load_settings(database_url="postgresql+psycopg://postgres:hunter2@127.0.0.1:1/test")
    with pytest.raises(ThreadStoreError) as err, open_checkpointer(settings):
        pytest.fail("the checkpointer opened on a closed port")
    message = str(err.value)
    assert message.startswith("PostgreSQL thread store unavailable: ")
    assert '"127.0.0.1", port 1 failed' in message
    assert "hunter2" not in message
    assert "\n" not in message
    assert isinstance(err.value.__cause__, psycopg.OperationalError)


def test_unreachable_postgres_fails_open_agent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIGNALDESK_DATABASE_URL", "postgresql://postgres@127.0.0.1:1/test")
    with pytest.raises(ThreadStoreError, match="PostgreSQL thread store unavailable"):  # noqa: SIM117
        with open_agent(load_settings(), model=None):
            pytest.fail("the agent opened without its thread store")


# --- first run: several processes setting up an empty thread store at once -----------------------

_SETUP = """
import sys, time
from pathlib import Path
from agent.memory import open_checkpointer
from core.settings import Settings
settings = Settings(database_url=sys.argv[1] or None, home=Path(sys.argv[2]))
go = Path(sys.argv[3])
while not go.exists():
    time.sleep(0.002)
with open_checkpointer(settings):
    pass
"""


def _set_up_together(url: str, home: Path, *, n: int = 8) -> list[str]:
    """``n`` processes open the checkpointer at once; the last stderr line of each failure."""
    return run_together(_SETUP, [url, str(home)], home / "go", n=n)


@pytest.fixture
def empty_pg_schema(pg_available: None) -> Iterator[str]:
    """A URL whose search_path is a new, empty schema (dropped afterwards)."""
    schema = f"sd_test_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.mark.postgres
def test_eight_processes_setting_up_an_empty_postgres_thread_store_all_succeed(
    empty_pg_schema: str, tmp_path: Path
) -> None:
    from langgraph.checkpoint.postgres import PostgresSaver

    assert _set_up_together(empty_pg_schema, tmp_path) == []
    with psycopg.connect(postgres_conninfo(empty_pg_schema)) as conn:
        versions = [v for (v,) in conn.execute("SELECT v FROM checkpoint_migrations ORDER BY v")]
        tables = {
            t
            for (t,) in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            )
        }
    assert versions == list(range(len(PostgresSaver.MIGRATIONS)))
    assert {"checkpoints", "checkpoint_blobs", "checkpoint_writes"} <= tables


def test_eight_processes_setting_up_an_empty_sqlite_thread_store_all_succeed(
    tmp_path: Path,
) -> None:
    assert _set_up_together("", tmp_path) == []
    with sqlite3.connect(tmp_path / "threads.sqlite") as conn:
        tables = {t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        columns = [c[1] for c in conn.execute("PRAGMA table_info(writes)")]
    assert {"checkpoints", "writes"} <= tables
    assert columns.count("task_path") == 1
