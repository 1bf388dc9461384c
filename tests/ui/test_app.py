"""The chat's handlers with two users: opening a briefing ticker takes no thread id from the
client and gives each chat its own fork of the briefing thread; resuming a chat never adopts an
agent thread it does not own."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from core.settings import load_settings
from data.store import Briefing
from ui.server import prepare_app_root

AS_OF = dt.date(2013, 2, 28)
BRIEF = "brief-20130228-abcd1234-IBM"


class _Screen:
    """What the handlers sent: each message's text, in order."""

    def __init__(self) -> None:
        self.texts: list[str] = []


def _enter(screen: _Screen, user: Any, chat: str) -> Any:
    """A Chainlit context for ``user`` in the chat ``chat``, its messages going to ``screen``."""
    from chainlit.context import ChainlitContext, context_var
    from chainlit.emitter import BaseChainlitEmitter
    from chainlit.session import HTTPSession

    class Emitter(BaseChainlitEmitter):
        async def send_step(self, step_dict: Any) -> None:
            if step_dict.get("type") in ("assistant_message", "user_message"):
                screen.texts.append(str(step_dict.get("output") or ""))

    session = HTTPSession(id=str(uuid.uuid4()), thread_id=chat, user=user, client_type="webapp")  # type: ignore[arg-type]
    context_var.set(ChainlitContext(session, emitter=Emitter(session)))
    return session


@pytest.fixture
def runtime(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Any]:
    """The chat built on a temp home with two password users, and IBM's briefing thread."""
    import chainlit.data
    from chainlit.config import config

    from ui.auth import hash_password
    from ui.runtime import OFFLINE, current
    from ui.server import build_app

    monkeypatch.setenv("CHAINLIT_AUTH_SECRET", "test-secret-" + "x" * 40)
    users = ",".join(f"{u}:{hash_password('pw-' + u * 8)}" for u in ("ana", "bea"))
    settings = load_settings(home=tmp_path / "home", sources=["bundled"], ui_users=users)
    monkeypatch.setenv("CHAINLIT_APP_ROOT", str(prepare_app_root(settings)))
    monkeypatch.setattr(chainlit.data, "_data_layer", None)
    monkeypatch.setattr(chainlit.data, "_data_layer_initialized", False)
    build_app(settings)
    rt = current()
    rt.agent(OFFLINE).ask("Should I buy IBM?", as_of=AS_OF, thread_id=BRIEF)
    ticker = {"ticker": "IBM", "status": "ok", "action": "HOLD", "score": 0.5, "thread_id": BRIEF}
    with rt.engine.begin() as conn:
        conn.execute(
            sa.insert(Briefing.__table__).values(
                watchlist_key="IBM",
                as_of=AS_OF,
                created_at=dt.datetime(2013, 3, 1, 7, tzinfo=dt.UTC),
                payload={"as_of": "2013-02-28", "watchlist": ["IBM"], "tickers": [ticker]},
                report_dir=None,
            )
        )
    yield rt
    monkeypatch.setattr(config.code, "password_auth_callback", None)


def _questions(rt: Any, agent_thread: str) -> list[str]:
    """The user questions stored in an agent thread, oldest first."""
    from ui.runtime import OFFLINE

    state = rt.agent(OFFLINE).graph.get_state({"configurable": {"thread_id": agent_thread}})
    return [str(m.content) for m in state.values.get("messages", []) if m.type == "human"]


async def _new_chat(layer: Any, screen: _Screen, name: str) -> tuple[Any, str]:
    import chainlit as cl

    from ui import app

    user = await layer.get_user(name) or await layer.create_user(cl.User(identifier=name))
    chat = str(uuid.uuid4())
    _enter(screen, user, chat)
    await layer.update_thread(chat, name=f"{name}'s chat", user_id=user.id)
    await app._start()
    return user, chat


def test_open_briefing_takes_no_thread_id_and_forks_the_briefing_per_chat(runtime: Any) -> None:
    import chainlit as cl
    from chainlit.data import get_data_layer

    from ui import app
    from ui.threads import agent_thread_for, fork_id

    briefing_questions = _questions(runtime, BRIEF)
    assert briefing_questions == ["Should I buy IBM?"]

    async def scenario() -> None:
        layer = get_data_layer()
        screen = _Screen()
        _, bea_chat = await _new_chat(layer, screen, "bea")
        await app._message(cl.Message(content="What is AAPL's 99% one-day VaR?"))
        bea_thread = agent_thread_for(bea_chat)
        assert _questions(runtime, bea_thread) == ["What is AAPL's 99% one-day VaR?"]

        # ana forges bea's agent thread into the action: refused, nothing read or written
        _, ana_chat = await _new_chat(layer, screen, "ana")
        screen.texts.clear()
        forged = {"ticker": "IBM", "as_of": "2013-02-28", "thread_id": bea_thread}
        await app._open_briefing(cl.Action(name="open_briefing", payload=forged))
        assert screen.texts == [
            "Not opened: refused: a briefing is opened by its date and ticker only, "
            "not by thread_id."
        ]
        assert cl.user_session.get("agent_thread") == agent_thread_for(ana_chat)
        await app._message(cl.Message(content="and its VaR?"))
        assert _questions(runtime, bea_thread) == ["What is AAPL's 99% one-day VaR?"]

        # by date and ticker: her own fork of the briefing thread, and her follow-up there
        ana_chat2 = (await _new_chat(layer, screen, "ana"))[1]
        screen.texts.clear()
        payload = {"ticker": "IBM", "as_of": "2013-02-28"}
        await app._open_briefing(cl.Action(name="open_briefing", payload=payload))
        ana_fork = fork_id(ana_chat2, BRIEF)
        assert cl.user_session.get("agent_thread") == ana_fork
        assert any("IBM" in text for text in screen.texts)
        assert screen.texts[-1].startswith("This chat continues IBM's briefing thread")
        saved = await layer.get_thread(ana_chat2)
        assert f'"agent_thread": "{ana_fork}"' in saved["metadata"]
        await app._message(cl.Message(content="and its VaR?"))
        assert _questions(runtime, ana_fork) == ["Should I buy IBM?", "and its VaR?"]
        assert _questions(runtime, BRIEF) == briefing_questions  # never written

        # bea opens the same ticker: her own fork, without ana's follow-up
        bea_chat2 = (await _new_chat(layer, screen, "bea"))[1]
        await app._open_briefing(cl.Action(name="open_briefing", payload=payload))
        bea_fork = fork_id(bea_chat2, BRIEF)
        assert cl.user_session.get("agent_thread") == bea_fork != ana_fork
        assert _questions(runtime, bea_fork) == ["Should I buy IBM?"]

        screen.texts.clear()
        for bad, said in [
            (
                {"ticker": "MSFT", "as_of": "2013-02-28"},
                "No MSFT explanation in the 2013-02-28 briefing.",
            ),
            (
                {"ticker": "IBM", "as_of": "yesterday"},
                "Not opened: refused: as-of 'yesterday' is not a date: use YYYY-MM-DD.",
            ),
            (
                {"ticker": "ibm; drop", "as_of": "2013-02-28"},
                "Not opened: refused: 'ibm; drop' is not a ticker.",
            ),
        ]:
            await app._open_briefing(cl.Action(name="open_briefing", payload=bad))
            assert screen.texts.pop() == said
        assert cl.user_session.get("agent_thread") == bea_fork

    asyncio.run(scenario())


def test_resume_never_adopts_an_agent_thread_the_chat_does_not_own(runtime: Any) -> None:
    from chainlit.data import get_data_layer
    from chainlit.socket import resume_thread
    from chainlit.user_session import user_sessions

    from ui import app
    from ui.threads import agent_thread_for, fork_id

    async def resumed(user: Any, chat: str, saved: str) -> Any:
        session = _enter(_Screen(), user, chat)
        user_sessions[session.id] = {"agent_thread": saved}  # as Chainlit restores metadata
        thread = await get_data_layer().get_thread(chat)
        await app._resume(thread)
        return user_sessions[session.id]["agent_thread"]

    async def scenario() -> None:
        layer = get_data_layer()
        screen = _Screen()
        ana, ana_chat = await _new_chat(layer, screen, "ana")
        bea, bea_chat = await _new_chat(layer, screen, "bea")
        ana_fork = fork_id(ana_chat, BRIEF)
        # metadata naming another chat's thread, its fork, or the shared briefing thread
        for forged in (agent_thread_for(ana_chat), ana_fork, BRIEF, ana_fork + "x", "~"):
            assert await resumed(bea, bea_chat, forged) == agent_thread_for(bea_chat)
        assert await resumed(ana, ana_chat, ana_fork) == ana_fork  # her own fork: kept
        # and Chainlit resumes a chat for its author only
        session = _enter(_Screen(), ana, str(uuid.uuid4()))
        session.thread_id_to_resume = bea_chat
        assert await resume_thread(session) is None  # type: ignore[arg-type]
        session.thread_id_to_resume = ana_chat
        assert (await resume_thread(session))["id"] == ana_chat  # type: ignore[arg-type,index]

    asyncio.run(scenario())
