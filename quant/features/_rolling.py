"""Trailing-window kernels on ``(bars, tickers)`` matrices, column by column, never centred.

Every function here reads row ``k`` and earlier rows only. Windows need all of their values:
a window holding a NaN gives NaN (``min_periods == window``), so a short history is NaN, not a
guess. Ratios with a zero denominator are left to the caller, which turns +-inf into NaN.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import talib
from pandas.api.typing import Rolling

from quant.arrays import FloatArray, IntArray

TRADING_DAYS = 252
# One-bar moves smaller than this (relative) are rounding noise, e.g. from rescaling prices by
# an adjustment factor: they count as unchanged, so that up/down counts are scale-free.
UNCHANGED = 1e-9


def lag(x: FloatArray, periods: int) -> FloatArray:
    """``x`` shifted ``periods`` rows down (the value ``periods`` bars earlier), NaN on top."""
    if periods < 1:
        raise ValueError("lag needs periods >= 1 (a negative lag would read the future)")
    out = np.full_like(x, np.nan)
    out[periods:] = x[:-periods]
    return out


def change(x: FloatArray, periods: int) -> FloatArray:
    """Simple return over ``periods`` bars: ``x / x[periods bars earlier] - 1``."""
    return x / lag(x, periods) - 1.0


def log_return(x: FloatArray) -> FloatArray:
    """One-bar log return ``ln(x / x[1 bar earlier])``."""
    return np.log(x / lag(x, 1))


def direction(x: FloatArray) -> FloatArray:
    """+1 / -1 / 0 for a rise / fall / no change (within ``UNCHANGED``) since the bar before."""
    ret = change(x, 1)
    return np.where(np.isnan(ret), np.nan, np.where(np.abs(ret) <= UNCHANGED, 0.0, np.sign(ret)))


def _rolling(x: FloatArray, window: int) -> Rolling:
    if window < 1:
        raise ValueError("window must be >= 1")
    return pd.DataFrame(x, copy=False).rolling(window, min_periods=window)


def mean(x: FloatArray, window: int) -> FloatArray:
    return _rolling(x, window).mean().to_numpy()


def total(x: FloatArray, window: int) -> FloatArray:
    return _rolling(x, window).sum().to_numpy()


def std(x: FloatArray, window: int, *, ddof: int = 1) -> FloatArray:
    return _rolling(x, window).std(ddof=ddof).to_numpy()


def var(x: FloatArray, window: int, *, ddof: int = 1) -> FloatArray:
    return _rolling(x, window).var(ddof=ddof).to_numpy()


def high(x: FloatArray, window: int) -> FloatArray:
    return _rolling(x, window).max().to_numpy()


def low(x: FloatArray, window: int) -> FloatArray:
    return _rolling(x, window).min().to_numpy()


def skew(x: FloatArray, window: int) -> FloatArray:
    return _rolling(x, window).skew().to_numpy()


def kurt(x: FloatArray, window: int) -> FloatArray:
    return _rolling(x, window).kurt().to_numpy()


def annualised_vol(log_returns: FloatArray, window: int) -> FloatArray:
    """Standard deviation (ddof=1) of daily log returns over ``window`` bars, x sqrt(252)."""
    return std(log_returns, window) * np.sqrt(TRADING_DAYS)


def bars_since_extreme(x: FloatArray, lengths: IntArray, window: int, *, kind: str) -> FloatArray:
    """Bars since the highest (``kind='high'``) or lowest (``'low'``) of the last ``window`` bars.

    Ties go to the most recent bar. NaN until ``window`` bars exist. ``x`` must have no NaN
    inside a ticker's bars (true of stacked prices).
    """
    fn = {"high": talib.MAXINDEX, "low": talib.MININDEX}[kind]
    (where,) = per_column(lambda col: fn(col, timeperiod=window).astype("float64"), lengths, x)
    out = np.arange(x.shape[0], dtype="float64")[:, None] - where
    out[: window - 1] = np.nan
    return out


def per_column(
    fn: Callable[..., FloatArray | tuple[FloatArray, ...]],
    lengths: IntArray,
    *inputs: FloatArray,
    n_out: int = 1,
    **params: object,
) -> tuple[FloatArray, ...]:
    """Apply a 1-D function (a TA-Lib indicator) to each ticker's bars; NaN in the padding.

    ``fn(*columns, **params)`` gets each ticker's ``lengths[j]`` bars and returns ``n_out`` arrays.
    """
    shape = inputs[0].shape
    outs = tuple(np.full(shape, np.nan, order="F") for _ in range(n_out))
    for j, n in enumerate(lengths):
        if n == 0:
            continue
        got = fn(*(np.ascontiguousarray(a[:n, j]) for a in inputs), **params)
        results = (got,) if isinstance(got, np.ndarray) else got
        for out, values in zip(outs, results, strict=True):
            out[:n, j] = values
    return outs
