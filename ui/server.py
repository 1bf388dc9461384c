"""Serving the web chat: the Chainlit folder, the logins, extra routes, and uvicorn.

``serve`` is what ``signaldesk ui`` runs. Chainlit reads its folder and token secret from the
environment when it is first imported, so ``serve`` sets ``CHAINLIT_APP_ROOT`` (to
``{home}/ui``, where ``ui/assets`` is copied on every start) and ``CHAINLIT_AUTH_SECRET`` (from
``SIGNALDESK_UI_AUTH_SECRET``, else a secret generated once in ``{home}/ui/.auth_secret``)
before importing it. ``build_app`` does the rest in-process (the tests call it directly).

Logins: password users from ``SIGNALDESK_UI_USERS`` and/or a header set by an authenticating
proxy (``SIGNALDESK_UI_HEADER_AUTH``). Without either the chat refuses to start in the ``prod``
profile, and on any address but loopback. Routes added to Chainlit's: ``GET /healthz``
(database checks, JSON; 503 when one fails) and ``GET /signaldesk/files/{key}`` (the stored
elements of the logged-in user's threads).
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import secrets
import shutil
import socket
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.settings import Settings, SettingsError
from ui.auth import Logins

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["auth_secret", "build_app", "check_logins", "prepare_app_root", "serve"]

ASSETS = Path(__file__).with_name("assets")
HEALTH_PATH = "/healthz"
_ROUTE_NAMES = ("signaldesk_healthz", "signaldesk_files")


def prepare_app_root(settings: Settings) -> Path:
    """``{home}/ui`` with Chainlit's config, welcome page, logos and custom elements."""
    root = (settings.home / "ui").resolve()
    (root / ".chainlit").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ASSETS / "config.toml", root / ".chainlit" / "config.toml")
    shutil.copyfile(ASSETS / "chainlit.md", root / "chainlit.md")
    shutil.copytree(ASSETS / "public", root / "public", dirs_exist_ok=True)
    return root


def auth_secret(settings: Settings) -> str:
    """The secret that signs login tokens: the setting, else one generated once under home
    (readable by the owner only). Changing it logs everybody out."""
    if settings.ui_auth_secret is not None:
        return settings.ui_auth_secret.get_secret_value()
    path = settings.home / "ui" / ".auth_secret"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_logins(settings: Settings, logins: Logins, *, host: str) -> None:
    """``SettingsError`` when the chat would be open to anyone who reaches it."""
    if logins.enabled:
        return
    how = "set SIGNALDESK_UI_USERS (see signaldesk ui hash-password) or SIGNALDESK_UI_HEADER_AUTH"
    if settings.profile == "prod":
        raise SettingsError(f"the web chat has no logins and the profile is prod: {how}")
    if not _loopback(host):
        raise SettingsError(f"the web chat has no logins: refusing to listen on {host}; {how}")


def describe_logins(logins: Logins) -> str:
    parts = [f"{len(logins.users)} password users"] if logins.users else []
    parts += [f"header {logins.header}"] if logins.header else []
    return " and ".join(parts) or "none"


def _install_auth(logins: Logins) -> None:
    import chainlit as cl
    from chainlit.config import config

    async def password(username: str, password: str) -> cl.User | None:
        ok = await asyncio.to_thread(logins.check, username, password)
        return cl.User(identifier=username, metadata={"auth": "password"}) if ok else None

    async def header(headers: Any) -> cl.User | None:
        name = logins.from_headers(headers)
        return cl.User(identifier=name, metadata={"auth": "header"}) if name else None

    config.code.password_auth_callback = None
    config.code.header_auth_callback = None
    if logins.users:
        cl.password_auth_callback(password)
    if logins.header:
        cl.header_auth_callback(header)


def _signaldesk_version() -> str:
    try:
        return version("signaldesk")
    except PackageNotFoundError:
        return "unknown"


async def _healthz() -> Any:
    from chainlit.data import get_data_layer
    from fastapi.responses import JSONResponse
    from sqlalchemy import text

    from data.store import ping
    from ui.runtime import current

    rt = await asyncio.to_thread(current)
    checks: dict[str, str] = {}
    try:
        await asyncio.to_thread(ping, rt.engine)
        checks["database"] = "ok"
    except Exception as err:  # reported, not raised: this endpoint says what is down
        checks["database"] = f"error: {str(err).splitlines()[0][:200]}"
    layer = get_data_layer()
    try:
        async with layer.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        checks["chat_history"] = "ok"
    except Exception as err:  # reported, not raised
        checks["chat_history"] = f"error: {str(err).splitlines()[0][:200]}"
    ok = all(v == "ok" for v in checks.values())
    body = {
        "status": "ok" if ok else "degraded",
        "version": _signaldesk_version(),
        "checks": checks,
        "models": list(rt.model_choices()),
    }
    return JSONResponse(body, status_code=200 if ok else 503)


def _install_routes(app: FastAPI) -> None:
    """``/healthz`` and the stored-element route, ahead of Chainlit's catch-all page route."""
    from chainlit.auth import get_current_user
    from chainlit.data import get_data_layer
    from fastapi import Depends, HTTPException
    from fastapi.responses import FileResponse
    from fastapi.routing import APIRoute

    from ui.persistence import FILES_ROUTE, LocalStorage, StorageKeyError

    # a default, not Annotated: annotations are strings here, resolved in module globals
    async def files(key: str, user: Any = Depends(get_current_user)) -> Any:  # noqa: B008
        layer = get_data_layer()
        storage = getattr(layer, "storage_provider", None)
        owner = getattr(user, "id", None)
        if not isinstance(storage, LocalStorage) or owner is None:
            raise HTTPException(status_code=404)
        if not key.startswith(f"{owner}/"):
            raise HTTPException(status_code=403)
        try:
            path = storage.path_of(key)
        except StorageKeyError:
            raise HTTPException(status_code=400) from None
        if not path.is_file():
            raise HTTPException(status_code=404)
        return FileResponse(path, media_type=storage.media_type(path))

    routes = [
        APIRoute(HEALTH_PATH, _healthz, methods=["GET"], name=_ROUTE_NAMES[0]),
        APIRoute(f"{FILES_ROUTE}/{{key:path}}", files, methods=["GET"], name=_ROUTE_NAMES[1]),
    ]
    kept = [r for r in app.router.routes if getattr(r, "name", None) not in _ROUTE_NAMES]
    app.router.routes[:] = routes + kept


def build_app(settings: Settings) -> FastAPI:
    """Chainlit's app with the SignalDesk handlers, logins and routes, on ``settings``
    (opens the runtime: blocking)."""
    from ui import runtime

    rt = runtime.configure(settings)
    from chainlit.server import app

    import ui.app  # noqa: F401 - registers the chat handlers with Chainlit

    _install_auth(rt.logins)
    _install_routes(app)
    return app


def _port_free(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def serve(settings: Settings, *, host: str, port: int, announce: Any = print) -> None:
    """Run the chat until interrupted. ``SettingsError`` for open logins or a busy port."""
    from ui.auth import logins_from_settings

    check_logins(settings, logins_from_settings(settings), host=host)
    if not _port_free(host, port):
        raise SettingsError(f"cannot listen on {host}:{port}: the address is in use")
    root = prepare_app_root(settings)
    os.environ["CHAINLIT_APP_ROOT"] = str(root)  # read by Chainlit when first imported
    os.environ["CHAINLIT_AUTH_SECRET"] = auth_secret(settings)
    import uvicorn

    app = build_app(settings)
    from chainlit.config import config

    config.run.host, config.run.port, config.run.headless = host, port, True
    announce(
        f"SignalDesk web chat on http://{host}:{port} "
        f"(logins: {describe_logins(logins_from_settings(settings))}); Ctrl-C stops it"
    )
    uvicorn.run(app, host=host, port=port, log_level="warning", ws_per_message_deflate=True)
