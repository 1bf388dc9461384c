"""Raw-bar frames to column arrays for bulk loading, and query rows back to raw frames."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from data.bars import BAR_COLUMNS, RAW_COLUMNS, empty_raw_frame, normalize_ticker
from data.store.errors import InvalidBarsError

FloatArray = np.ndarray

# the unit providers get from parsing dates ("us" in pandas 3), so frames compare equal
_UNIT = pd.to_datetime(["2000-01-03"]).unit


@dataclass(frozen=True, slots=True)
class BarBatch:
    """Bars of one or more (ticker, source) pairs as aligned column arrays.

    keys: the (ticker, source) pairs; pair: int32 array, each row's position in ``keys``;
    day: datetime64[D]; values: float64 arrays keyed by ``RAW_COLUMNS`` (``adj_close`` may hold
    NaN, the others never do). Rows of one pair are contiguous and sorted by day.
    """

    keys: tuple[tuple[str, str], ...]
    pair: np.ndarray
    day: np.ndarray
    values: dict[str, FloatArray]

    def __len__(self) -> int:
        return len(self.day)

    def column(self, which: int) -> np.ndarray:
        """Each row's ticker (``which=0``) or source (``which=1``) as an object array."""
        names = np.array([key[which] for key in self.keys] or [""], dtype=object)
        return names[self.pair]

    def ticker_spans(self) -> dict[str, tuple[np.datetime64, np.datetime64]]:
        """First and last day per ticker, over all of its sources in the batch."""
        spans: dict[str, tuple[np.datetime64, np.datetime64]] = {}
        if len(self) == 0:
            return spans
        starts = np.flatnonzero(np.r_[True, self.pair[1:] != self.pair[:-1]])
        ends = np.r_[starts[1:], len(self)] - 1
        for lo, hi in zip(starts.tolist(), ends.tolist(), strict=True):
            ticker = self.keys[int(self.pair[lo])][0]
            first, last = self.day[lo], self.day[hi]
            if ticker in spans:
                first, last = min(first, spans[ticker][0]), max(last, spans[ticker][1])
            spans[ticker] = (first, last)
        return spans


def _days(frame: pd.DataFrame, label: str) -> np.ndarray:
    index = frame.index
    if not isinstance(index, pd.DatetimeIndex):
        index = pd.DatetimeIndex(pd.to_datetime(index))
    if index.tz is not None:
        index = index.tz_localize(None)
    days = index.to_numpy(dtype="datetime64[D]")
    if np.isnat(days).any():
        raise InvalidBarsError(f"{label}: rows without a date; quarantine them first")
    return days


def _values(frame: pd.DataFrame, label: str) -> dict[str, FloatArray]:
    missing = [c for c in BAR_COLUMNS if c not in frame.columns]
    if missing:
        raise InvalidBarsError(f"{label}: bars are missing columns {missing}")
    n = len(frame)
    values = {
        c: frame[c].to_numpy(dtype="float64", na_value=np.nan)
        if c in frame.columns
        else np.full(n, np.nan)
        for c in RAW_COLUMNS
    }
    bad = np.zeros(n, dtype=bool)
    for c in BAR_COLUMNS:
        bad |= ~np.isfinite(values[c])
    if bad.any():
        raise InvalidBarsError(
            f"{label}: {int(bad.sum())} rows with a missing or infinite open/high/low/close/volume;"
            " quarantine them first (data.quality)"
        )
    return values


def _one(label: str, source: str, raw: pd.DataFrame) -> tuple[np.ndarray, dict[str, FloatArray]]:
    if not source or not source.strip():
        raise InvalidBarsError(f"{label}: the source must be a non-empty name")
    days = _days(raw, label)
    values = _values(raw, label)
    order = np.argsort(days, kind="stable")
    if np.any(np.diff(days[order]) == np.timedelta64(0, "D")):
        raise InvalidBarsError(f"{label}: duplicated dates; quarantine them first")
    if not np.all(order == np.arange(len(order))):
        days = days[order]
        values = {c: v[order] for c, v in values.items()}
    return days, values


def batch_from_frames(frames: Iterable[tuple[str, str, pd.DataFrame]]) -> BarBatch:
    """Validate and stack (ticker, source, raw frame) triples into one batch.

    Raises ``InvalidTickerError`` for a bad symbol and ``InvalidBarsError`` for rows the
    database must not hold (no date, duplicated dates, missing OHLCV) or a pair given twice.
    """
    keys: dict[tuple[str, str], int] = {}
    days: list[np.ndarray] = []
    values: list[dict[str, FloatArray]] = []
    for ticker, source, raw in frames:
        key = (normalize_ticker(ticker), source)
        if key in keys:
            raise InvalidBarsError(f"{key[0]}/{source}: given twice in one load; concatenate")
        day, vals = _one(f"{key[0]}/{source}", source, raw)
        if len(day):
            keys[key] = len(keys)
            days.append(day)
            values.append(vals)
    sizes = [len(d) for d in days]
    return BarBatch(
        keys=tuple(keys),
        pair=np.repeat(np.arange(len(keys), dtype=np.int32), sizes),
        day=np.concatenate(days) if days else np.array([], dtype="datetime64[D]"),
        values={
            c: np.concatenate([v[c] for v in values]) if values else np.array([], dtype="float64")
            for c in RAW_COLUMNS
        },
    )


def iso_days(days: np.ndarray) -> list[str]:
    """``YYYY-MM-DD`` for each datetime64[D] value, formatting each day of the span once."""
    if len(days) == 0:
        return []
    offsets = days.view("int64")
    first = int(offsets.min())
    span = np.arange(first, int(offsets.max()) + 1).astype("datetime64[D]")
    labels = np.datetime_as_string(span, unit="D").astype(object)
    return labels[offsets - first].tolist()


def nullable(values: FloatArray) -> list[float | None]:
    """Floats as a list with NaN turned into None (SQL NULL)."""
    out: list[float | None] = values.tolist()
    if np.isnan(values).any():
        for i in np.flatnonzero(np.isnan(values)).tolist():
            out[i] = None
    return out


def raw_frame(dates: Sequence[Any], columns: dict[str, Sequence[Any]]) -> pd.DataFrame:
    """A raw-bars frame from query results: dates (str or date) and one sequence per column.

    NULL adjusted closes become NaN; columns are float64 and the index is named ``date``.
    """
    if len(dates) == 0:
        return empty_raw_frame()
    index = pd.DatetimeIndex(np.asarray(dates, dtype="datetime64[D]"), name="date")
    return pd.DataFrame(
        {c: np.asarray(columns[c], dtype="float64") for c in RAW_COLUMNS},
        index=index.as_unit(_UNIT),
    )
