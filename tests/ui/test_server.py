"""The chat's server in-process: logins (password and proxy header), /healthz, the stored
element route, and the Chainlit folder (the ``make_client`` fixture is in conftest.py)."""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from core.settings import Settings, SettingsError, load_settings
from ui.auth import hash_password
from ui.server import auth_secret, prepare_app_root

PASSWORD = "correct horse battery"


def _users() -> str:
    return f"ana:{hash_password(PASSWORD)}"


def test_password_login(make_client: Callable[..., Any]) -> None:
    client = make_client(ui_users=_users())
    assert client.get("/auth/config").json()["passwordAuth"] is True
    assert client.get("/auth/config").json()["requireLogin"] is True
    assert client.get("/user").status_code == 401
    bad = client.post("/login", data={"username": "ana", "password": "wrong"})
    assert bad.status_code == 401 and "access_token" not in client.cookies
    nobody = client.post("/login", data={"username": "mallory", "password": PASSWORD})
    assert nobody.status_code == 401
    ok = client.post("/login", data={"username": "ana", "password": PASSWORD})
    assert ok.status_code == 200 and ok.json() == {"success": True}
    assert "access_token" in client.cookies
    me = client.get("/user").json()
    assert me["identifier"] == "ana" and me["metadata"] == {"auth": "password"}


def test_header_login(make_client: Callable[..., Any]) -> None:
    client = make_client(ui_header_auth="X-Forwarded-User")
    config = client.get("/auth/config").json()
    assert config["headerAuth"] is True and config["passwordAuth"] is False
    assert client.post("/auth/header").status_code == 401
    ok = client.post("/auth/header", headers={"X-Forwarded-User": "ana@example.com"})
    assert ok.status_code == 200
    assert client.get("/user").json()["identifier"] == "ana@example.com"
    assert client.post("/login", data={"username": "ana", "password": "x"}).status_code == 400


def test_healthz(make_client: Callable[..., Any], monkeypatch: pytest.MonkeyPatch) -> None:
    client = make_client(ui_users=_users())
    got = client.get("/healthz")  # no login needed: for probes
    assert got.status_code == 200
    body = got.json()
    assert body["status"] == "ok" and body["models"] == ["offline"]
    assert body["checks"] == {"database": "ok", "chat_history": "ok"}

    import data.store
    from data.store import StoreUnavailableError

    def down(engine: Any) -> None:
        raise StoreUnavailableError("cannot reach database sqlite:///x: disk I/O error")

    monkeypatch.setattr(data.store, "ping", down)
    got = client.get("/healthz")  # liveness: a database outage must not restart the chat
    assert got.status_code == 200 and got.json()["status"] == "degraded"
    assert got.json()["checks"]["database"].startswith("error: cannot reach database")
    assert client.get("/readyz").status_code == 503  # readiness takes it out of rotation


def test_stored_elements_are_served_to_their_owner_only(
    make_client: Callable[..., Any], tmp_path: Path
) -> None:
    client = make_client(ui_users=_users())
    assert client.get("/signaldesk/files/u/e/x").status_code == 401
    client.post("/login", data={"username": "ana", "password": PASSWORD})
    owner = client.get("/user").json()["id"]
    folder = tmp_path / "home" / "ui" / "files" / owner / "e1"
    folder.mkdir(parents=True)
    (folder / "IBM VaR").write_text('{"data": []}')
    (folder / "IBM VaR.mime").write_text("application/json")
    got = client.get(f"/signaldesk/files/{owner}/e1/IBM%20VaR")
    assert got.status_code == 200 and got.json() == {"data": []}
    assert got.headers["content-type"] == "application/json"
    assert client.get(f"/signaldesk/files/{owner}/e1/missing").status_code == 404
    assert client.get("/signaldesk/files/someone-else/e1/IBM%20VaR").status_code == 403
    assert client.get(f"/signaldesk/files/{owner}/../{owner}/e1/x").status_code in (400, 404)


def test_app_root_and_secret(tmp_path: Path) -> None:
    settings = load_settings(home=tmp_path / "home")
    root = prepare_app_root(settings)
    assert root == (tmp_path / "home" / "ui").resolve()
    assert 'name = "SignalDesk"' in (root / ".chainlit" / "config.toml").read_text()
    assert (root / "public" / "elements" / "SignalCard.jsx").is_file()
    assert (root / "public" / "logo_light.svg").is_file()
    secret = auth_secret(settings)
    assert len(secret) >= 48 and auth_secret(settings) == secret  # generated once, kept
    mode = stat.S_IMODE((root / ".auth_secret").stat().st_mode)
    assert mode == 0o600
    given = Settings(home=tmp_path / "home", ui_auth_secret="from-the-environment-" + "1" * 12)
    assert auth_secret(given) == "from-the-environment-" + "1" * 12


def test_unusable_secret_files_are_configuration_errors(tmp_path: Path) -> None:
    settings = load_settings(home=tmp_path / "home")
    path = tmp_path / "home" / "ui" / ".auth_secret"
    path.mkdir(parents=True)  # a folder where the file should be
    with pytest.raises(SettingsError) as err:
        auth_secret(settings)
    assert str(err.value) == f"cannot read the login secret {path}: Is a directory"
    path.rmdir()
    path.write_text("short")
    with pytest.raises(SettingsError, match="has only 5 characters: delete it"):
        auth_secret(settings)
    with pytest.raises(SettingsError, match=r"too short \(20 characters\)"):
        auth_secret(load_settings(home=tmp_path / "home", ui_auth_secret="y" * 20))
