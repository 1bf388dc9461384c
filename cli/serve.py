"""``signaldesk serve``: the HTTP API (uvicorn), and ``signaldesk serve keys`` for its API keys.

FastAPI and uvicorn are imported only when the server starts, so the rest of the CLI stays quick.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import typer

from cli._output import BadInputError, Exit, console, err_console, print_json

if TYPE_CHECKING:
    from core.settings import Settings

__all__ = ["serve_app"]

serve_app = typer.Typer(invoke_without_command=True)
keys_app = typer.Typer(help="API keys: create, list, revoke.", no_args_is_help=True)
serve_app.add_typer(keys_app, name="keys")


@serve_app.callback(invoke_without_command=True)
def serve(
    ctx: typer.Context,
    host: str | None = typer.Option(None, "--host", help="Address (default SIGNALDESK_API_HOST)"),
    port: int | None = typer.Option(
        None, "--port", min=1, max=65535, help="Port (default SIGNALDESK_API_PORT)"
    ),
    workers: int = typer.Option(1, "--workers", min=1, max=64, help="Worker processes"),
) -> None:
    """The HTTP API: signals, technicals, risk, forecasts, prices, the agent; docs at /docs.

    Examples:
      signaldesk serve keys create my-app --scope read --scope ask   # prints the key once
      signaldesk serve --port 8080
      curl -s -d client_secret=sdk_... http://127.0.0.1:8080/v1/token
    """
    if ctx.invoked_subcommand is not None:
        return
    import uvicorn

    from api.services import api_secrets

    settings: Settings = ctx.obj
    api_secrets(settings)  # prod without SIGNALDESK_API_SECRETS: exit 4 before binding
    where = f"http://{host or settings.api_host}:{port or settings.api_port}"
    console.print(f"SignalDesk API on {where} (docs: {where}/docs)", markup=False)
    uvicorn.run(
        "api.app:serve_app",
        factory=True,
        host=host or settings.api_host,
        port=port or settings.api_port,
        workers=workers,
        log_level="warning",
        access_log=False,
    )


def _store(settings: Settings):  # noqa: ANN202 - api.keys.KeyStore
    from api.keys import KeyStore
    from data.store import make_engine, upgrade

    engine = make_engine(settings.sqlalchemy_url)
    upgrade(engine)
    return KeyStore(engine)


@keys_app.command("create")
def create(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Who or what uses the key"),
    scope: list[str] = typer.Option(
        ["read"], "--scope", help="read | ask | briefing | admin (repeatable)"
    ),
    rate: float | None = typer.Option(
        None, "--rate", help="Requests per minute (default SIGNALDESK_API_RATE_PER_MINUTE)"
    ),
    days: int | None = typer.Option(None, "--days", min=1, help="Expires after this many days"),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable JSON"),
) -> None:
    """Create a key; it is printed once (only its hash is stored)."""
    from data.store import utc_now

    expires = utc_now() + dt.timedelta(days=days) if days else None
    try:
        new = _store(ctx.obj).create(name, scopes=scope, rate_per_minute=rate, expires_at=expires)
    except ValueError as err:
        raise BadInputError(str(err)) from None
    if as_json:
        print_json({"id": new.row.id, "key": new.key, "scopes": new.row.scopes})
        return
    console.print(new.key, markup=False)
    err_console.print(
        f"key {new.row.id} ({', '.join(new.row.scopes)}): keep it now, it is not shown again",
        markup=False,
    )


@keys_app.command("list")
def list_keys(
    ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="Machine-readable")
) -> None:
    """Every key: id, name, scopes, state (never the key itself)."""
    from api.keys import usable

    rows = _store(ctx.obj).listed()
    listed = [
        {
            "id": r.id,
            "name": r.name,
            "scopes": r.scopes,
            "rate_per_minute": r.rate_per_minute,
            "created_at": r.created_at.isoformat(),
            "expires_at": r.expires_at.isoformat() if r.expires_at else None,
            "state": "revoked" if r.revoked_at else ("live" if usable(r) else "expired"),
        }
        for r in rows
    ]
    if as_json:
        print_json(listed)
        return
    if not listed:
        err_console.print("no API keys yet: signaldesk serve keys create NAME", markup=False)
    for r in listed:
        console.print(
            f"{r['id']}  {r['state']:<8} {r['name']:<20} {','.join(r['scopes']):<22} "
            f"created {r['created_at'][:10]}",
            markup=False,
        )


@keys_app.command("revoke")
def revoke(ctx: typer.Context, key_id: str = typer.Argument(..., help="The key's id")) -> None:
    """Revoke a key now: its tokens stop working within seconds."""
    if not _store(ctx.obj).revoke(key_id):
        err_console.print(f"error: no API key {key_id!r}: see signaldesk serve keys list")
        raise typer.Exit(Exit.BAD_INPUT)
    console.print(f"revoked {key_id}", markup=False)
