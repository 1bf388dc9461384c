"""``signaldesk db``: schema migrations."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from cli._output import console, print_json

if TYPE_CHECKING:
    from core.settings import Settings

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)


@db_app.command("upgrade")
def upgrade_cmd(ctx: typer.Context, as_json: bool = typer.Option(False, "--json")) -> None:
    """Create or migrate the database to the latest schema (runs Alembic migrations)."""
    from data.store import current_revision, make_engine, upgrade

    settings: Settings = ctx.obj
    engine = make_engine(settings.sqlalchemy_url)
    upgrade(engine)
    revision = current_revision(engine)
    if as_json:
        print_json({"revision": revision})
    else:
        console.print(f"database at revision {revision}")
