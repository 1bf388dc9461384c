"""Thread memory: the LangGraph checkpointer on the product's database.

SQLite (the embedded default) keeps threads in ``{home}/threads.sqlite``; when
``SIGNALDESK_DATABASE_URL`` is PostgreSQL, ``langgraph-checkpoint-postgres`` keeps them in that
database (its own ``checkpoint*`` tables, created on first use, under an advisory lock so that
processes starting together on a fresh database do not race on them).
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langgraph.checkpoint.base import BaseCheckpointSaver

from core.settings import Settings

if TYPE_CHECKING:
    from langgraph.checkpoint.postgres import PostgresSaver

__all__ = ["ThreadStoreError", "delete_threads", "open_checkpointer", "postgres_conninfo"]


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
                _setup_locked(saver)
                yield saver
        except psycopg.OperationalError as err:
            first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            raise ThreadStoreError(f"PostgreSQL thread store unavailable: {first}") from err
        return
    yield from _sqlite(settings.home / "threads.sqlite")


# pg_advisory_lock key of the checkpointer's table setup (any constant; ASCII "SDchkpts")
SETUP_LOCK = 0x53_44_63_68_6B_70_74_73


def _setup_locked(saver: PostgresSaver, *, wait_s: float = 120.0) -> None:
    """``saver.setup()`` under a session advisory lock: processes starting together on a fresh
    database would otherwise race on its ``CREATE TABLE`` and ``checkpoint_migrations`` rows
    (``Key (v)=(0) already exists``); the others wait, then find the tables there.

    The lock is polled (``pg_try_advisory_lock``) rather than waited for in a statement: setup
    runs ``CREATE INDEX CONCURRENTLY``, which waits for every open statement, a blocked
    ``pg_advisory_lock`` included, and PostgreSQL would report a deadlock."""
    conn: Any = saver.conn  # a psycopg Connection in autocommit mode (from_conn_string)
    deadline = time.monotonic() + wait_s
    while not _try_lock(conn):
        if time.monotonic() > deadline:
            raise ThreadStoreError(
                f"PostgreSQL thread store: another process has been setting up its tables "
                f"for over {wait_s:.0f} s"
            )
        time.sleep(0.05)
    try:
        saver.setup()
    finally:
        conn.execute("SELECT pg_advisory_unlock(%s)", (SETUP_LOCK,))


def _try_lock(conn: Any) -> bool:  # noqa: ANN401 - psycopg.Connection with dict rows
    row = conn.execute("SELECT pg_try_advisory_lock(%s) AS got", (SETUP_LOCK,)).fetchone()
    return bool(row["got"])


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


def delete_threads(saver: BaseCheckpointSaver, *, thread_id: str, prefix: str) -> list[str]:
    """Delete the thread ``thread_id`` and every thread whose id starts with ``prefix`` (its
    forks) from ``saver``, with their checkpoints and writes; returns the ids deleted, sorted.
    Blocking."""
    ids = sorted({thread_id, *_thread_ids_starting(saver, prefix)})
    for tid in ids:
        saver.delete_thread(tid)
    return ids


def _thread_ids_starting(saver: BaseCheckpointSaver, prefix: str) -> set[str]:
    """Thread ids with checkpoints that start with ``prefix``: one indexed query on SQLite and
    on a PostgreSQL connection, else a walk over every checkpoint."""
    from langgraph.checkpoint.sqlite import SqliteSaver

    query = "SELECT DISTINCT thread_id FROM checkpoints WHERE substr(thread_id, 1, {n}) = {p}"
    if isinstance(saver, SqliteSaver):
        with saver.cursor(transaction=False) as cur:
            cur.execute(query.format(n="?", p="?"), (len(prefix), prefix))
            return {str(row[0]) for row in cur.fetchall()}
    conn: Any = getattr(saver, "conn", None)
    if _is_postgres(saver) and hasattr(conn, "cursor") and hasattr(saver, "lock"):
        with saver.lock, conn.cursor() as cur:
            cur.execute(query.format(n="%s", p="%s"), (len(prefix), prefix))
            return {str(row["thread_id"]) for row in cur.fetchall()}
    found = (c.config["configurable"]["thread_id"] for c in saver.list(None))
    return {str(t) for t in found if str(t).startswith(prefix)}


def _is_postgres(saver: BaseCheckpointSaver) -> bool:
    try:
        from langgraph.checkpoint.postgres import PostgresSaver
    except ImportError:  # the PostgreSQL extra is not installed
        return False
    return isinstance(saver, PostgresSaver)
