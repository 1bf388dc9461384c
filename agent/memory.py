"""Thread memory: the LangGraph checkpointer on the product's database.

SQLite (the embedded default) keeps threads in ``{home}/threads.sqlite``; when
``SIGNALDESK_DATABASE_URL`` is PostgreSQL, ``langgraph-checkpoint-postgres`` keeps them in that
database (its own ``checkpoint*`` tables, created on first use).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from langgraph.checkpoint.base import BaseCheckpointSaver

from core.settings import Settings

__all__ = ["ThreadStoreError", "open_checkpointer", "postgres_conninfo"]


class ThreadStoreError(RuntimeError):
    """The thread store (checkpointer database) cannot be opened."""


def postgres_conninfo(url: str) -> str:
    """A libpq URL from a SQLAlchemy one: ``postgresql+psycopg://`` -> ``postgresql://``."""
    return re.sub(r"^postgres(?:ql)?(?:\+\w+)?://", "postgresql://", url)


@contextmanager
def open_checkpointer(settings: Settings) -> Iterator[BaseCheckpointSaver]:
    """The configured checkpointer, set up and open for the ``with`` block."""
    url = settings.sqlalchemy_url
    if url.startswith("postgres"):
        import psycopg
        from langgraph.checkpoint.postgres import PostgresSaver

        try:
            with PostgresSaver.from_conn_string(postgres_conninfo(url)) as saver:
                saver.setup()
                yield saver
        except psycopg.OperationalError as err:
            first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            raise ThreadStoreError(f"PostgreSQL thread store unavailable: {first}") from err
        return
    yield from _sqlite(settings.home / "threads.sqlite")


def _sqlite(path: Path) -> Iterator[BaseCheckpointSaver]:
    from langgraph.checkpoint.sqlite import SqliteSaver

    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, check_same_thread=False)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        saver = SqliteSaver(conn)
        saver.setup()
        yield saver
    finally:
        conn.close()
