"""Named errors of the database store; ``str(err)`` is the one-line message for the user."""

from __future__ import annotations

from data.errors import DataError

__all__ = [
    "InvalidBarsError",
    "StoreError",
    "StoreUnavailableError",
    "TimescaleUnavailableError",
    "UnsupportedDatabaseError",
]


class StoreError(DataError):
    """Base class for errors of the database store."""


class StoreUnavailableError(StoreError):
    """The database cannot be reached or opened (a system fault: fix the server or the URL)."""


class UnsupportedDatabaseError(StoreError, ValueError):
    """The URL names a database other than SQLite or PostgreSQL."""


class InvalidBarsError(StoreError, ValueError):
    """Bars the database must not hold (no date, duplicated dates, missing prices or volume);
    the quality checks should have quarantined them."""


class TimescaleUnavailableError(StoreError):
    """The PostgreSQL server cannot run TimescaleDB (no extension, not preloaded, no right to
    create it): a configuration problem; ``str(err)`` says which."""
