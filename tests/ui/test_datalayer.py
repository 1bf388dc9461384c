"""Chat history on our database: the tables Chainlit's SQLAlchemy layer needs, a thread saved
and read back with its steps and elements (what resuming shows), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import sqlalchemy as sa

from core.settings import Settings, SettingsError, load_settings
from ui.datalayer import ChatStore, chat_metadata, chat_store, ensure_tables, open_data_layer

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _postgres(tmp_path: Path) -> Iterator[Settings]:
    from data.store import StoreUnavailableError, make_engine

    schema = f"chat_test_{uuid.uuid4().hex[:8]}"
    try:
        engine = make_engine(PG_URL, connect_timeout=2)
    except StoreUnavailableError as err:
        pytest.skip(f"PostgreSQL not available at 127.0.0.1:5432: {err}")
    try:
        yield load_settings(home=tmp_path / "home", database_url=PG_URL, ui_db_schema=schema)
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    if request.param == "postgres":
        yield from _postgres(tmp_path)
    else:
        yield load_settings(home=tmp_path / "home")


def _columns(store: ChatStore) -> dict[str, set[str]]:
    from data.store import make_engine

    engine = make_engine(store.sync_url)
    try:
        inspector = sa.inspect(engine)
        names = inspector.get_table_names(schema=store.schema)
        return {
            t: {c["name"] for c in inspector.get_columns(t, schema=store.schema)} for t in names
        }
    finally:
        engine.dispose()


def test_store_location(tmp_path: Path) -> None:
    sqlite = chat_store(load_settings(home=tmp_path / "home"))
    assert (
        sqlite.async_url == f"sqlite+aiosqlite:///{(tmp_path / 'home' / 'chat.sqlite').resolve()}"
    )
    assert sqlite.schema is None and sqlite.files_dir == tmp_path / "home" / "ui" / "files"
    pg = chat_store(load_settings(database_url="postgres://u:p@db:5432/sd", ui_db_schema="chat"))
    assert pg.async_url == "postgresql+psycopg://u:p@db:5432/sd"
    assert pg.schema == "chat" and pg.connect_args == {"options": "-c search_path=chat"}
    with pytest.raises(SettingsError, match="SIGNALDESK_UI_DB_SCHEMA"):
        load_settings(ui_db_schema="chat; drop table x")


def test_tables_are_created_and_upgraded(settings: Settings) -> None:
    store = chat_store(settings)
    ensure_tables(store)
    ensure_tables(store)  # idempotent
    expected = {t.name: {c.name for c in t.columns} for t in chat_metadata().sorted_tables}
    assert _columns(store) == expected
    # a table made by an older Chainlit schema gains the columns added since
    from data.store import make_engine

    engine = make_engine(store.sync_url)
    prefix = f"{store.schema}." if store.schema else ""
    with engine.begin() as conn:
        conn.execute(sa.text(f'ALTER TABLE {prefix}steps DROP COLUMN "modes"'))
        conn.execute(sa.text(f'ALTER TABLE {prefix}steps DROP COLUMN "defaultOpen"'))
    engine.dispose()
    assert "modes" not in _columns(store)["steps"]
    ensure_tables(store)
    assert _columns(store) == expected


def _context(thread_id: str, user: object) -> None:
    from chainlit.context import ChainlitContext, context_var
    from chainlit.session import HTTPSession

    session = HTTPSession(
        id=str(uuid.uuid4()),
        thread_id=thread_id,
        user=user,
        client_type="webapp",  # type: ignore[arg-type]
    )
    context_var.set(ChainlitContext(session))


async def _round_trip(store: ChatStore) -> None:
    import chainlit as cl
    from chainlit.types import Pagination, ThreadFilter

    layer = open_data_layer(store)
    try:
        user = await layer.create_user(cl.User(identifier="ana", metadata={"auth": "password"}))
        assert user is not None and (await layer.get_user("ana")).id == user.id
        thread_id = str(uuid.uuid4())
        _context(thread_id, user)
        await layer.update_thread(
            thread_id, name="Should I buy IBM?", user_id=user.id, metadata={"agent_thread": "a1b2"}
        )
        step = cl.Step(name="signal", type="tool", thread_id=thread_id)
        step.input, step.output = '{"ticker": "IBM"}', "IBM signal as of 2013-02-28: HOLD"
        await layer.create_step(step.to_dict())
        message = cl.Message(content="IBM: HOLD (as of 2013-02-28)")
        await layer.create_step(message.to_dict())
        text = cl.Text(
            name="E-risk-IBM-20130228-57d9a2d3",
            content="### risk · IBM",
            display="side",
            mime="text/plain",  # as Element.send sets it
            for_id=message.id,
            thread_id=thread_id,
        )
        card = cl.CustomElement(
            name="SignalCard",
            props={"action": "HOLD", "score": 0.544},
            for_id=message.id,
            thread_id=thread_id,
        )
        await layer.create_element(text)
        await layer.create_element(card)

        thread = await layer.get_thread(thread_id)
        assert thread is not None and thread["name"] == "Should I buy IBM?"
        assert '"agent_thread": "a1b2"' in thread["metadata"]
        steps = {s["id"]: s for s in thread["steps"]}
        assert set(steps) == {step.id, message.id}
        assert steps[step.id]["output"] == "IBM signal as of 2013-02-28: HOLD"
        assert steps[message.id]["output"] == "IBM: HOLD (as of 2013-02-28)"
        elements = {e["name"]: e for e in thread["elements"]}
        assert elements["SignalCard"]["props"] == {"action": "HOLD", "score": 0.544}  # JSON
        stored = elements["E-risk-IBM-20130228-57d9a2d3"]
        assert stored["url"].startswith(f"/signaldesk/files/{user.id}/")
        path = layer.storage_provider.path_of(stored["objectKey"])
        assert path.read_text() == "### risk · IBM"
        assert layer.storage_provider.media_type(path) == "text/plain"

        listed = await layer.list_threads(Pagination(first=10), ThreadFilter(userId=user.id))
        assert [t["id"] for t in listed.data] == [thread_id]
        await layer.delete_thread(thread_id)
        assert await layer.get_thread(thread_id) is None and not path.exists()
    finally:
        await layer.close()


def test_threads_are_saved_and_read_back(settings: Settings) -> None:
    store = chat_store(settings)
    ensure_tables(store)
    asyncio.run(_round_trip(store))


def test_element_storage_stays_in_its_folder(tmp_path: Path) -> None:
    from ui.persistence import LocalStorage, StorageKeyError

    storage = LocalStorage(tmp_path / "files")
    for key in ("../x", "u/../../x", "/etc/passwd", "u//x", "", "u/./x", "u\\..\\x"):
        with pytest.raises(StorageKeyError):
            storage.path_of(key)
    got = asyncio.run(storage.upload_file("u1/e1/IBM price", b"{}", mime="application/json"))
    assert got == {"object_key": "u1/e1/IBM price", "url": "/signaldesk/files/u1/e1/IBM%20price"}
    path = storage.path_of("u1/e1/IBM price")
    assert path.read_bytes() == b"{}" and storage.media_type(path) == "application/json"
    assert asyncio.run(storage.delete_file("u1/e1/IBM price")) is True
    assert asyncio.run(storage.delete_file("u1/e1/IBM price")) is False


async def _ownership(store: ChatStore) -> None:
    import chainlit as cl
    from chainlit.types import Feedback

    from ui.ownership import OwnershipError, acting_as

    layer = open_data_layer(store)
    try:
        chats = {}
        for name in ("ana", "bea"):
            user = await layer.create_user(cl.User(identifier=name))
            thread = str(uuid.uuid4())
            _context(thread, user)
            await layer.update_thread(thread, name=f"{name}'s", user_id=user.id)
            message = cl.Message(content=f"{name}: IBM HOLD")
            await layer.create_step(message.to_dict())
            text = cl.Text(name="note", content=name, for_id=message.id, thread_id=thread)
            await layer.create_element(text)
            chats[name] = (thread, message.id, text.id)
        (ana_thread, ana_msg, _), (bea_thread, bea_msg, bea_el) = chats["ana"], chats["bea"]
        with acting_as("bea"):
            kept = await layer.upsert_feedback(Feedback(forId=bea_msg, value=1))
        with acting_as("ana"):
            with pytest.raises(OwnershipError, match=f"message {bea_msg} is not in one of"):
                await layer.upsert_feedback(Feedback(forId=bea_msg, value=0))
            with pytest.raises(OwnershipError, match=f"feedback {kept} is about another"):
                await layer.upsert_feedback(Feedback(forId=ana_msg, value=0, id=kept))
            with pytest.raises(OwnershipError, match=f"feedback {kept} is not in one of"):
                await layer.delete_feedback(kept)
            with pytest.raises(OwnershipError, match=f"element {bea_el} is not in one of"):
                await layer.delete_element(bea_el)
            assert await layer.delete_feedback("no-such-feedback") is False
            mine = Feedback(forId=ana_msg, value=0, threadId=bea_thread)
            await layer.upsert_feedback(mine)
            assert mine.threadId == ana_thread  # the message's thread, not the one given
        _context(str(uuid.uuid4()), None)  # a session without a user: nobody's feedback
        with pytest.raises(OwnershipError):
            await layer.upsert_feedback(Feedback(forId=bea_msg, value=0))
        thread = await layer.get_thread(bea_thread)
        assert [e["id"] for e in thread["elements"]] == [bea_el]
        assert await layer.get_thread_author(bea_thread) == "bea"
        assert await layer.get_thread_author("no-such-thread") == ""
    finally:
        await layer.close()


def test_feedback_and_elements_are_written_for_their_owner_only(settings: Settings) -> None:
    store = chat_store(settings)
    ensure_tables(store)
    asyncio.run(_ownership(store))


def _put(saver: Any, thread_id: str) -> None:
    from langgraph.checkpoint.base import empty_checkpoint

    config = {"configurable": {"thread_id": thread_id, "checkpoint_ns": ""}}
    saver.put(config, empty_checkpoint(), {"source": "input", "step": -1}, {})


def _threads(saver: Any, ids: list[str]) -> list[str]:
    def has(tid: str) -> bool:
        return (
            saver.get_tuple({"configurable": {"thread_id": tid, "checkpoint_ns": ""}}) is not None
        )

    return [tid for tid in ids if has(tid)]


async def _delete_chat(store: ChatStore, agent: Any, chat: str) -> bool:
    import chainlit as cl

    from ui.threads import forget_chat

    layer = open_data_layer(store, forget=lambda c: forget_chat(agent, c))
    try:
        user = await layer.create_user(cl.User(identifier="ana"))
        _context(chat, user)
        await layer.update_thread(chat, name="IBM", user_id=user.id)
        await layer.delete_thread(chat)
        return await layer.get_thread(chat) is None
    finally:
        await layer.close()


def test_deleting_a_chat_deletes_its_agent_threads(settings: Settings) -> None:
    from agent.memory import open_checkpointer
    from ui.threads import agent_thread_for, fork_briefing, fork_id

    store = chat_store(settings)
    ensure_tables(store)
    chat, other = str(uuid.uuid4()), str(uuid.uuid4())
    brief = f"brief-20130228-{uuid.uuid4().hex[:8]}-IBM"
    with open_checkpointer(settings) as saver:
        agent = SimpleNamespace(graph=SimpleNamespace(checkpointer=saver))
        for tid in (agent_thread_for(chat), agent_thread_for(other), brief):
            _put(saver, tid)
        forks = [fork_id(chat, brief), fork_id(chat, brief + "-2"), fork_id(other, brief)]
        assert all(fork_briefing(agent, brief, f) for f in forks)  # type: ignore[arg-type]
        ids = [agent_thread_for(chat), *forks, agent_thread_for(other), brief]
        assert _threads(saver, ids) == ids
        assert asyncio.run(_delete_chat(store, agent, chat))
        kept = [fork_id(other, brief), agent_thread_for(other), brief]
        assert _threads(saver, ids) == kept  # the other chat's and the briefing's stay
        for tid in kept:
            saver.delete_thread(tid)
