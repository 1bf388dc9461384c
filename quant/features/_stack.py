"""Many tickers' bars as bar-aligned matrices, and the (date, ticker) panel they map back to.

A ``BarStack`` holds matrices of shape ``(max_bars, n_tickers)``: column ``j`` is ticker ``j``'s
usable bars, oldest first, from row 0 to ``lengths[j] - 1``, then NaN padding. Rolling windows
and shifts along axis 0 therefore run on each ticker's own trading calendar, one vectorised call
for all tickers, and a ticker's values never depend on which other tickers are in the universe.

A bar is *usable* when open, high, low and close are finite and positive and volume is finite and
non-negative; other rows stay in the panel with NaN features.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt
import pandas as pd

from core.asof import up_to
from quant.arrays import BoolArray, FloatArray, IntArray

BAR_COLUMNS: tuple[str, ...] = ("open", "high", "low", "close", "volume")
DateArray = npt.NDArray[np.datetime64]


@dataclass(frozen=True, slots=True)
class BarStack:
    """OHLCV of many tickers as ``(max_bars, n_tickers)`` float64 matrices (see module doc)."""

    tickers: tuple[str, ...]
    lengths: IntArray
    dates: DateArray  # datetime64[ns], NaT in the padding
    open: FloatArray
    high: FloatArray
    low: FloatArray
    close: FloatArray
    volume: FloatArray

    @property
    def shape(self) -> tuple[int, int]:
        return self.close.shape


@dataclass(frozen=True, slots=True)
class PanelLayout:
    """Where each row of the sorted (date, ticker) panel reads its value in a stack matrix."""

    index: pd.MultiIndex
    date_code: IntArray  # per panel row: position of its date in index.levels[0]
    ticker_code: IntArray  # per panel row: position of its ticker in index.levels[1]
    flat_f: IntArray  # per panel row: flat index of its bar in a Fortran-ordered stack matrix
    flat_c: IntArray  # the same in a C-ordered matrix
    unusable: IntArray  # panel rows without a usable bar (their flat indices are 0)

    @property
    def n_rows(self) -> int:
        return len(self.index)

    def scatter(self, matrix: FloatArray, *, out: FloatArray | None = None) -> FloatArray:
        """A stack-shaped matrix as one value per panel row (NaN on rows without a usable bar).

        Writes into ``out`` (a contiguous float64 array of length ``n_rows``) when given.
        """
        out = np.empty(self.n_rows) if out is None else out
        if matrix.size == 0:
            out.fill(np.nan)
            return out
        if matrix.flags.f_contiguous:
            np.take(matrix.ravel(order="F"), self.flat_f, out=out)
        else:
            np.take(np.ascontiguousarray(matrix).ravel(), self.flat_c, out=out)
        out[self.unusable] = np.nan
        return out

    def broadcast(self, per_date: FloatArray, *, out: FloatArray | None = None) -> FloatArray:
        """One value per date of ``index.levels[0]`` copied to every panel row on that date."""
        out = np.empty(self.n_rows) if out is None else out
        np.take(per_date, self.date_code, out=out)
        out[self.unusable] = np.nan
        return out


def _checked(
    frame: pd.DataFrame,
    ticker: str,
    as_of: date | None,
    *,
    required: tuple[str, ...] = BAR_COLUMNS,
) -> pd.DataFrame:
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ValueError(f"{ticker}: bars are missing columns {missing}")
    if not isinstance(frame.index, pd.DatetimeIndex):
        raise ValueError(f"{ticker}: bars need a DatetimeIndex")
    if not (frame.index.is_monotonic_increasing and frame.index.is_unique):
        raise ValueError(f"{ticker}: bar dates must be unique and sorted oldest first")
    if as_of is not None:
        frame = up_to(frame, as_of=as_of)
    return frame


def usable_mask(frame: pd.DataFrame) -> BoolArray:
    """Rows whose prices are finite and positive and whose volume is finite and non-negative."""
    prices = frame.loc[:, ["open", "high", "low", "close"]].to_numpy("float64", na_value=np.nan)
    volume = frame["volume"].to_numpy(dtype="float64", na_value=np.nan)
    ok = np.isfinite(prices).all(axis=1) & (prices > 0).all(axis=1)
    return ok & np.isfinite(volume) & (volume >= 0)


def stack_bars(
    bars: Mapping[str, pd.DataFrame], *, as_of: date | None
) -> tuple[BarStack, PanelLayout]:
    """Stack ``bars`` (truncated at ``as_of`` first) and lay out the panel they produce."""
    tickers = tuple(sorted(bars))
    frames = [_checked(bars[t], t, as_of) for t in tickers]
    masks = [usable_mask(f) for f in frames]
    lengths = np.array([int(m.sum()) for m in masks], dtype=np.int64)
    n_bars = int(lengths.max()) if len(tickers) else 0
    shape = (n_bars, len(tickers))
    mats = {c: np.full(shape, np.nan, order="F") for c in BAR_COLUMNS}
    dates = np.full(shape, np.datetime64("NaT", "ns"), dtype="datetime64[ns]", order="F")
    for j, (frame, mask) in enumerate(zip(frames, masks, strict=True)):
        n = lengths[j]
        for c in BAR_COLUMNS:
            mats[c][:n, j] = frame[c].to_numpy(dtype="float64", na_value=np.nan)[mask]
        dates[:n, j] = frame.index.to_numpy(dtype="datetime64[ns]")[mask]
    stack = BarStack(tickers=tickers, lengths=lengths, dates=dates, **mats)
    return stack, _layout(frames, masks, tickers)


def _layout(
    frames: list[pd.DataFrame], masks: list[BoolArray], tickers: tuple[str, ...]
) -> PanelLayout:
    row_dates = np.concatenate(
        [f.index.to_numpy(dtype="datetime64[ns]") for f in frames]
        or [np.array([], dtype="datetime64[ns]")]
    )
    row_ticker = np.concatenate(
        [np.full(len(f), j, dtype=np.int64) for j, f in enumerate(frames)]
        or [np.array([], dtype=np.int64)]
    )
    row_usable = np.concatenate(masks or [np.array([], dtype=bool)])
    row_k = np.concatenate(
        [np.cumsum(m) - 1 for m in masks] or [np.array([], dtype=np.int64)]
    ).astype(np.int64)
    n_bars = max((int(m.sum()) for m in masks), default=0)
    order = np.lexsort((row_ticker, row_dates))
    levels_dates, date_code = np.unique(row_dates[order], return_inverse=True)
    ticker_code = row_ticker[order]
    # pandas-stubs type levels and codes as sequences: indexes and arrays (what pandas takes
    # and keeps without copying) are not in their union
    index = pd.MultiIndex(
        levels=[pd.DatetimeIndex(levels_dates, name="date"), pd.Index(tickers, dtype=object)],  # type: ignore[list-item]
        codes=[date_code, ticker_code],  # type: ignore[list-item]
        names=["date", "ticker"],
        verify_integrity=False,
    )
    return PanelLayout(
        index=index,
        date_code=date_code.astype(np.int64),
        ticker_code=ticker_code,
        flat_f=np.where(row_usable, row_k + row_ticker * n_bars, 0)[order],
        flat_c=np.where(row_usable, row_k * len(tickers) + row_ticker, 0)[order],
        unusable=np.flatnonzero(~row_usable[order]),
    )


def prepare_benchmark(benchmark: pd.DataFrame | None, *, as_of: date | None) -> pd.Series | None:
    """The benchmark's usable closes on or before ``as_of`` (None without a benchmark)."""
    if benchmark is None:
        return None
    frame = _checked(benchmark, "benchmark", as_of, required=("close",))
    close = frame["close"].astype("float64")
    return close[np.isfinite(close) & (close > 0)]


def asof_positions(source: pd.DatetimeIndex, targets: DateArray) -> IntArray:
    """For each target date, the position of the last ``source`` date on or before it (-1: none).

    ``source`` must be sorted; NaT targets get -1. Only the past is ever matched.
    """
    pos = np.searchsorted(source.to_numpy(dtype="datetime64[ns]"), targets, side="right") - 1
    pos[np.isnat(targets)] = -1
    return pos


def align_to_stack(dates: pd.DatetimeIndex, values: FloatArray, stack: BarStack) -> FloatArray:
    """Values dated ``dates`` carried onto every stack bar: the last value dated on or before it.

    An as-of join: a bar before the first date gets NaN; no later value is ever used.
    """
    pos = asof_positions(dates, stack.dates.ravel(order="F")).reshape(stack.shape, order="F")
    if len(values) == 0:
        return np.full(stack.shape, np.nan, order="F")
    return np.where(pos >= 0, values[np.maximum(pos, 0)], np.nan)
