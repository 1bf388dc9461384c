"""Return features: trailing returns, momentum, gaps and the shape of daily returns.

Windows count the ticker's own bars ("20d" = 20 bars). Simple returns unless stated.
"""

from __future__ import annotations

import numpy as np

from quant.arrays import FloatArray
from quant.features import _rolling as roll
from quant.features._stack import BarStack

RETURN_WINDOWS: tuple[int, ...] = (1, 5, 10, 20, 60, 120, 250)

DESCRIPTIONS: dict[str, str] = {
    **{f"ret_{n}d": f"close / close {n} bars earlier - 1" for n in RETURN_WINDOWS},
    "mom_250_20": "12-1 momentum: close 20 bars ago / close 250 bars ago - 1",
    "ret_overnight": "open / previous close - 1",
    "ret_intraday": "close / open - 1",
    "ret_max_20d": "largest one-bar return of the last 20 bars",
    "ret_min_20d": "smallest one-bar return of the last 20 bars",
    "skew_60d": "skewness (bias-corrected) of one-bar log returns over 60 bars",
    "kurt_60d": "excess kurtosis (bias-corrected) of one-bar log returns over 60 bars",
    "up_days_20d": "fraction of the last 20 bars that closed up",
}
NAMES: tuple[str, ...] = tuple(DESCRIPTIONS)


def return_features(stack: BarStack) -> dict[str, FloatArray]:
    """The features of ``NAMES`` as stack matrices."""
    close = stack.close
    out = {f"ret_{n}d": roll.change(close, n) for n in RETURN_WINDOWS}
    ret_1d = out["ret_1d"]
    log_ret = roll.log_return(close)
    out["mom_250_20"] = roll.lag(close, 20) / roll.lag(close, 250) - 1.0
    out["ret_overnight"] = stack.open / roll.lag(close, 1) - 1.0
    out["ret_intraday"] = close / stack.open - 1.0
    out["ret_max_20d"] = roll.high(ret_1d, 20)
    out["ret_min_20d"] = roll.low(ret_1d, 20)
    out["skew_60d"] = roll.skew(log_ret, 60)
    out["kurt_60d"] = roll.kurt(log_ret, 60)
    move = roll.direction(close)
    out["up_days_20d"] = roll.mean(np.where(np.isnan(move), np.nan, move > 0), 20)
    return out
