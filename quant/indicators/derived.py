"""Indicators built from simple array statistics, implemented here rather than in TA-Lib.

Historical volatility, the volume rate of change, and window changes of cumulative volume
flows (OBV, accumulation/distribution). A cumulative flow's level depends on where the series
starts, so only its change over a window, scaled by the window's average volume, is reported.
"""

from __future__ import annotations

import numpy as np

from quant._types import FloatArray
from quant.indicators._rolling import valid_std

TRADING_DAYS = 252


def historical_volatility(
    close: FloatArray,
    *,
    period: int = 20,
    periods_per_year: int = TRADING_DAYS,
    out: FloatArray | None = None,
) -> FloatArray:
    """Annualised sample standard deviation (ddof=1) of the last ``period`` daily log returns.

    close: shape (n_bars,), positive, oldest first. The first ``period`` values are NaN.
    Written into ``out`` when given.
    """
    out = np.empty_like(close) if out is None else out
    out[:period] = np.nan
    if len(close) > period:
        returns = np.divide(close[1:], close[:-1])
        np.log(returns, out=returns)
        valid_std(returns, period, scale=np.sqrt(periods_per_year), out=out[period:])
    return out


def volume_roc(
    volume: FloatArray, *, period: int = 12, out: FloatArray | None = None
) -> FloatArray:
    """Volume rate of change in percent: ``100 * (v[t] / v[t - period] - 1)``.

    NaN for the first ``period`` bars and where the earlier volume is zero. Written into
    ``out`` when given.
    """
    out = np.empty_like(volume) if out is None else out
    out[:period] = np.nan
    if len(volume) > period:
        now, before, rate = volume[period:], volume[:-period], out[period:]
        with np.errstate(divide="ignore", invalid="ignore"):
            np.divide(now, before, out=rate)
        rate -= 1.0
        rate *= 100.0
        if not before.all():
            rate[before == 0.0] = np.nan
    return out


def flow_change(
    flow: FloatArray,
    avg_volume: FloatArray,
    *,
    period: int = 20,
    out: FloatArray | None = None,
) -> FloatArray:
    """Change of a cumulative volume flow over ``period`` bars, in units of average volume.

    ``(flow[t] - flow[t - period]) / avg_volume[t]``; pass the ``period``-bar average volume.
    NaN for the first ``period`` bars and where the average volume is zero (a window with no
    volume has no flow either: 0 / 0). Written into ``out`` when given.
    """
    out = np.empty_like(flow) if out is None else out
    out[:period] = np.nan
    if len(flow) > period:
        change = np.subtract(flow[period:], flow[:-period], out=out[period:])
        with np.errstate(divide="ignore", invalid="ignore"):
            change /= avg_volume[period:]
    return out
