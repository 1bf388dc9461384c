"""Raw daily bars in the database: bulk upsert, fast reads, quarantine, and what is stored.

The store keeps bars *as traded* (with the source's adjusted close) per (ticker, source);
adjustment happens on read, elsewhere (``data.bars.adjust_point_in_time``). The schema must
exist first: ``data.store.upgrade(engine)``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any, TypedDict

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from data.bars import RAW_COLUMNS, check_range, normalize_ticker
from data.store import _postgres, _sqlite
from data.store._frames import batch_from_frames, raw_frame
from data.store._result import UpsertResult
from data.store._types import utc_now
from data.store.models import (
    DailyBar,
    Instrument,
    QuarantinedBar,
    bar_values_hash,
    default_asset_class,
)

__all__ = ["BarStore", "TickerSummary", "UpsertResult"]

log = logging.getLogger(__name__)

_BARS = DailyBar.__table__
_QUARANTINE = QuarantinedBar.__table__
_INSTRUMENTS = Instrument.__table__


class TickerSummary(TypedDict):
    """Bars stored for one (ticker, source): how many and over which dates."""

    ticker: str
    source: str
    rows: int
    first_date: date
    last_date: date


def _as_date(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


class BarStore:
    """Daily bars in a SQLite or PostgreSQL database (see ``make_engine`` and ``upgrade``).

    clock: returns the current UTC time, stamped on loaded rows (injectable for tests).
    """

    def __init__(self, engine: Engine, *, clock: Callable[[], datetime] = utc_now) -> None:
        self.engine = engine
        self.clock = clock
        self._dialect = engine.dialect.name

    def upsert_bars(self, *, ticker: str, source: str, raw: pd.DataFrame) -> UpsertResult:
        """Store one ticker's raw bars from ``source``; see ``upsert_many``."""
        return self.upsert_many([(ticker, source, raw)])

    def upsert_many(self, frames: Iterable[tuple[str, str, pd.DataFrame]]) -> UpsertResult:
        """Store raw bars for many (ticker, source, raw frame) triples in one transaction.

        New days are inserted, days whose values changed are updated (``loaded_at`` set to now),
        identical days are left alone, so loading the same data twice changes nothing. The
        instruments are created when missing and their first/last dates widened.
        Raises ``InvalidBarsError`` (nothing stored) for rows without a date, duplicated dates
        or missing prices/volume: quarantine those first (``add_quarantined``).
        """
        batch = batch_from_frames(frames)
        bulk = _postgres if self._dialect == "postgresql" else _sqlite
        return bulk.upsert(self.engine, batch, now=self.clock())

    def read_bars(self, *, ticker: str, source: str, start: date | None, end: date) -> pd.DataFrame:
        """Raw bars of ``ticker`` from ``source`` with ``start <= date <= end``, oldest first.

        The frame has the raw layout (see ``data.bars.to_raw_frame``): a ``date`` index and
        float64 ``open high low close volume adj_close`` (NaN where the source had no adjusted
        close); empty when nothing is stored. Never a row after ``end``.
        """
        check_range(start, end)
        query = sa.select(_BARS.c.date, *(_BARS.c[c] for c in RAW_COLUMNS)).where(
            _BARS.c.ticker == normalize_ticker(ticker),
            _BARS.c.source == source,
            _BARS.c.date <= _as_date(end),
        )
        if start is not None:
            query = query.where(_BARS.c.date >= _as_date(start))
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(_BARS.c.date)).all()
        columns = list(zip(*rows, strict=True)) if rows else [()] * (1 + len(RAW_COLUMNS))
        return raw_frame(columns[0], dict(zip(RAW_COLUMNS, columns[1:], strict=True)))

    def sources(self, ticker: str) -> list[str]:
        """Sources that ``ticker`` has bars from, the one with the most rows first."""
        query = (
            sa.select(_BARS.c.source)
            .where(_BARS.c.ticker == normalize_ticker(ticker))
            .group_by(_BARS.c.source)
            .order_by(sa.func.count().desc(), _BARS.c.source)
        )
        with self.engine.connect() as conn:
            return list(conn.execute(query).scalars())

    def last_loaded(self, ticker: str) -> datetime | None:
        """When ``ticker``'s bars last changed here (a load that inserted or rewrote one), or
        None when it has none: a version that new bars change."""
        query = sa.select(sa.func.max(_BARS.c.loaded_at)).where(
            _BARS.c.ticker == normalize_ticker(ticker)
        )
        with self.engine.connect() as conn:
            found: datetime | None = conn.execute(query).scalar_one_or_none()
        return found

    def tickers(self, *, ticker: str | None = None) -> list[TickerSummary]:
        """Row count and date range per stored (ticker, source), sorted; one ticker if given."""
        query = sa.select(
            _BARS.c.ticker,
            _BARS.c.source,
            sa.func.count().label("rows"),
            sa.func.min(_BARS.c.date).label("first_date"),
            sa.func.max(_BARS.c.date).label("last_date"),
        ).group_by(_BARS.c.ticker, _BARS.c.source)
        if ticker is not None:
            query = query.where(_BARS.c.ticker == normalize_ticker(ticker))
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(_BARS.c.ticker, _BARS.c.source)).all()
        return [
            TickerSummary(
                ticker=row.ticker,
                source=row.source,
                rows=row.rows,
                first_date=row.first_date,
                last_date=row.last_date,
            )
            for row in rows
        ]

    def add_quarantined(self, *, ticker: str, source: str, rows: pd.DataFrame) -> int:
        """Store bars that failed quality checks; return how many were not stored before.

        rows: raw-layout frame (date index; whatever OHLCV columns arrived) with a ``reason``
        column, as ``data.quality.quarantine`` returns it. A row is one (ticker, source,
        date, reason, values): copies of a day with different values are all stored, exact
        copies once, and adding the same rows again stores nothing. Rows without a date
        cannot be keyed and are skipped with a logged warning.
        """
        if "reason" not in rows.columns:
            raise ValueError("quarantined rows need a 'reason' column")
        symbol = normalize_ticker(ticker)
        records = _quarantine_records(symbol, source, rows, self.clock())
        if not records:
            return 0
        with self.engine.begin() as conn:
            self._ensure_instrument(conn, symbol)
            insert = self._insert(_QUARANTINE).on_conflict_do_nothing(
                index_elements=["ticker", "source", "date", "reason", "values_hash"]
            )
            return len(conn.execute(insert.returning(_QUARANTINE.c.id), records).all())

    def _insert(self, table: sa.Table) -> Any:
        dialect = postgresql if self._dialect == "postgresql" else sqlite
        return dialect.insert(table)

    def _ensure_instrument(self, conn: sa.Connection, ticker: str) -> None:
        insert = self._insert(_INSTRUMENTS).values(
            ticker=ticker, asset_class=default_asset_class(ticker), updated_at=self.clock()
        )
        conn.execute(insert.on_conflict_do_nothing(index_elements=["ticker"]))


def _quarantine_records(
    ticker: str, source: str, rows: pd.DataFrame, now: datetime
) -> list[dict[str, Any]]:
    days = pd.DatetimeIndex(pd.to_datetime(rows.index, errors="coerce"))
    dated = np.asarray(days.notna())
    if not dated.all():
        log.warning(
            "%s/%s: %d quarantined rows without a date not stored",
            ticker,
            source,
            int((~dated).sum()),
        )
    values = {
        c: pd.to_numeric(rows[c], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        if c in rows.columns
        else np.full(len(rows), np.nan)
        for c in RAW_COLUMNS
    }
    reasons = rows["reason"].astype(str).tolist()
    records: dict[tuple[date, str, str], dict[str, Any]] = {}
    for i in np.flatnonzero(dated).tolist():
        day = days[i].date()
        record: dict[str, Any] = {
            c: None if np.isnan(v[i]) else float(v[i]) for c, v in values.items()
        }
        digest = bar_values_hash(record)
        record |= {
            "ticker": ticker,
            "source": source,
            "date": day,
            "reason": reasons[i],
            "values_hash": digest,
            "quarantined_at": now,
        }
        records.setdefault((day, reasons[i], digest), record)
    return list(records.values())
