"""Schema migrations, run from code: ``upgrade(engine)`` brings the database to the newest schema.

The Alembic scripts ship inside the package (``data/store/migrations``); no ``alembic.ini``
is needed. To write a new revision, add a file to ``migrations/versions`` by hand (or generate
one with ``alembic revision --autogenerate`` against a scratch database and review it), then
run the schema test, which compares the migrated database with ``models.metadata``.
"""

from __future__ import annotations

from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection
from sqlalchemy.engine import Engine

from data.store.models import metadata

__all__ = [
    "MIGRATION_LOCK",
    "SCRIPT_LOCATION",
    "VERSION_TABLE",
    "current_revision",
    "schema_diff",
    "upgrade",
]

SCRIPT_LOCATION = "data.store:migrations"
VERSION_TABLE = "alembic_version"


def _config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.attributes["connection"] = connection
    return config


# pg_advisory_xact_lock key of the schema migrations (any constant; ASCII "SDmigrat")
MIGRATION_LOCK = 0x53_44_6D_69_67_72_61_74


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply every migration up to ``revision`` (default: the newest), in one transaction.

    Safe when several processes start on a fresh database at once: the transaction first takes
    a lock that the others wait for (PostgreSQL: an advisory transaction lock; SQLite: the write
    lock, ``BEGIN IMMEDIATE``), so one migrates and the others find the schema at ``revision``.
    """
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn = conn.execution_options(sqlite_begin="IMMEDIATE")
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
            command.upgrade(_config(conn), revision)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None when it was never migrated."""
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
        return context.get_current_revision()


def schema_diff(engine: Engine) -> list[Any]:
    """Differences between the database and ``models.metadata`` (empty when they agree).

    Uses Alembic's autogenerate comparison (tables, columns, types, nullability, indexes,
    unique constraints, foreign keys).
    """
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "version_table": VERSION_TABLE}
        )
        return list(compare_metadata(context, metadata))
