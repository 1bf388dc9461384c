"""``signaldesk db``: schema migrations (and, with ``SIGNALDESK_TIMESCALE``, TimescaleDB)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from cli._output import console, err_console, print_json

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from core.settings import Settings

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)


@db_app.command("upgrade")
def upgrade_cmd(ctx: typer.Context, as_json: bool = typer.Option(False, "--json")) -> None:
    """Create or migrate the database to the latest schema (runs Alembic migrations).

    With SIGNALDESK_TIMESCALE=true on PostgreSQL, the bars then go into a TimescaleDB
    hypertable with compression (the server needs the timescaledb extension, else exit 4);
    on SQLite the setting is ignored with a warning. Running it again changes nothing.
    """
    from data.store import current_revision, make_engine, upgrade

    settings: Settings = ctx.obj
    engine = make_engine(settings.sqlalchemy_url)
    upgrade(engine)
    timescale = settings.timescale and _timescale(engine)
    revision = current_revision(engine)
    if as_json:
        print_json({"revision": revision, "timescale": timescale})
    else:
        extra = "; bars in a TimescaleDB hypertable" if timescale else ""
        console.print(f"database at revision {revision}{extra}", markup=False)


def _timescale(engine: Engine) -> bool:
    """The bars as a hypertable (data.store.timescale); False on SQLite, with a warning.
    A server without the extension is a configuration error (exit 4, one line)."""
    from core.settings import SettingsError
    from data.store.errors import TimescaleUnavailableError
    from data.store.timescale import enable_timescale

    if engine.dialect.name != "postgresql":
        err_console.print(
            "warning: SIGNALDESK_TIMESCALE is ignored on SQLite (TimescaleDB is a PostgreSQL "
            "extension): the bars stay in a plain table",
            markup=False,
        )
        return False
    try:
        enable_timescale(engine)
    except TimescaleUnavailableError as err:
        raise SettingsError(
            f"SIGNALDESK_TIMESCALE is on but {err}: run PostgreSQL with TimescaleDB (e.g. the "
            "image timescale/timescaledb:latest-pg16) or set SIGNALDESK_TIMESCALE=false"
        ) from None
    return True
