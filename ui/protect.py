"""Protecting the web chat: logins, token checks, security headers, the upload route, the
chat's private files, and the checks made before serving.

``protect(app, settings, logins)`` installs on Chainlit's app the login routes (rate limits,
revocable tokens: ``ui.gate``), the security-header/body-limit middleware and the streamed upload
route (``ui.guard``), ``GET /healthz`` (liveness: always 200 while the process answers, with
the database checks as detail, ``status`` ``degraded`` when one fails),
``GET /readyz`` and ``GET /metrics`` with the HTTP metrics middleware (``ui.probes``), and
``GET /signaldesk/files/{key}`` (the stored elements of the logged-in user's threads). It is
idempotent: routes are replaced by name, the middleware is added once. ``ui.server.build_app``
(``signaldesk ui``) calls it; ``protect_on_import`` is what importing ``ui.app`` runs, so that
``chainlit run ui/app.py`` gets the same protections after the same checks, or refuses to start
with one line.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from core.secrets import home_secret, private_dir
from core.settings import Settings, SettingsError
from ui.auth import Logins
from ui.tokens import MIN_SECRET_CHARS

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = [
    "HEALTH_PATH",
    "auth_secret",
    "check_logins",
    "private_files",
    "protect",
    "protect_on_import",
]

HEALTH_PATH = "/healthz"
_ROUTE_NAMES = ("signaldesk_healthz", "signaldesk_files")


def auth_secret(settings: Settings) -> str:
    """The secret that signs login tokens: the setting, else one generated once under home
    (readable by the owner only). Changing it logs everybody out. ``SettingsError`` for a
    secret under ``MIN_SECRET_CHARS`` characters or a secret file that is empty or unreadable."""
    return home_secret(
        settings.ui_auth_secret,
        env="SIGNALDESK_UI_AUTH_SECRET",
        path=settings.home / "ui" / ".auth_secret",
        what="login secret",
        losing="everybody logs in again",
    )


def private_files(settings: Settings) -> None:
    """The chat's folders 0700 and its SQLite history 0600 (created empty so that SQLite never
    makes it readable by others; its journal files take the same mode)."""
    from ui.datalayer import chat_store

    private_dir(settings.home / "ui")
    private_dir(chat_store(settings).files_dir)
    url = chat_store(settings).sync_url
    if url.startswith("sqlite:///"):
        db = Path(url.removeprefix("sqlite:///"))
        os.close(os.open(db, os.O_WRONLY | os.O_CREAT, 0o600))
        os.chmod(db, 0o600)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_logins(settings: Settings, logins: Logins, *, host: str) -> None:
    """``SettingsError`` when the chat would be open to anyone who reaches it."""
    if logins.header and not settings.ui_trusted_proxies and not _loopback(host):
        raise SettingsError(
            f"proxy header logins (SIGNALDESK_UI_HEADER_AUTH) on {host}: set "
            "SIGNALDESK_UI_TRUSTED_PROXIES to the proxy's address, or anyone could send the "
            "header"
        )
    if logins.enabled:
        return
    how = "set SIGNALDESK_UI_USERS (see signaldesk ui hash-password) or SIGNALDESK_UI_HEADER_AUTH"
    if settings.profile == "prod":
        raise SettingsError(f"the web chat has no logins and the profile is prod: {how}")
    if not _loopback(host):
        raise SettingsError(f"the web chat has no logins: refusing to listen on {host}; {how}")


def _install_auth(logins: Logins) -> None:
    """Chainlit's login callbacks, registered so that its page offers the right logins; they
    refuse everything: logins go through ``ui.gate``'s routes (rate limits, trusted proxies)."""
    import chainlit as cl
    from chainlit.config import config

    async def password(username: str, password: str) -> cl.User | None:
        return None

    async def header(headers: Any) -> cl.User | None:
        return None

    config.code.password_auth_callback = None
    config.code.header_auth_callback = None
    if logins.users:
        cl.password_auth_callback(password)
    if logins.header:
        cl.header_auth_callback(header)


def _install_guards(app: FastAPI, settings: Settings, logins: Logins) -> Any:
    """Login routes, revocable tokens, upload route, and the security-header/body-limit
    middleware (added once per process; it reads the upload limit per request)."""
    from chainlit.auth.jwt import get_jwt_secret
    from chainlit.config import config
    from chainlit.server import get_html_template

    from ui.gate import install_gate
    from ui.guard import Guard, content_security_policy, install_upload, max_upload_bytes
    from ui.tokens import Sessions

    sessions = Sessions(
        logins,
        secret=lambda: get_jwt_secret() or "",
        lifetime_s=float(config.project.user_session_timeout),
        revoked_file=settings.home / "ui" / "revoked.json",
    )
    limiter = install_gate(app, logins, sessions, proxies=settings.ui_trusted_proxies)
    install_upload(app)
    if not any(m.cls is Guard for m in app.user_middleware):
        csp = content_security_policy(get_html_template(""))
        app.middleware_stack = None  # rebuilt with the guard on the next request
        app.add_middleware(Guard, csp=csp, max_upload=max_upload_bytes)
    return limiter


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
    # liveness: the process answers, whatever its dependencies say (a database outage must not
    # restart every chat); /readyz answers 503 for those
    return JSONResponse(body, status_code=200)


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


def protect(app: FastAPI, settings: Settings, logins: Logins) -> None:
    """Logins, routes, token checks and the security middleware on ``app`` (idempotent: the
    routes are replaced by name, the middleware is added once)."""
    from ui.probes import install_probes

    _install_auth(logins)
    _install_routes(app)
    install_probes(app)
    app.state.signaldesk_limiter = _install_guards(app, settings, logins)
    app.state.signaldesk_protected = True


def protect_on_import(app: FastAPI) -> None:
    """What ``ui.app`` runs when imported: under ``chainlit run ui/app.py`` nothing called
    ``build_app``, so the same protections are installed here, on the environment's settings
    and the host Chainlit listens on, after the checks ``serve`` makes. A failed check prints
    one line and exits (4 for configuration, 3 for a database that cannot be reached). A no-op
    when ``build_app`` already protected ``app``."""
    if getattr(app.state, "signaldesk_protected", False):
        return
    from chainlit.config import config

    from data.store import StoreUnavailableError
    from ui.runtime import current

    try:
        rt = current()
        check_logins(rt.settings, rt.logins, host=config.run.host)
        _chainlit_secret(rt.settings)
        os.umask(0o077)  # as under serve: the chat's files are its owner's only
        private_files(rt.settings)
    except SettingsError as err:
        _refuse(err, code=4)
    except StoreUnavailableError as err:
        _refuse(err, code=3)
    protect(app, rt.settings, rt.logins)


def _chainlit_secret(settings: Settings) -> None:
    """``CHAINLIT_AUTH_SECRET`` checked as ``SIGNALDESK_UI_AUTH_SECRET`` is, or set from the
    settings (the generated secret file) when unset."""
    given = os.environ.get("CHAINLIT_AUTH_SECRET")
    if given is None:
        os.environ["CHAINLIT_AUTH_SECRET"] = auth_secret(settings)
    elif len(given.strip()) < MIN_SECRET_CHARS:
        raise SettingsError(
            f"CHAINLIT_AUTH_SECRET is too short ({len(given.strip())} characters): at least "
            f"{MIN_SECRET_CHARS} are needed, or unset it to use SignalDesk's"
        )


def _refuse(err: Exception, *, code: int) -> NoReturn:
    line = " ".join(part.strip() for part in str(err).splitlines() if part.strip())
    print(f"SignalDesk chat not started: {line}", file=sys.stderr)
    raise SystemExit(code)
