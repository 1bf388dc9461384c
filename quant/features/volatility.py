"""Volatility features: close-to-close, range-based (Parkinson, Garman-Klass), ratios, ATR.

All volatilities are annualised with sqrt(252) and computed over the ticker's last N bars:

- close-to-close: sample standard deviation (ddof=1) of one-bar log returns.
- Parkinson (1980): ``sqrt(252 / (4 ln 2) * mean(ln(H/L)^2))``.
- Garman-Klass (1980): ``sqrt(252 * mean(0.5 ln(H/L)^2 - (2 ln 2 - 1) ln(C/O)^2))``; NaN when the
  mean is negative (possible on bars whose open-to-close move exceeds their range estimate).
- downside: ``sqrt(252 * mean(min(r, 0)^2))`` of log returns r (semi-deviation about zero).
"""

from __future__ import annotations

import numpy as np
import talib

from quant.arrays import FloatArray
from quant.features import _rolling as roll
from quant.features._stack import BarStack

VOL_WINDOWS: tuple[int, ...] = (10, 20, 60, 120, 250)
RANGE_WINDOWS: tuple[int, ...] = (20, 60)
VOL_RATIOS: tuple[tuple[int, int], ...] = ((10, 60), (20, 120), (20, 250))

DESCRIPTIONS: dict[str, str] = {
    **{f"vol_{n}d": f"close-to-close volatility over {n} bars (annualised)" for n in VOL_WINDOWS},
    **{
        f"vol_parkinson_{n}d": f"Parkinson high-low volatility over {n} bars" for n in RANGE_WINDOWS
    },
    **{f"vol_gk_{n}d": f"Garman-Klass OHLC volatility over {n} bars" for n in RANGE_WINDOWS},
    "vol_downside_60d": "downside semi-deviation of log returns over 60 bars (annualised)",
    **{f"vol_ratio_{a}_{b}": f"vol_{a}d / vol_{b}d" for a, b in VOL_RATIOS},
    "atr_14_pct": "14-bar average true range (Wilder, TA-Lib) / close",
    "range_20d_pct": "mean of (high - low) / close over 20 bars",
}
NAMES: tuple[str, ...] = tuple(DESCRIPTIONS)


def parkinson_variance(high: FloatArray, low: FloatArray, window: int) -> FloatArray:
    """Daily Parkinson variance over ``window`` bars (not annualised)."""
    return roll.mean(np.log(high / low) ** 2, window) / (4.0 * np.log(2.0))


def garman_klass_variance(
    open_: FloatArray, high: FloatArray, low: FloatArray, close: FloatArray, window: int
) -> FloatArray:
    """Daily Garman-Klass variance over ``window`` bars (not annualised; may be negative)."""
    term = 0.5 * np.log(high / low) ** 2 - (2.0 * np.log(2.0) - 1.0) * np.log(close / open_) ** 2
    return roll.mean(term, window)


def _annualised(variance: FloatArray) -> FloatArray:
    with np.errstate(invalid="ignore"):
        return np.sqrt(np.where(variance >= 0, variance, np.nan) * roll.TRADING_DAYS)


def volatility_features(stack: BarStack) -> dict[str, FloatArray]:
    """The features of ``NAMES`` as stack matrices."""
    log_ret = roll.log_return(stack.close)
    out = {f"vol_{n}d": roll.annualised_vol(log_ret, n) for n in VOL_WINDOWS}
    for n in RANGE_WINDOWS:
        out[f"vol_parkinson_{n}d"] = _annualised(parkinson_variance(stack.high, stack.low, n))
        gk = garman_klass_variance(stack.open, stack.high, stack.low, stack.close, n)
        out[f"vol_gk_{n}d"] = _annualised(gk)
    out["vol_downside_60d"] = _annualised(roll.mean(np.minimum(log_ret, 0.0) ** 2, 60))
    for a, b in VOL_RATIOS:
        out[f"vol_ratio_{a}_{b}"] = out[f"vol_{a}d"] / out[f"vol_{b}d"]
    (atr,) = roll.per_column(
        talib.ATR, stack.lengths, stack.high, stack.low, stack.close, timeperiod=14
    )
    out["atr_14_pct"] = atr / stack.close
    out["range_20d_pct"] = roll.mean((stack.high - stack.low) / stack.close, 20)
    return out
