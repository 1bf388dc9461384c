"""Logins and sessions of the chat: rate-limited logins, tokens taken back by logout and by
removing a user, proxy headers only from trusted addresses (in-process, on ``make_client``)."""

from __future__ import annotations

import asyncio
import json
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jwt
import pytest

from ui.auth import Logins, hash_password
from ui.gate import WRONG_LOGIN
from ui.tokens import InvalidToken, Sessions

PASSWORD = "correct horse battery"
SECRET = "s" * 40
ANA = hash_password(PASSWORD, salt=b"ana-salt-1234567")


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


def _sessions(users: dict[str, str], tmp_path: Path, clock: Clock, header: str | None = None):
    return Sessions(
        Logins(users=users, header=header),
        secret=lambda: SECRET,
        lifetime_s=3600,
        revoked_file=tmp_path / "ui" / "revoked.json",
        clock=clock,
    )


def _user(name: str, how: str = "password") -> dict[str, Any]:
    return {"identifier": name, "display_name": None, "metadata": {"auth": how}}


def test_tokens_carry_an_id_and_are_checked(tmp_path: Path) -> None:
    clock = Clock()
    sessions = _sessions({"ana": ANA}, tmp_path, clock)
    token = sessions.issue(_user("ana"))
    claims = jwt.decode(token, SECRET, algorithms=["HS256"], options={"verify_exp": False})
    assert claims["iat"] == int(clock.now) and claims["exp"] == int(clock.now) + 3600
    assert len(claims["jti"]) >= 16 and len(claims["uv"]) == 16
    assert sessions.check(token) == _user("ana")
    assert sessions.issue(_user("ana")) != token  # a new id per login
    clock.now += 3601
    with pytest.raises(InvalidToken, match="expired"):
        sessions.check(token)


def test_forged_and_chainlit_style_tokens_are_refused(tmp_path: Path) -> None:
    sessions = _sessions({"ana": ANA}, tmp_path, Clock())
    claims = dict(_user("ana"), iat=1, exp=2_000_000_000, jti="x" * 20)
    with pytest.raises(InvalidToken, match="invalid token"):
        sessions.check(jwt.encode(claims, "another secret of forty characters......"))
    without_id = dict(_user("ana"), iat=1, exp=2_000_000_000)  # what Chainlit issues
    with pytest.raises(InvalidToken, match="jti"):
        sessions.check(jwt.encode(without_id, SECRET))


def test_logout_revokes_and_survives_a_restart(tmp_path: Path) -> None:
    clock = Clock()
    sessions = _sessions({"ana": ANA}, tmp_path, clock)
    token, other = sessions.issue(_user("ana")), sessions.issue(_user("ana"))
    assert sessions.revoke(token) and not sessions.revoke("not-a-token")
    with pytest.raises(InvalidToken, match="logged out"):
        sessions.check(token)
    assert sessions.check(other)["identifier"] == "ana"  # another login of hers stays
    saved = tmp_path / "ui" / "revoked.json"
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert list(json.loads(saved.read_text()).values()) == [int(clock.now) + 3600]
    restarted = _sessions({"ana": ANA}, tmp_path, clock)
    with pytest.raises(InvalidToken, match="logged out"):
        restarted.check(token)
    clock.now += 7200  # expired ids are dropped from the list when it is next written
    restarted.revoke(restarted.issue(_user("ana")))
    assert len(json.loads(saved.read_text())) == 1


def test_removing_a_user_or_changing_her_password_revokes_at_once(tmp_path: Path) -> None:
    clock = Clock()
    token = _sessions({"ana": ANA}, tmp_path, clock).issue(_user("ana"))
    with pytest.raises(InvalidToken, match="'ana' can no longer log in"):
        _sessions({"bob": ANA}, tmp_path, clock).check(token)
    changed = {"ana": hash_password("a new password", salt=b"ana-salt-7654321")}
    with pytest.raises(InvalidToken, match="'ana' can no longer log in"):
        _sessions(changed, tmp_path, clock).check(token)
    header = _sessions({}, tmp_path, clock, header="X-User").issue(_user("bob", "header"))
    with pytest.raises(InvalidToken, match="no longer enabled"):
        _sessions({"ana": ANA}, tmp_path, clock).check(header)


def _users() -> str:
    return f"ana:{ANA}"


def _login(client: Any, name: str = "ana", password: str = PASSWORD) -> Any:
    return client.post("/login", data={"username": name, "password": password})


def test_logout_ends_the_session(make_client: Callable[..., Any]) -> None:
    client = make_client(ui_users=_users())
    assert _login(client).status_code == 200
    token = client.cookies["access_token"]
    assert client.get("/user").json()["identifier"] == "ana"
    assert client.post("/logout").json() == {"success": True}
    assert "access_token" not in client.cookies
    replay = client.get("/user", headers={"Authorization": f"Bearer {token}"})
    assert replay.status_code == 401  # the stolen or kept token no longer works
    client.cookies.set("access_token", token)
    threads = client.post("/project/threads", json={"pagination": {"first": 1}, "filter": {}})
    assert threads.status_code == 401
    import chainlit.auth
    from fastapi import HTTPException

    with pytest.raises(HTTPException) as err:  # what the chat's socket connection calls
        asyncio.run(chainlit.auth.get_current_user(token=token))
    assert err.value.status_code == 401


def test_a_removed_user_is_logged_out_at_once(make_client: Callable[..., Any]) -> None:
    client = make_client(ui_users=_users())
    assert _login(client).status_code == 200
    token = client.cookies["access_token"]
    bob = f"bob:{hash_password('bob-pw', salt=b'bob-salt-1234567')}"
    after = make_client(ui_users=bob)  # restarted without ana
    got = after.get("/user", headers={"Authorization": f"Bearer {token}"})
    assert got.status_code == 401


def test_wrong_passwords_are_rate_limited_per_user(make_client: Callable[..., Any]) -> None:
    client = make_client(ui_users=_users())
    limiter = client.app.state.signaldesk_limiter
    now = [5000.0]
    limiter.clock = lambda: now[0]
    codes = [_login(client, password=f"guess {i}").status_code for i in range(6)]
    assert codes == [401] * 5 + [401]  # 5 free, the 6th counts and locks for 1 s
    locked = _login(client)  # even the right password waits
    assert locked.status_code == 429 and locked.headers["Retry-After"] == "1"
    assert locked.json()["detail"] == "too many failed logins: try again in 1 s"
    now[0] += 1.0
    wrong = _login(client, password="guess 6")
    assert wrong.status_code == 401 and wrong.json()["detail"] == WRONG_LOGIN  # a sentence
    assert _login(client).headers["Retry-After"] == "2"  # doubled
    now[0] += 2.0
    assert _login(client).status_code == 200


def test_wrong_passwords_are_rate_limited_per_address(make_client: Callable[..., Any]) -> None:
    client = make_client(ui_users=_users(), client=("198.51.100.7", 40000))
    limiter = client.app.state.signaldesk_limiter
    limiter.clock = lambda: 5000.0
    codes = [_login(client, name=f"user{i}", password="x").status_code for i in range(21)]
    assert codes == [401] * 21
    assert _login(client, name="user99", password="x").status_code == 429
    assert limiter.wait("ana", "198.51.100.8") == 0.0  # another address is not locked


def test_forwarded_address_counts_only_behind_a_trusted_proxy(
    make_client: Callable[..., Any],
) -> None:
    client = make_client(ui_users=_users(), ui_trusted_proxies="127.0.0.1")
    limiter = client.app.state.signaldesk_limiter
    limiter.clock = lambda: 5000.0
    for i in range(21):
        client.post(
            "/login",
            data={"username": f"u{i}", "password": "x"},
            headers={"X-Forwarded-For": "203.0.113.1, 192.0.2.9"},
        )
    assert limiter.wait("nobody", "192.0.2.9") > 0  # the proxy's last hop
    assert limiter.wait("nobody", "127.0.0.1") == 0.0  # the proxy itself is not locked
    direct = make_client(ui_users=_users(), client=("198.51.100.7", 40000))
    limiter = direct.app.state.signaldesk_limiter
    limiter.clock = lambda: 5000.0
    forged = {"X-Forwarded-For": "1.2.3.4"}
    direct.post("/login", data={"username": "u", "password": "x"}, headers=forged)
    assert set(limiter.addresses.records) == {"198.51.100.7"}  # a forged header is ignored


def test_forged_proxy_header_from_an_untrusted_address_is_refused(
    make_client: Callable[..., Any],
) -> None:
    outside = make_client(ui_header_auth="X-Forwarded-User", client=("203.0.113.9", 40000))
    got = outside.post("/auth/header", headers={"X-Forwarded-User": "ana"})
    assert got.status_code == 403 and "access_token" not in outside.cookies
    assert got.json()["detail"] == "not from a trusted proxy address"
    proxy = make_client(
        ui_header_auth="X-Forwarded-User",
        ui_trusted_proxies="10.0.0.0/24",
        client=("10.0.0.5", 40000),
    )
    assert proxy.post("/auth/header", headers={"X-Forwarded-User": "ana"}).status_code == 200
    assert proxy.get("/user").json()["identifier"] == "ana"


def test_logout_drops_the_chat_sockets_opened_with_its_token(
    make_client: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from types import SimpleNamespace

    import chainlit.server
    from chainlit.session import ws_sessions_id

    client = make_client(ui_users=_users())
    assert _login(client).status_code == 200
    token = client.cookies["access_token"]
    other = make_client(ui_users=_users())  # another login of hers, another browser
    assert _login(other).status_code == 200
    for sid, tok in [("sock-1", token), ("sock-2", other.cookies["access_token"])]:
        monkeypatch.setitem(ws_sessions_id, sid, SimpleNamespace(socket_id=sid, token=tok))
    dropped: list[str] = []

    async def disconnect(sid: str, **_: Any) -> None:
        dropped.append(sid)

    monkeypatch.setattr(chainlit.server.sio, "disconnect", disconnect)
    assert client.post("/logout").json() == {"success": True}
    assert dropped == ["sock-1"]  # the open chat of this login ends; the other login's stays
