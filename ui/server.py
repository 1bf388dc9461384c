"""Serving the web chat: the Chainlit folder, the logins, extra routes, and uvicorn.

``serve`` is what ``signaldesk ui`` runs. Chainlit reads its folder and token secret from the
environment when it is first imported, so ``serve`` sets ``CHAINLIT_APP_ROOT`` (to
``{home}/ui``, where ``ui/assets`` is copied on every start) and ``CHAINLIT_AUTH_SECRET`` (from
``SIGNALDESK_UI_AUTH_SECRET``, else a secret generated once in ``{home}/ui/.auth_secret``)
before importing it. ``build_app`` does the rest in-process (the tests call it directly).

Logins: password users from ``SIGNALDESK_UI_USERS`` and/or a header set by an authenticating
proxy (``SIGNALDESK_UI_HEADER_AUTH``, read only from ``SIGNALDESK_UI_TRUSTED_PROXIES``). Without
either the chat refuses to start in the ``prod`` profile, and on any address but loopback; header
logins off loopback need trusted proxies. ``ui.protect`` installs the login routes, token
checks, security headers, upload route, ``/healthz``, ``/readyz``, ``/metrics`` and the
stored-element route (the same ones ``chainlit run ui/app.py`` gets). The chat's files are its
owner's only (0600/0700).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.net import port_free
from core.settings import Settings, SettingsError
from ui.auth import Logins
from ui.protect import auth_secret, check_logins, private_files, protect
from ui.translations import write_translations

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["auth_secret", "build_app", "check_logins", "prepare_app_root", "serve"]

ASSETS = Path(__file__).with_name("assets")


def prepare_app_root(settings: Settings) -> Path:
    """``{home}/ui`` with Chainlit's config, translations (``ui.translations``), welcome page,
    logos and custom elements."""
    root = (settings.home / "ui").resolve()
    (root / ".chainlit").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ASSETS / "config.toml", root / ".chainlit" / "config.toml")
    write_translations(root / ".chainlit" / "translations")
    shutil.copyfile(ASSETS / "chainlit.md", root / "chainlit.md")
    shutil.copytree(ASSETS / "public", root / "public", dirs_exist_ok=True)
    return root


def describe_logins(logins: Logins) -> str:
    parts = [f"{len(logins.users)} password users"] if logins.users else []
    parts += [f"header {logins.header}"] if logins.header else []
    return " and ".join(parts) or "none"


def build_app(settings: Settings) -> FastAPI:
    """Chainlit's app with the SignalDesk handlers, logins and routes, on ``settings``
    (opens the runtime: blocking)."""
    from ui import runtime

    private_files(settings)
    rt = runtime.configure(settings)
    from chainlit.server import app

    protect(app, settings, rt.logins)
    import ui.app  # noqa: F401 - registers the chat handlers (already protected: no-op there)

    return app


def serve(settings: Settings, *, host: str, port: int, announce: Any = print) -> None:
    """Run the chat until interrupted. ``SettingsError`` for open logins or a busy port."""
    from ui.auth import logins_from_settings

    check_logins(settings, logins_from_settings(settings), host=host)
    if not port_free(host, port):
        raise SettingsError(f"cannot listen on {host}:{port}: the address is in use")
    secret = auth_secret(settings)
    os.umask(0o077)  # whatever the chat writes (history, uploads, logs) is its owner's only
    root = prepare_app_root(settings)
    os.environ["CHAINLIT_APP_ROOT"] = str(root)  # read by Chainlit when first imported
    os.environ["CHAINLIT_AUTH_SECRET"] = secret
    import uvicorn

    app = build_app(settings)
    from chainlit.config import config

    config.run.host, config.run.port, config.run.headless = host, port, True
    announce(
        f"SignalDesk web chat on http://{host}:{port} "
        f"(logins: {describe_logins(logins_from_settings(settings))}); Ctrl-C stops it"
    )
    uvicorn.run(  # X-Forwarded-For is read by ui.gate, from trusted proxies only
        app,
        host=host,
        port=port,
        log_level="warning",
        ws_per_message_deflate=True,
        proxy_headers=False,
    )
