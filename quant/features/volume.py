"""Volume and money-flow features, all invariant to the split/dividend adjustment factor.

Point-in-time adjustment multiplies prices and divides volume by the same factor, so dollar
volume, volume ratios and normalised flows do not change when later bars arrive; raw volume
levels would, and are not features.
"""

from __future__ import annotations

import numpy as np
import talib

from quant.arrays import FloatArray
from quant.features import _rolling as roll
from quant.features._stack import BarStack

DESCRIPTIONS: dict[str, str] = {
    "rel_volume_20d": "volume / mean volume of the 20 bars before it",
    "rel_volume_5_60": "mean volume of 5 bars / mean volume of 60 bars (both to today)",
    "log_dollar_volume_1d": "ln(close x volume)",
    "log_dollar_volume_20d": "ln(mean close x volume over 20 bars)",
    "mfi_14": "money flow index, 14 bars (TA-Lib), 0-100",
    "cmf_20": "Chaikin money flow, 20 bars: sum(CLV x volume) / sum(volume), -1..1",
    "obv_change_20d": "(OBV - OBV 20 bars earlier) / volume of those 20 bars, -1..1",
    "obv_change_60d": "(OBV - OBV 60 bars earlier) / volume of those 60 bars, -1..1",
    "amihud_20d": "Amihud illiquidity: mean |one-bar return| / dollar volume over 20 bars, x 1e9",
    "up_volume_20d": "share of the last 20 bars' volume traded on up closes",
}
NAMES: tuple[str, ...] = tuple(DESCRIPTIONS)


def _log(x: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore"):
        return np.log(np.where(x > 0, x, np.nan))


def volume_features(stack: BarStack) -> dict[str, FloatArray]:
    """The features of ``NAMES`` as stack matrices."""
    high, low, close, volume = stack.high, stack.low, stack.close, stack.volume
    dollar = close * volume
    ret_1d = roll.change(close, 1)
    out = {
        "rel_volume_20d": volume / roll.lag(roll.mean(volume, 20), 1),
        "rel_volume_5_60": roll.mean(volume, 5) / roll.mean(volume, 60),
        "log_dollar_volume_1d": _log(dollar),
        "log_dollar_volume_20d": _log(roll.mean(dollar, 20)),
    }
    (out["mfi_14"],) = roll.per_column(
        talib.MFI, stack.lengths, high, low, close, volume, timeperiod=14
    )
    span = high - low
    # close location value; a bar with no range contributes no flow (the usual convention)
    clv = np.divide((close - low) - (high - close), span, out=np.zeros_like(span), where=span > 0)
    out["cmf_20"] = roll.total(clv * volume, 20) / roll.total(volume, 20)
    move = roll.direction(close)  # +1 / 0 / -1, NaN on the first bar
    signed = move * volume  # the one-bar OBV increment
    for n in (20, 60):
        out[f"obv_change_{n}d"] = roll.total(signed, n) / roll.total(volume, n)
    with np.errstate(divide="ignore", invalid="ignore"):
        impact = np.abs(ret_1d) / np.where(dollar > 0, dollar, np.nan)
    out["amihud_20d"] = roll.mean(impact, 20) * 1e9
    up_volume = np.where(np.isnan(move), np.nan, np.where(move > 0, volume, 0.0))
    out["up_volume_20d"] = roll.total(up_volume, 20) / roll.total(volume, 20)
    return out
