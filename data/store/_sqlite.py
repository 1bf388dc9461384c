"""Bulk upsert of daily bars on SQLite: one ``executemany`` of an upsert in one write transaction.

``INSERT ... ON CONFLICT DO UPDATE ... WHERE <a value differs>`` touches only rows that are new or
changed, so loading the same data twice writes nothing (``loaded_at`` keeps its first value).
The write lock is taken up front (``BEGIN IMMEDIATE``), so the row counts before and after the
load, which tell inserted from updated rows, cannot be disturbed by another writer.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy.engine import Engine

from data.store._frames import BarBatch, iso_days, nullable
from data.store._result import UpsertResult
from data.store.models import default_asset_class

_VALUES = ("open", "high", "low", "close", "volume", "adj_close")
_COLUMNS = ("ticker", "source", "date", *_VALUES, "loaded_at")

UPSERT_SQL = (
    f"INSERT INTO daily_bars ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))}) "
    "ON CONFLICT (ticker, source, date) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in (*_VALUES, "loaded_at"))
    + " WHERE "
    + " OR ".join(f"daily_bars.{c} IS NOT excluded.{c}" for c in _VALUES)
)
_COUNT_SQL = "SELECT count(*) FROM daily_bars WHERE ticker = ? AND source = ?"
_INSTRUMENT_SQL = (
    "INSERT INTO instruments (ticker, asset_class, updated_at) VALUES (?, ?, ?) "
    "ON CONFLICT (ticker) DO NOTHING"
)
_SPAN_SQL = (
    "UPDATE instruments SET first_date = min(coalesce(first_date, ?2), ?2), "
    "last_date = max(coalesce(last_date, ?3), ?3), updated_at = ?4 WHERE ticker = ?1 "
    "AND (first_date IS NULL OR last_date IS NULL OR first_date > ?2 OR last_date < ?3)"
)


def sqlite_timestamp(when: datetime) -> str:
    """``when`` (UTC) as SQLAlchemy stores DateTime values on SQLite."""
    return when.strftime("%Y-%m-%d %H:%M:%S.%f")


def _rows(batch: BarBatch, stamp: str) -> Iterator[tuple[Any, ...]]:
    prices = [batch.values[c].tolist() for c in _VALUES[:-1]]
    return zip(
        batch.column(0).tolist(),
        batch.column(1).tolist(),
        iso_days(batch.day),
        *prices,
        nullable(batch.values["adj_close"]),
        [stamp] * len(batch),
        strict=True,
    )


def _count(cursor: Any, keys: tuple[tuple[str, str], ...]) -> int:
    return sum(cursor.execute(_COUNT_SQL, key).fetchone()[0] for key in keys)


def _load(cursor: Any, batch: BarBatch, stamp: str) -> tuple[int, int]:
    """Run the load on an open write transaction; return (inserted, inserted + updated)."""
    spans = batch.ticker_spans()
    cursor.executemany(_INSTRUMENT_SQL, [(t, default_asset_class(t), stamp) for t in spans])
    before = _count(cursor, batch.keys)
    cursor.executemany(UPSERT_SQL, _rows(batch, stamp))
    changed = cursor.rowcount
    inserted = _count(cursor, batch.keys) - before
    ends = [(t, *iso_days(np.array(span)), stamp) for t, span in spans.items()]
    cursor.executemany(_SPAN_SQL, ends)
    return inserted, changed


def upsert(engine: Engine, batch: BarBatch, *, now: datetime) -> UpsertResult:
    """Insert new bars and update changed ones, in one transaction; see the module docstring."""
    if len(batch) == 0:
        return UpsertResult(0, 0, 0)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("BEGIN IMMEDIATE")
        try:
            inserted, changed = _load(cursor, batch, sqlite_timestamp(now))
            cursor.execute("COMMIT")
        except BaseException:
            # SQLite may have rolled back already (a full disk, SQLITE_FULL, does): a second
            # ROLLBACK would fail with "cannot rollback" and hide the real error.
            driver = raw.driver_connection
            if driver is None or driver.in_transaction:
                cursor.execute("ROLLBACK")
            raise
    finally:
        raw.close()
    return UpsertResult(
        inserted=inserted, updated=changed - inserted, unchanged=len(batch) - changed
    )
