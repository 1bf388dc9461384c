"""Bulk upsert of daily bars on PostgreSQL: binary ``COPY`` into temp tables, then set-based SQL.

The batch travels as PostgreSQL's binary COPY format, built with numpy (fixed-width rows: a
pair id, the day and six float8; a missing adjusted close travels as NaN and becomes NULL), so
no Python object is made per row. Then, in one transaction that holds a lock excluding other
writers of ``daily_bars`` (readers are not blocked):

- pairs (ticker, source) with no stored rows are inserted with a plain ``INSERT ... SELECT``;
- for pairs with stored rows, one join keeps the days that are new or whose values are
  ``IS DISTINCT FROM`` the stored ones (usually few), then one ``UPDATE ... FROM`` and one
  ``INSERT ... SELECT`` apply them.

This is an upsert: loading the same data twice writes nothing (``loaded_at`` is untouched).
Measured on 1M rows (2 cores), ``INSERT ... ON CONFLICT DO UPDATE ... WHERE ... IS DISTINCT
FROM`` took 4.5-4.9 s for a first load (speculative insertion probes the index twice per row)
and 2.7-3.2 s for a repeated one; this takes about 2 s and 1 s. The lock makes the plain insert
safe against concurrent loaders.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy.engine import Engine

from data.store._frames import BarBatch
from data.store._result import UpsertResult
from data.store.models import default_asset_class

_VALUES = ("open", "high", "low", "close", "volume", "adj_close")
_EPOCH = np.datetime64("2000-01-01", "D")
_HEADER = b"PGCOPY\n\xff\r\n\x00" + b"\x00" * 8
_TRAILER = b"\xff\xff"
_ROW = np.dtype(
    [("n", ">i2"), ("pair_len", ">i4"), ("pair", ">i4"), ("date_len", ">i4"), ("date", ">i4")]
    + [field for c in _VALUES for field in ((f"{c}_len", ">i4"), (c, ">f8"))]
)
_CHUNK = 65_536

_PREPARE = (
    "LOCK TABLE daily_bars IN SHARE ROW EXCLUSIVE MODE",
    "SET LOCAL work_mem = '256MB'",
    "CREATE TEMP TABLE _sd_bars (pair int4 NOT NULL, date date NOT NULL, open float8,"
    " high float8, low float8, close float8, volume float8, adj_close float8) ON COMMIT DROP",
    "CREATE TEMP TABLE _sd_pairs (pair int4 PRIMARY KEY, ticker text NOT NULL,"
    " source text NOT NULL, existing bool NOT NULL DEFAULT false) ON COMMIT DROP",
)
_INSTRUMENT = (
    "INSERT INTO instruments (ticker, asset_class, updated_at) VALUES (%s, %s, %s)"
    " ON CONFLICT (ticker) DO NOTHING"
)
_MARK_EXISTING = (
    "UPDATE _sd_pairs p SET existing = true WHERE EXISTS (SELECT 1 FROM daily_bars d"
    " WHERE d.ticker = p.ticker AND d.source = p.source)"
)
_NEW = "b.open, b.high, b.low, b.close, b.volume, NULLIF(b.adj_close, 'NaN'::float8)"
_SOURCE = "FROM _sd_bars b JOIN _sd_pairs p ON p.pair = b.pair"
_INSERT = (
    "INSERT INTO daily_bars (ticker, source, date, open, high, low, close, volume, adj_close,"
    f" loaded_at) SELECT p.ticker, p.source, b.date, {_NEW}, %(now)s {_SOURCE} WHERE NOT p.existing"
)
_DIFF = (
    "CREATE TEMP TABLE _sd_diff ON COMMIT DROP AS SELECT p.ticker, p.source, b.date, b.open,"
    " b.high, b.low, b.close, b.volume, NULLIF(b.adj_close, 'NaN'::float8) AS adj_close,"
    f" d.date IS NULL AS is_new {_SOURCE} LEFT JOIN daily_bars d ON d.ticker = p.ticker"
    " AND d.source = p.source AND d.date = b.date WHERE p.existing AND (d.date IS NULL"
    f" OR (d.open, d.high, d.low, d.close, d.volume, d.adj_close) IS DISTINCT FROM ({_NEW}))"
)
_UPDATE_CHANGED = (
    "UPDATE daily_bars d SET (open, high, low, close, volume, adj_close, loaded_at) ="
    " (x.open, x.high, x.low, x.close, x.volume, x.adj_close, %(now)s) FROM _sd_diff x"
    " WHERE NOT x.is_new AND d.ticker = x.ticker AND d.source = x.source AND d.date = x.date"
)
_INSERT_MISSING = (
    "INSERT INTO daily_bars (ticker, source, date, open, high, low, close, volume, adj_close,"
    " loaded_at) SELECT ticker, source, date, open, high, low, close, volume, adj_close,"
    " %(now)s FROM _sd_diff WHERE is_new"
)
_SPAN = (
    "UPDATE instruments SET first_date = LEAST(first_date, %(first)s),"
    " last_date = GREATEST(last_date, %(last)s), updated_at = %(now)s WHERE ticker = %(ticker)s"
    " AND (first_date IS NULL OR last_date IS NULL OR first_date > %(first)s"
    " OR last_date < %(last)s)"
)


def _copy_chunks(batch: BarBatch) -> Iterator[bytes]:
    """The batch as PostgreSQL binary COPY data for ``_sd_bars``, in chunks."""
    yield _HEADER
    buffer = np.empty(min(_CHUNK, len(batch)), dtype=_ROW)
    buffer["n"] = 2 + len(_VALUES)
    buffer["pair_len"] = buffer["date_len"] = 4
    for c in _VALUES:
        buffer[f"{c}_len"] = 8
    days = (batch.day - _EPOCH).astype(np.int32)
    for lo in range(0, len(batch), _CHUNK):
        hi = min(lo + _CHUNK, len(batch))
        rows = buffer[: hi - lo]
        rows["pair"] = batch.pair[lo:hi]
        rows["date"] = days[lo:hi]
        for c in _VALUES:
            rows[c] = batch.values[c][lo:hi]
        yield rows.tobytes()
    yield _TRAILER


def _stage(cursor: Any, batch: BarBatch) -> None:
    for statement in _PREPARE:
        cursor.execute(statement)
    with cursor.copy("COPY _sd_bars FROM STDIN (FORMAT BINARY)") as copy:
        for chunk in _copy_chunks(batch):
            copy.write(chunk)
    with cursor.copy("COPY _sd_pairs (pair, ticker, source) FROM STDIN") as copy:
        for index, (ticker, source) in enumerate(batch.keys):
            copy.write_row((index, ticker, source))


def _merge(cursor: Any, n_pairs: int, now: datetime) -> tuple[int, int]:
    """Insert and update from the staged tables; return (inserted, updated).

    Pairs with stored rows go through one join that keeps only the new or changed days
    (``_sd_diff``, usually small), so a repeated load reads the stored rows once.
    """
    cursor.execute(_MARK_EXISTING)
    existing = cursor.rowcount
    inserted = updated = 0
    if existing < n_pairs:
        cursor.execute(_INSERT, {"now": now})
        inserted = cursor.rowcount
    if existing:
        cursor.execute("ANALYZE _sd_bars")
        cursor.execute("ANALYZE _sd_pairs")
        cursor.execute(_DIFF)
        cursor.execute("ANALYZE _sd_diff")
        cursor.execute(_UPDATE_CHANGED, {"now": now})
        updated = cursor.rowcount
        cursor.execute(_INSERT_MISSING, {"now": now})
        inserted += cursor.rowcount
    return inserted, updated


def _spans(batch: BarBatch, now: datetime) -> list[dict[str, Any]]:
    return [
        {"ticker": t, "first": first.item(), "last": last.item(), "now": now}
        for t, (first, last) in batch.ticker_spans().items()
    ]


def upsert(engine: Engine, batch: BarBatch, *, now: datetime) -> UpsertResult:
    """Insert new bars and update changed ones, in one transaction; see the module docstring."""
    if len(batch) == 0:
        return UpsertResult(0, 0, 0)
    raw = engine.raw_connection()
    try:
        with closing(raw.cursor()) as cursor:
            _stage(cursor, batch)
            spans = _spans(batch, now)
            instruments = [(s["ticker"], default_asset_class(s["ticker"]), now) for s in spans]
            cursor.executemany(_INSTRUMENT, instruments)
            inserted, updated = _merge(cursor, len(batch.keys), now)
            cursor.executemany(_SPAN, spans)
        raw.commit()
    except BaseException:
        raw.rollback()
        raise
    finally:
        raw.close()
    return UpsertResult(
        inserted=inserted, updated=updated, unchanged=len(batch) - inserted - updated
    )
