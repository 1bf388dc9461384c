"""Bars in, contiguous float64 arrays out: validation and data windows (bars are cut at the
as-of date by ``core.asof.up_to``).

TA-Lib needs C-contiguous float64 arrays, and every indicator here is computed on such arrays;
a DataFrame is built once, at the end. Bars are daily OHLCV: a strictly increasing
``DatetimeIndex`` (oldest first) and float columns ``open high low close volume``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

import numpy as np
import pandas as pd

from quant.arrays import FloatArray
from quant.indicators.errors import InsufficientDataError, InvalidBarsError

BAR_COLUMNS: tuple[str, ...] = ("open", "high", "low", "close", "volume")
_BAR_INDEX = pd.Index(BAR_COLUMNS)


class OHLCV(NamedTuple):
    """One C-contiguous float64 array per bar column, all of shape (n_bars,)."""

    open: FloatArray
    high: FloatArray
    low: FloatArray
    close: FloatArray
    volume: FloatArray


@dataclass(frozen=True, slots=True)
class DataWindow:
    """The bars a number was computed from: first and last bar date, and how many bars."""

    first: date
    last: date
    bars: int

    def to_dict(self) -> dict[str, object]:
        return {"first": self.first.isoformat(), "last": self.last.isoformat(), "bars": self.bars}


def ohlcv_arrays(bars: pd.DataFrame) -> OHLCV:
    """Validate ``bars`` and return its columns as contiguous float64 arrays.

    Raises ``InvalidBarsError`` for a missing column, an index that is not a strictly
    increasing ``DatetimeIndex``, a NaN or infinite value, a price <= 0 or a negative volume.
    The arrays may be read-only views of the frame's data (when its five columns are one
    float64 block): read them, don't write to them.
    """
    index = bars.index
    if not isinstance(index, pd.DatetimeIndex):
        raise InvalidBarsError("bars need a DatetimeIndex of bar dates, oldest first")
    if not (index.is_monotonic_increasing and index.is_unique):
        raise InvalidBarsError("bar dates must be strictly increasing: sort and de-duplicate them")
    frame = bars
    if not bars.columns.equals(_BAR_INDEX):  # one to_numpy beats selecting columns by label
        missing = [c for c in BAR_COLUMNS if c not in bars.columns]
        if missing:
            raise InvalidBarsError(f"bars are missing columns {missing}; need {list(BAR_COLUMNS)}")
        frame = bars[list(BAR_COLUMNS)]
    # float columns give the transpose of a (5, n_bars) C-ordered array: no further copy
    block = frame.to_numpy().T
    if block.dtype != np.float64 or not block.flags.c_contiguous:
        block = np.ascontiguousarray(block, dtype=np.float64)
    if block.shape[1]:
        # min reductions propagate NaN (and NaN > 0 is False): these comparisons also reject
        # NaN and -inf; the max rejects +inf
        o, h, lo, c, v = block.min(axis=1).tolist()
        if not (o > 0 and h > 0 and lo > 0 and c > 0 and v >= 0 and block.max() < math.inf):
            _explain_bad_values(block)
    return OHLCV(*block)


def _explain_bad_values(block: FloatArray) -> None:
    finite = np.isfinite(block)
    if not finite.all():
        bad = [c for c, ok in zip(BAR_COLUMNS, np.all(finite, axis=1), strict=True) if not ok]
        rows = int((~finite.all(axis=0)).sum())
        raise InvalidBarsError(
            f"{rows} bar(s) have NaN or infinite values in {bad}: repair or drop them first"
        )
    if (block[:4] <= 0).any():
        raise InvalidBarsError("prices must be positive: found open/high/low/close <= 0")
    raise InvalidBarsError("volume must be non-negative: found a volume < 0")


def require_history(bars: pd.DataFrame, *, as_of: date, warmup: int) -> DataWindow:
    """Check that ``bars`` (already cut at ``as_of``) hold ``warmup + 1`` bars; describe them.

    Raises ``InsufficientDataError`` saying how many bars are needed and how many there are.
    """
    if warmup < 0:
        raise ValueError(f"warmup must be >= 0, got {warmup}")
    needed, available = warmup + 1, len(bars)
    if available < needed:
        raise InsufficientDataError(
            f"need at least {needed} bars up to {as_of.isoformat()} ({warmup} warm-up bars "
            f"+ 1), but only {available} are available",
            needed=needed,
            available=available,
        )
    return DataWindow(first=bars.index[0].date(), last=bars.index[-1].date(), bars=available)
