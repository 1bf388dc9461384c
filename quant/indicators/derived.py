"""Indicators derived from TA-Lib statistics: historical volatility, the volume rate of change,
and window changes of cumulative volume flows (OBV, accumulation/distribution).

Historical volatility is TA-Lib's ``STDDEV`` of daily log returns, corrected from the population
to the sample deviation and annualised; the volume rate of change is TA-Lib's ``ROC``. A
cumulative flow's level depends on where the series starts, so only its change over a window,
scaled by the window's average volume, is reported.

Inputs: contiguous float64 arrays with no NaN (TA-Lib keeps running sums, so an interior NaN
would spread to every later value).
"""

from __future__ import annotations

import math

import numpy as np
import talib

from quant.arrays import FloatArray
from quant.indicators.inputs import OHLCV

TRADING_DAYS = 252
STATISTIC_COLUMNS: tuple[str, ...] = ("hv_20", "vroc_12")


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
    if period < 2:
        raise ValueError(f"a sample standard deviation needs period >= 2, got {period}")
    out = np.empty_like(close) if out is None else out
    if len(close) <= period:
        out[:] = np.nan
        return out
    returns = np.divide(close[1:], close[:-1])
    np.log(returns, out=returns)
    # STDDEV is the population deviation (ddof=0): sqrt(n / (n - 1)) makes it the sample one
    scale = math.sqrt(periods_per_year * period / (period - 1))
    out[0] = np.nan
    out[1:] = talib.STDDEV(returns, timeperiod=period, nbdev=scale)
    return out


def volume_roc(
    volume: FloatArray, *, period: int = 12, out: FloatArray | None = None
) -> FloatArray:
    """Volume rate of change in percent: ``100 * (v[t] / v[t - period] - 1)``.

    NaN for the first ``period`` bars and where the earlier volume is zero. Written into
    ``out`` when given.
    """
    out = np.empty_like(volume) if out is None else out
    out[:] = talib.ROC(volume, timeperiod=period)  # ((v[t] / v[t - period]) - 1) * 100
    if len(volume) > period:
        before = volume[:-period]
        if not before.all():  # TA-Lib reports 0 after a zero volume: no rate is defined there
            out[period:][before == 0.0] = np.nan
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


def statistic_indicators(bars: OHLCV, out: FloatArray) -> None:
    """Historical volatility 20 and volume rate of change 12 into the rows of ``out``, in
    ``STATISTIC_COLUMNS`` order."""
    historical_volatility(bars.close, period=20, out=out[0])
    volume_roc(bars.volume, period=12, out=out[1])
