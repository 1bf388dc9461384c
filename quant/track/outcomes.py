"""What happened after each call: forward returns and hits from one ticker's closes.

Pure and vectorised; no clock: a call is "due" only when its outcome bar is among the closes
given, so closes that end at day t (``MarketData.bars(..., end=t)``) resolve exactly the calls
whose outcome was known at t, with the same numbers a longer series gives. Definitions (those
of the decision calibration, ``evals.calibration.scoring``):

- **Entry**: the last bar with a close on or before the call's as-of date (NaN closes are no
  bar). A call dated on a holiday enters at the session before.
- **Outcome bar**: ``horizon`` bars after the entry; the call is due when it exists in the
  closes (it always falls after the call's date: the entry is the last bar on or before it).
- **Forward return**: outcome close / entry close - 1 (close to close, adjusted prices).
- **Trailing return**: entry close / the close ``lookback`` bars before - 1 (NaN with fewer
  bars): the momentum baseline's input, reading nothing after the entry.
- **Hit**: BUY or STRONG BUY with a return > 0, SELL or STRONG SELL with a return < 0 (exactly 0
  is a miss either way). HOLD states no direction: its hit is NaN, and hit rates leave it out.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from quant.arrays import FloatArray, IntArray
from quant.signals.action import Action

__all__ = ["UnknownActionError", "direction_of", "forward_outcomes", "hits"]


class UnknownActionError(ValueError):
    """An action that is none of the five (STRONG BUY, BUY, HOLD, SELL, STRONG SELL)."""


def direction_of(actions: Sequence[str]) -> IntArray:
    """+1 for buys, -1 for sells, 0 for HOLD; raises ``UnknownActionError`` for anything else."""
    known = {a.value: a.direction for a in Action}
    unknown = sorted({a for a in actions if a not in known})
    if unknown:
        raise UnknownActionError(f"unknown action(s): {', '.join(map(repr, unknown))}")
    return np.array([known[a] for a in actions], dtype=np.int64)


def hits(*, actions: Sequence[str], returns: FloatArray) -> FloatArray:
    """1.0 for a hit, 0.0 for a miss, NaN for HOLD or a NaN return (module docstring)."""
    direction = direction_of(actions)
    ret = np.asarray(returns, dtype=np.float64)
    if ret.shape != direction.shape:
        raise ValueError(f"{len(direction)} actions for {ret.size} returns")
    out = (direction * ret > 0).astype(np.float64)
    out[(direction == 0) | np.isnan(ret)] = np.nan
    return out


def forward_outcomes(
    closes: pd.Series,
    *,
    as_of: pd.DatetimeIndex,
    horizon: IntArray,
    lookback: int = 20,
) -> pd.DataFrame:
    """Entry and outcome dates, forward and trailing returns of calls on one ticker.

    closes: close prices indexed by date (any order; NaN closes are dropped). as_of, horizon:
    one entry per call (horizon in bars, >= 1). Returns one row per call, in order (a
    RangeIndex), with columns ``entry_date``, ``outcome_date`` (NaT when not due),
    ``forward_return`` (NaN when not due) and ``trailing_return`` (NaN with no entry or too
    little history).
    """
    steps = np.asarray(horizon, dtype=np.int64)
    if steps.shape != (len(as_of),):
        raise ValueError(f"{len(as_of)} calls for {steps.size} horizons")
    if steps.size and steps.min() < 1:
        raise ValueError("horizons must be whole numbers of bars >= 1")
    if lookback < 1:
        raise ValueError(f"lookback must be >= 1, got {lookback}")
    clean = closes.dropna().sort_index()
    days = pd.DatetimeIndex(clean.index).to_numpy(dtype="datetime64[ns]")
    values = np.append(clean.to_numpy(dtype=np.float64), np.nan)  # index -1 reads the NaN
    calls = pd.DatetimeIndex(as_of).to_numpy(dtype="datetime64[ns]")
    entry = np.searchsorted(days, calls, side="right") - 1
    exit_ = entry + steps
    n = days.size
    due = (entry >= 0) & (exit_ < n)
    back = entry - lookback
    with np.errstate(invalid="ignore", divide="ignore"):
        forward = values[np.where(due, exit_, -1)] / values[np.where(entry >= 0, entry, -1)] - 1.0
        trailing = values[np.where(entry >= 0, entry, -1)] / values[np.where(back >= 0, back, -1)]
    nat = np.datetime64("NaT", "ns")
    padded_days = np.append(days, nat)
    return pd.DataFrame(
        {
            "entry_date": padded_days[np.where(entry >= 0, entry, -1)],
            "outcome_date": padded_days[np.where(due, exit_, -1)],
            "forward_return": np.where(due, forward, np.nan),
            "trailing_return": trailing - 1.0,
        }
    )
