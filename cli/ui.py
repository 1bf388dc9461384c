"""``signaldesk ui``: the web chat (Chainlit), and ``signaldesk ui hash-password`` for its logins.

Chainlit is imported only when the chat starts, so the rest of the CLI stays quick to load.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from cli._output import Exit, console, err_console

if TYPE_CHECKING:
    from core.settings import Settings

__all__ = ["ui_app"]

ui_app = typer.Typer(invoke_without_command=True)


@ui_app.callback(invoke_without_command=True)
def ui(
    ctx: typer.Context,
    host: str | None = typer.Option(None, "--host", help="Address (default SIGNALDESK_UI_HOST)"),
    port: int | None = typer.Option(
        None, "--port", min=1, max=65535, help="Port (default SIGNALDESK_UI_PORT)"
    ),
) -> None:
    """The web chat: streamed answers, tool steps, charts, citations, threads, uploads.

    It needs logins (SIGNALDESK_UI_USERS or SIGNALDESK_UI_HEADER_AUTH) in prod and on any
    address but loopback; header logins off loopback need SIGNALDESK_UI_TRUSTED_PROXIES, and a
    SIGNALDESK_UI_AUTH_SECRET needs 32 characters or more (else exit code 4).

    Examples:
      signaldesk ui                                  # http://127.0.0.1:8000
      export SIGNALDESK_UI_USERS="$(signaldesk ui hash-password ana)"
      signaldesk ui --host 0.0.0.0 --port 8080
    """
    if ctx.invoked_subcommand is not None:
        return
    from ui.server import serve

    settings: Settings = ctx.obj
    serve(  # configuration and service errors exit 4 and 3 with one line (cli.main)
        settings,
        host=host or settings.ui_host,
        port=port or settings.ui_port,
        announce=lambda line: console.print(line, markup=False),
    )


@ui_app.command("hash-password")
def hash_password(
    name: str = typer.Argument(..., help="The login name"),
    password: str | None = typer.Option(
        None, "--password", help="Asked (hidden, twice) when not given: keeps it out of history"
    ),
) -> None:
    """Print a login for SIGNALDESK_UI_USERS: name:scrypt:... (join several with commas).

    The prompts go to stderr, so the line can be captured.
    Example: export SIGNALDESK_UI_USERS="$(signaldesk ui hash-password ana)"
    """
    if password is None:
        password = typer.prompt(
            f"Password for {name}", hide_input=True, confirmation_prompt=True, err=True
        )
    from ui.auth import hash_password as make_hash
    from ui.auth import parse_users

    try:
        entry = f"{name}:{make_hash(password)}"
        parse_users(entry)
    except ValueError as err:
        err_console.print(f"error: {err}", markup=False)
        raise typer.Exit(Exit.BAD_INPUT) from None
    typer.echo(entry)
