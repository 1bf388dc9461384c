"""Two chat users over every HTTP route: nothing answers without a session but health and the
login page, and ana can neither list, read, rename, delete or download bea's threads and
elements, nor attach, replace or delete feedback on bea's messages."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from core.settings import load_settings
from ui.auth import hash_password
from ui.datalayer import chat_store, open_data_layer
from ui.server import prepare_app_root

PASSWORD = "correct horse battery"
# answered without a session, and why: the login page and what it loads, the login itself
PUBLIC = {
    "/healthz",  # probes
    "/readyz",
    "/metrics",  # Prometheus (counts and gauges, nothing of anyone's threads)
    "/health",  # Chainlit's liveness probe: {"status": "ok"}, nothing else
    "/",
    "/{full_path:path}",  # the single-page app's index.html (the login page)
    "/public/{filename:path}",
    "/assets/{filename:path}",
    "/copilot/{filename:path}",
    "/favicon",
    "/logo",
    "/avatars/{avatar_id:str}",  # the page's static files
    "/auth/config",
    "/login",
    "/logout",
    "/auth/jwt",
    "/auth/header",
    "/set-session-cookie",
    "/auth/oauth/{provider_id}",
    "/auth/oauth/{provider_id}/callback",
    "/auth/oauth/azure-ad-hybrid/callback",  # logging in
    "/project/translations",  # the login page's words
}


@dataclass
class Chat:
    """A user's saved chat: its thread, a message, an element and feedback on the message."""

    user_id: str
    thread: str
    message: str
    element: str
    feedback: str
    object_key: str


def _context(thread_id: str, user: object) -> None:
    from chainlit.context import ChainlitContext, context_var
    from chainlit.session import HTTPSession

    session = HTTPSession(
        id=str(uuid.uuid4()), thread_id=thread_id, user=user, client_type="webapp"
    )  # type: ignore[arg-type]
    context_var.set(ChainlitContext(session))


async def _save_chat(store: Any, identifier: str) -> Chat:
    """A chat of ``identifier`` saved as the app saves one (own data layer, own event loop)."""
    import chainlit as cl
    from chainlit.types import Feedback

    from ui.ownership import acting_as

    layer = open_data_layer(store)
    try:
        user = await layer.get_user(identifier)
        thread = str(uuid.uuid4())
        _context(thread, user)
        await layer.update_thread(thread, name=f"{identifier}'s IBM", user_id=user.id)
        message = cl.Message(content=f"{identifier}: IBM is a HOLD")
        await layer.create_step(message.to_dict())
        text = cl.Text(name="E-risk-IBM", content=f"{identifier}'s note", display="side")
        text.for_id, text.thread_id, text.mime = message.id, thread, "text/plain"
        await layer.create_element(text)
        with acting_as(identifier):
            feedback = await layer.upsert_feedback(Feedback(forId=message.id, value=1))
        key = f"{user.id}/{text.id}/E-risk-IBM"
        return Chat(user.id, thread, message.id, text.id, feedback, key)
    finally:
        await layer.close()


async def _nothing(*args: Any) -> None:
    return None


@pytest.fixture
def two_users(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[tuple[Any, Any, Callable[..., Any]]]:
    """Clients logged in as ana and bea on one app, and a reader of the chat database."""
    import chainlit.data
    from chainlit.config import config
    from fastapi.testclient import TestClient

    from ui.server import build_app

    monkeypatch.setenv("CHAINLIT_AUTH_SECRET", "test-secret-" + "x" * 40)
    users = ",".join(f"{u}:{hash_password(PASSWORD)}" for u in ("ana", "bea"))
    settings = load_settings(home=tmp_path / "home", sources=["bundled"], ui_users=users)
    monkeypatch.setenv("CHAINLIT_APP_ROOT", str(prepare_app_root(settings)))
    monkeypatch.setattr(chainlit.data, "_data_layer", None)
    monkeypatch.setattr(chainlit.data, "_data_layer_initialized", False)
    app = build_app(settings)
    clients = []
    for name in ("ana", "bea"):
        client = TestClient(app)
        assert client.post("/login", data={"username": name, "password": PASSWORD}).is_success
        clients.append(client)
    store = chat_store(settings)

    def rows(query: str, **params: Any) -> list[Any]:
        from data.store import make_engine

        engine = make_engine(store.sync_url)
        try:
            with engine.connect() as conn:
                return list(conn.execute(sa.text(query), params).mappings())
        finally:
            engine.dispose()

    rows.store = store  # type: ignore[attr-defined]
    yield clients[0], clients[1], rows
    monkeypatch.setattr(config.code, "password_auth_callback", None)
    monkeypatch.setattr(config.code, "header_auth_callback", None)


def test_every_route_but_health_and_login_needs_a_session(
    two_users: tuple[Any, Any, Callable[..., Any]],
) -> None:
    from fastapi.routing import APIRoute
    from fastapi.testclient import TestClient

    def routes(router: Any) -> Iterator[Any]:
        for route in router.routes:
            if (included := getattr(route, "original_router", None)) is not None:
                yield from routes(included)
            else:
                yield route

    ana, _, _ = two_users
    anonymous = TestClient(ana.app)
    checked = []
    for route in routes(ana.app.router):
        if route.path in PUBLIC or route.path == "/ws/socket.io":  # its connect checks logins
            continue
        assert isinstance(route, APIRoute), route.path
        path = route.path.replace("{key:path}", "u/e/x")
        path = path.replace("{thread_id}", "t1").replace("{element_id}", "e1")
        path = path.replace("{file_id}", "f1")
        for method in route.methods - {"HEAD"}:
            got = anonymous.request(method, path, params={"session_id": "s"}, json={})
            assert got.status_code == 401, (method, path, got.status_code, got.text)
            checked.append(f"{method} {route.path}")
    assert {"PUT /feedback", "DELETE /feedback", "POST /project/action"} <= set(checked)
    assert {"GET /signaldesk/files/{key:path}", "GET /project/thread/{thread_id}"} <= set(checked)
    assert anonymous.get("/healthz").status_code == 200
    for docs in ("/docs", "/redoc", "/openapi.json"):  # they listed every route to anyone
        got = anonymous.get(docs)  # now the chat's page, which asks for a login
        assert got.headers["content-type"].startswith("text/html"), docs
        assert "swagger" not in got.text.lower() and "/project/thread" not in got.text


def test_a_user_cannot_reach_another_users_threads_or_elements(
    two_users: tuple[Any, Any, Callable[..., Any]],
) -> None:
    ana, bea, rows = two_users
    theirs = asyncio.run(_save_chat(rows.store, "bea"))
    mine = asyncio.run(_save_chat(rows.store, "ana"))
    page = {"pagination": {"first": 20}, "filter": {}}
    assert [t["id"] for t in ana.post("/project/threads", json=page).json()["data"]] == [
        mine.thread
    ]
    assert [t["id"] for t in bea.post("/project/threads", json=page).json()["data"]] == [
        theirs.thread
    ]
    assert ana.get(f"/project/thread/{theirs.thread}").status_code == 401
    assert bea.get(f"/project/thread/{theirs.thread}").json()["id"] == theirs.thread
    assert ana.get(f"/project/thread/{uuid.uuid4()}").status_code == 404  # not a 500
    element = f"/project/thread/{theirs.thread}/element/{theirs.element}"
    assert ana.get(element).status_code == 401
    # her own thread's id with bea's element: nothing
    assert ana.get(f"/project/thread/{mine.thread}/element/{theirs.element}").json() is None
    renamed = ana.put("/project/thread", json={"threadId": theirs.thread, "name": "mine now"})
    assert renamed.status_code == 401
    gone = ana.request("DELETE", "/project/thread", json={"threadId": theirs.thread})
    assert gone.status_code == 401
    assert rows("SELECT name FROM threads WHERE id = :t", t=theirs.thread) == [
        {"name": "bea's IBM"}
    ]
    assert ana.get(f"/signaldesk/files/{theirs.object_key}").status_code == 403
    got = bea.get(f"/signaldesk/files/{theirs.object_key}")
    assert got.status_code == 200 and got.text == "bea's note"


def test_a_user_cannot_attach_or_delete_feedback_on_another_users_messages(
    two_users: tuple[Any, Any, Callable[..., Any]],
) -> None:
    ana, bea, rows = two_users
    theirs = asyncio.run(_save_chat(rows.store, "bea"))
    mine = asyncio.run(_save_chat(rows.store, "ana"))

    def feedback(**fields: Any) -> dict[str, Any]:
        return {"feedback": {"value": 0, **fields}, "sessionId": "s"}

    put = ana.put("/feedback", json=feedback(forId=theirs.message, threadId=mine.thread))
    assert put.status_code == 403
    assert put.json() == {"detail": f"message {theirs.message} is not in one of your chats"}
    # replacing bea's feedback (by its id) through a message of her own
    put = ana.put("/feedback", json=feedback(forId=mine.message, id=theirs.feedback))
    assert put.status_code == 403
    assert put.json() == {"detail": f"feedback {theirs.feedback} is about another message"}
    deleted = ana.request("DELETE", "/feedback", json={"feedbackId": theirs.feedback})
    assert deleted.status_code == 403
    assert rows('SELECT "forId", value FROM feedbacks WHERE id = :f', f=theirs.feedback) == [
        {"forId": theirs.message, "value": 1}
    ]
    # on her own message, with a forged thread: stored on the message's thread
    put = ana.put("/feedback", json=feedback(forId=mine.message, threadId=theirs.thread))
    assert put.status_code == 200
    stored = rows(
        'SELECT "threadId", value FROM feedbacks WHERE id = :f', f=put.json()["feedbackId"]
    )
    assert stored == [{"threadId": mine.thread, "value": 0}]
    deleted = bea.request("DELETE", "/feedback", json={"feedbackId": theirs.feedback})
    assert deleted.status_code == 200
    assert rows("SELECT id FROM feedbacks WHERE id = :f", f=theirs.feedback) == []


def test_a_user_cannot_update_or_delete_another_users_elements(
    two_users: tuple[Any, Any, Callable[..., Any]],
) -> None:
    """``/project/element`` checks the session's user, but the element is the client's word."""
    from chainlit.session import WebsocketSession

    ana, _, rows = two_users
    theirs = asyncio.run(_save_chat(rows.store, "bea"))
    mine = asyncio.run(_save_chat(rows.store, "ana"))
    user = ana.get("/user").json()
    from chainlit.user import PersistedUser

    session = WebsocketSession(
        id=str(uuid.uuid4()),
        socket_id="sid-ana",
        emit=_nothing,
        emit_call=_nothing,
        user_env={},
        client_type="webapp",
        thread_id=mine.thread,
        user=PersistedUser(**user),
    )
    session.has_first_interaction = True
    try:
        forged = {
            "id": theirs.element,
            "type": "custom",
            "name": "SignalCard",
            "display": "inline",
            "forId": mine.message,
            "threadId": mine.thread,
            "props": {"action": "STRONG BUY"},
        }
        body = {"element": forged, "sessionId": session.id}
        put = ana.put("/project/element", json=body)
        assert put.status_code == 403
        assert put.json() == {"detail": f"element {theirs.element} belongs to another chat"}
        deleted = ana.request("DELETE", "/project/element", json=body)
        assert deleted.status_code == 403
        assert deleted.json() == {"detail": f"element {theirs.element} belongs to another chat"}
        body["element"] = {**forged, "threadId": theirs.thread}  # naming her thread: hers
        deleted = ana.request("DELETE", "/project/element", json=body)
        assert deleted.status_code == 403
        assert deleted.json() == {"detail": f"element {theirs.element} is not in one of your chats"}
        assert rows('SELECT "threadId", name FROM elements WHERE id = :e', e=theirs.element) == [
            {"threadId": theirs.thread, "name": "E-risk-IBM"}
        ]
    finally:
        asyncio.run(session.delete())


def test_a_user_cannot_use_another_users_session_or_open_her_thread(
    two_users: tuple[Any, Any, Callable[..., Any]],
) -> None:
    """Actions, session files and uploads name a websocket session: bea's refuses ana; the
    socket refuses to connect ana to bea's thread (what resuming it from the sidebar does)."""
    from chainlit.session import WebsocketSession
    from chainlit.socket import connect
    from chainlit.user import PersistedUser

    ana, bea, rows = two_users
    theirs = asyncio.run(_save_chat(rows.store, "bea"))
    mine = asyncio.run(_save_chat(rows.store, "ana"))
    session = WebsocketSession(
        id=str(uuid.uuid4()),
        socket_id="sid-bea",
        emit=_nothing,
        emit_call=_nothing,
        user_env={},
        client_type="webapp",
        thread_id=theirs.thread,
        user=PersistedUser(**bea.get("/user").json()),
    )
    try:
        action = {"name": "open_briefing", "payload": {"ticker": "IBM", "as_of": "2013-02-28"}}
        action |= {"id": "a1", "forId": theirs.message}
        got = ana.post("/project/action", json={"action": action, "sessionId": session.id})
        assert got.status_code == 401
        got = ana.get("/project/file/f1", params={"session_id": session.id})
        assert got.status_code == 401
        assert got.json()["detail"] == "You are not authorized to download files from this session"
        got = ana.post(
            "/project/file",
            params={"session_id": session.id},
            files={"file": ("note.txt", b"hello", "text/plain")},
        )
        assert got.status_code == 401
    finally:
        asyncio.run(session.delete())
    got = ana.get(f"/project/share/{theirs.thread}")  # sharing is off, and she shared nothing
    assert got.status_code == 404

    async def connecting(client: Any, thread: str) -> bool:
        environ = {"HTTP_COOKIE": f"access_token={client.cookies['access_token']}"}
        auth = {"threadId": thread, "sessionId": str(uuid.uuid4()), "clientType": "webapp"}
        connected = await connect(f"sid-{uuid.uuid4()}", environ, auth)  # type: ignore[arg-type]
        if (opened := WebsocketSession.get_by_id(auth["sessionId"])) is not None:
            await opened.delete()
        return bool(connected)

    with pytest.raises(ConnectionRefusedError, match="authorization failed"):
        asyncio.run(connecting(ana, theirs.thread))
    assert asyncio.run(connecting(ana, mine.thread)) is True
