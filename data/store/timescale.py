"""TimescaleDB for the bars: ``daily_bars`` as a hypertable on ``date``, compressed when old.

``enable_timescale(engine)`` runs after the migrations (``signaldesk db upgrade`` with
``SIGNALDESK_TIMESCALE`` on) and can run again at no cost: the extension, the hypertable and the
compression policy are each made only when missing. It runs in one transaction under the
migrations' advisory lock, so concurrent upgrades take turns, and a failure leaves the plain
tables as they were.

- The table keeps its primary key (ticker, source, date): TimescaleDB needs every unique index
  of a hypertable to hold the time column, and this one does. No default index on ``date`` is
  added (``create_default_indexes => false``), so the schema still matches the models.
- Chunks of a year (about 250 bars per ticker and source); compression segments by ticker and
  orders by date then source (the rest of the key); chunks older than 90 days are compressed by
  the policy. Updates of compressed rows (a revised adjusted close) need TimescaleDB 2.11+.

The server needs the ``timescaledb`` extension (the ``timescale/timescaledb`` images have it
preloaded); without it ``TimescaleUnavailableError`` says so in one line.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from data.store.errors import TimescaleUnavailableError
from data.store.migrate import MIGRATION_LOCK

__all__ = [
    "CHUNK_INTERVAL",
    "COMPRESS_AFTER",
    "TimescaleUnavailableError",
    "enable_timescale",
    "make_hypertable",
]

TABLE = "daily_bars"
TIME_COLUMN = "date"
CHUNK_INTERVAL = "1 year"
COMPRESS_AFTER = "90 days"

AVAILABLE = "SELECT count(*) FROM pg_available_extensions WHERE name = 'timescaledb'"
CREATE_EXTENSION = "CREATE EXTENSION IF NOT EXISTS timescaledb"
CREATE_HYPERTABLE = (
    f"SELECT create_hypertable('{TABLE}', '{TIME_COLUMN}',"
    f" chunk_time_interval => INTERVAL '{CHUNK_INTERVAL}', migrate_data => true,"
    " if_not_exists => true, create_default_indexes => false)"
)
COMPRESSION_ENABLED = (
    "SELECT compression_enabled FROM timescaledb_information.hypertables"
    f" WHERE hypertable_schema = current_schema() AND hypertable_name = '{TABLE}'"
)
ENABLE_COMPRESSION = (
    f"ALTER TABLE {TABLE} SET (timescaledb.compress,"
    " timescaledb.compress_segmentby = 'ticker',"
    f" timescaledb.compress_orderby = '{TIME_COLUMN}, source')"
)
COMPRESSION_POLICY = (
    f"SELECT add_compression_policy('{TABLE}', compress_after => INTERVAL '{COMPRESS_AFTER}',"
    " if_not_exists => true)"
)


def make_hypertable(conn: Connection) -> None:
    """Make ``daily_bars`` a compressed hypertable on ``conn``, each step only when missing
    (module doc). ``TimescaleUnavailableError`` when the server has no usable extension, before
    any change."""
    if not conn.exec_driver_sql(AVAILABLE).scalar():
        raise TimescaleUnavailableError(
            "the PostgreSQL server does not have the timescaledb extension installed"
        )
    try:
        conn.exec_driver_sql(CREATE_EXTENSION)
    except sa.exc.DBAPIError as err:  # not preloaded, or no right to create it
        raise TimescaleUnavailableError(
            f"cannot create the timescaledb extension: {_first_line(err.orig)}"
        ) from err
    conn.exec_driver_sql(CREATE_HYPERTABLE)
    if not conn.exec_driver_sql(COMPRESSION_ENABLED).scalar():
        conn.exec_driver_sql(ENABLE_COMPRESSION)
    conn.exec_driver_sql(COMPRESSION_POLICY)


def enable_timescale(engine: Engine) -> None:
    """``make_hypertable`` in its own transaction under the migrations' lock (module doc).
    ``ValueError`` on a database other than PostgreSQL."""
    if engine.dialect.name != "postgresql":
        raise ValueError(f"TimescaleDB is a PostgreSQL extension, not one of {engine.dialect.name}")
    with engine.begin() as conn:
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
        make_hypertable(conn)


def _first_line(err: BaseException | None) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__
