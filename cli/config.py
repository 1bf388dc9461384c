"""``signaldesk config``: show the effective settings (secrets masked)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from cli._output import console, print_json

if TYPE_CHECKING:
    from core.settings import Settings

config_app = typer.Typer(help="Inspect configuration.", no_args_is_help=True)


@config_app.command("show")
def show(
    ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="JSON output")
) -> None:
    """Print the effective settings; secrets are masked.

    Example: SIGNALDESK_PROFILE=prod signaldesk config show --json
    """
    settings: Settings = ctx.obj
    data = settings.public_dict()
    if as_json:
        print_json(data)
        return
    for key, value in data.items():
        console.print(f"{key:>20}  {value}", markup=False)
