"""Trend features: distance from moving averages, their slopes, 52-week extremes, ADX/DI, Aroon.

Moving averages are simple, over the ticker's last N closes. "250d" extremes use the bars'
highs and lows (a 52-week high is the highest high of the last 250 bars, today included).
"""

from __future__ import annotations

import numpy as np
import talib

from quant.arrays import FloatArray
from quant.features import _rolling as roll
from quant.features._stack import BarStack

SMA_WINDOWS: tuple[int, ...] = (10, 20, 50, 100, 200)
SMA_SLOPES: tuple[tuple[int, int], ...] = ((20, 5), (50, 10), (200, 20))
EXTREME_WINDOWS: tuple[int, ...] = (20, 250)
TREND_WINDOW = 60

DESCRIPTIONS: dict[str, str] = {
    **{f"dist_sma_{n}": f"close / SMA{n} - 1" for n in SMA_WINDOWS},
    **{f"sma_{n}_slope_{k}d": f"SMA{n} / SMA{n} {k} bars earlier - 1" for n, k in SMA_SLOPES},
    "sma_20_50_spread": "SMA20 / SMA50 - 1",
    "sma_50_200_spread": "SMA50 / SMA200 - 1 (golden/death cross when it changes sign)",
    **{f"dist_high_{n}d": f"close / highest high of {n} bars - 1 (<= 0)" for n in EXTREME_WINDOWS},
    **{f"dist_low_{n}d": f"close / lowest low of {n} bars - 1 (>= 0)" for n in EXTREME_WINDOWS},
    **{
        f"range_pos_{n}d": f"(close - lowest low) / (highest high - lowest low) over {n} bars"
        for n in EXTREME_WINDOWS
    },
    "bars_since_high_250d": "bars since the highest high of the last 250 bars",
    "bars_since_low_250d": "bars since the lowest low of the last 250 bars",
    "trend_slope_60d": "OLS slope of ln(close) on bar number over 60 bars, x 252",
    "trend_r2_60d": "R^2 of that regression",
    "adx_14": "average directional index, 14 bars (Wilder, TA-Lib), 0-100",
    "plus_di_14": "+DI, 14 bars, 0-100",
    "minus_di_14": "-DI, 14 bars, 0-100",
    "di_spread_14": "+DI - -DI",
    "aroon_osc_25": "Aroon oscillator, 25 bars, -100..100",
}
NAMES: tuple[str, ...] = tuple(DESCRIPTIONS)


def _trend(close: FloatArray, lengths: np.ndarray, window: int) -> tuple[FloatArray, FloatArray]:
    log_close = np.log(close)
    (slope,) = roll.per_column(talib.LINEARREG_SLOPE, lengths, log_close, timeperiod=window)
    # R^2 = slope^2 var(t) / var(y) with population variances; var(t) of 0..w-1 = (w^2 - 1) / 12
    var_y = roll.var(log_close, window, ddof=0)
    r2 = slope**2 * (window**2 - 1) / 12.0 / var_y
    return slope * roll.TRADING_DAYS, np.clip(r2, 0.0, 1.0)


def trend_features(stack: BarStack) -> dict[str, FloatArray]:
    """The features of ``NAMES`` as stack matrices."""
    close, high, low, lengths = stack.close, stack.high, stack.low, stack.lengths
    sma = {n: roll.mean(close, n) for n in {*SMA_WINDOWS, *(n for n, _ in SMA_SLOPES)}}
    out = {f"dist_sma_{n}": close / sma[n] - 1.0 for n in SMA_WINDOWS}
    for n, k in SMA_SLOPES:
        out[f"sma_{n}_slope_{k}d"] = roll.change(sma[n], k)
    out["sma_20_50_spread"] = sma[20] / sma[50] - 1.0
    out["sma_50_200_spread"] = sma[50] / sma[200] - 1.0
    for n in EXTREME_WINDOWS:
        top, bottom = roll.high(high, n), roll.low(low, n)
        out[f"dist_high_{n}d"] = close / top - 1.0
        out[f"dist_low_{n}d"] = close / bottom - 1.0
        out[f"range_pos_{n}d"] = (close - bottom) / (top - bottom)
    out["bars_since_high_250d"] = roll.bars_since_extreme(high, lengths, 250, kind="high")
    out["bars_since_low_250d"] = roll.bars_since_extreme(low, lengths, 250, kind="low")
    out["trend_slope_60d"], out["trend_r2_60d"] = _trend(close, lengths, TREND_WINDOW)
    (adx,) = roll.per_column(talib.ADX, lengths, high, low, close, timeperiod=14)
    (plus,) = roll.per_column(talib.PLUS_DI, lengths, high, low, close, timeperiod=14)
    (minus,) = roll.per_column(talib.MINUS_DI, lengths, high, low, close, timeperiod=14)
    out["adx_14"], out["plus_di_14"], out["minus_di_14"] = adx, plus, minus
    out["di_spread_14"] = plus - minus
    (aroon,) = roll.per_column(talib.AROONOSC, lengths, high, low, timeperiod=25)
    out["aroon_osc_25"] = aroon
    return out
