"""Database engines for the store: SQLite (the embedded default) or PostgreSQL (psycopg 3).

``make_engine`` takes the URL explicitly (the caller's settings decide it) and checks that the
database answers, so that a wrong URL or a server that is down fails at once with one clear line
(``StoreUnavailableError``) instead of a driver traceback deep inside the first query.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Engine

from data.store.errors import StoreUnavailableError, UnsupportedDatabaseError

__all__ = ["make_engine", "normalize_url", "ping"]

_PG_PREFIXES = ("postgres://", "postgresql://")
_SQLITE_MEMORY = {None, "", ":memory:"}
_SQLITE_BEGIN = frozenset({"", "DEFERRED", "IMMEDIATE", "EXCLUSIVE"})


def normalize_url(url: str) -> URL:
    """Parse ``url``; ``postgres://`` and ``postgresql://`` become ``postgresql+psycopg://``."""
    for prefix in _PG_PREFIXES:
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url.removeprefix(prefix)
            break
    parsed = sa.make_url(url)
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise UnsupportedDatabaseError(
            f"unsupported database {backend!r}: use a sqlite:/// or postgresql:// URL"
        )
    return parsed


def make_engine(
    url: str, *, connect_timeout: float = 5.0, echo: bool = False, check: bool = True
) -> Engine:
    """An engine for ``url``, configured for the store, and checked to answer when ``check``.

    SQLite file databases get their parent folder created, WAL journaling, ``foreign_keys=ON``,
    ``synchronous=NORMAL`` and a busy timeout of ``connect_timeout``; transactions begin with an
    explicit ``BEGIN`` (so SQLAlchemy's transaction boundaries are SQLite's), or ``BEGIN
    IMMEDIATE`` on a connection with ``execution_options(sqlite_begin="IMMEDIATE")`` (the write
    lock taken up front, waited for up to the busy timeout). PostgreSQL goes
    through psycopg 3 with a ``connect_timeout`` and pre-ping.
    Raises ``StoreUnavailableError`` when the database cannot be opened or reached.
    """
    parsed = normalize_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = _sqlite_engine(parsed, connect_timeout=connect_timeout, echo=echo)
    else:
        engine = _postgres_engine(parsed, connect_timeout=connect_timeout, echo=echo)
    if check:
        ping(engine)
    return engine


def ping(engine: Engine) -> None:
    """Run ``SELECT 1``; raise ``StoreUnavailableError`` with a one-line reason if it fails."""
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except sa.exc.DBAPIError as err:
        raise StoreUnavailableError(
            f"cannot reach database {_safe(engine.url)}: {_first_line(err.orig)}"
        ) from err


def _first_line(err: BaseException | None) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


def _safe(url: URL) -> str:
    return url.render_as_string(hide_password=True)


def _sqlite_engine(url: URL, *, connect_timeout: float, echo: bool) -> Engine:
    file_db = url.database not in _SQLITE_MEMORY and not str(url.database).startswith("file:")
    if file_db:
        folder = Path(str(url.database)).expanduser().parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise StoreUnavailableError(
                f"cannot create the folder {folder} for database {_safe(url)}: {err.strerror}"
            ) from err
    engine = sa.create_engine(url, echo=echo)
    busy_ms = int(connect_timeout * 1000)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # the "begin" event below issues BEGIN itself
        cursor = dbapi_conn.cursor()
        try:
            if file_db:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "")
        if mode not in _SQLITE_BEGIN:
            raise ValueError(f"sqlite_begin must be one of {sorted(_SQLITE_BEGIN)}, not {mode!r}")
        conn.exec_driver_sql(f"BEGIN {mode}".strip())

    return engine


def _postgres_engine(url: URL, *, connect_timeout: float, echo: bool) -> Engine:
    connect_args: dict[str, Any] = {}
    if "connect_timeout" not in url.query:
        connect_args["connect_timeout"] = max(1, math.ceil(connect_timeout))
    return sa.create_engine(url, echo=echo, pool_pre_ping=True, connect_args=connect_args)
