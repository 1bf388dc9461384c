"""Position sizing: Kelly fractions (capped, fractional) and volatility targeting.

Kelly, binary bet: win ``payoff`` x the stake with probability p, lose the stake otherwise;
the growth-optimal fraction of capital is f* = p - (1 - p) / payoff.
Kelly, continuous returns: f* = mean / variance (per-period excess return and its variance),
the small-return approximation of the growth-optimal leverage.
Full Kelly is too aggressive for estimated edges, so positions take ``fraction`` of it (a
quarter by default) and never more than ``cap`` of capital (2% by default). A negative f* (no
edge) gives a zero position: this sizes the bet as stated; to short, state the opposite bet.

Volatility targeting: scale = min(target_vol / realised_vol, max_scale). Realised volatility
on day t uses returns up to t, so the scale applies from day t + 1 (``vol_target_exposure``
shifts it); where volatility is unknown, zero or NaN, the scale is NaN -- no basis to size.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from quant.arrays import FloatArray
from quant.risk._inputs import check_fraction, check_positive_int
from quant.risk.errors import RiskInputError

KELLY_FRACTION = 0.25
POSITION_CAP = 0.02
TRADING_DAYS = 252


def kelly_fraction(*, win_prob: float, payoff: float) -> float:
    """Full Kelly f* = p - (1 - p) / payoff for a bet paying ``payoff``:1; may be negative."""
    if not (0.0 <= win_prob <= 1.0):
        raise RiskInputError(f"win_prob must be in [0, 1], got {win_prob!r}")
    if not (math.isfinite(payoff) and payoff > 0):
        raise RiskInputError(f"payoff must be a finite number > 0, got {payoff!r}")
    return win_prob - (1.0 - win_prob) / payoff


def kelly_fraction_continuous(*, mean: float, variance: float) -> float:
    """Full Kelly leverage mean / variance for continuous returns (same period for both)."""
    if not (math.isfinite(mean) and math.isfinite(variance) and variance > 0):
        raise RiskInputError(f"need a finite mean and variance > 0, got {mean!r}, {variance!r}")
    return mean / variance


def kelly_position(
    *, kelly: float, fraction: float = KELLY_FRACTION, cap: float = POSITION_CAP
) -> float:
    """Position size: ``fraction`` x Kelly, floored at 0 and capped at ``cap`` of capital."""
    fraction = check_fraction(fraction, name="fraction")
    if not (math.isfinite(cap) and cap > 0):
        raise RiskInputError(f"cap must be a finite number > 0, got {cap!r}")
    if math.isnan(kelly):
        raise RiskInputError("kelly is NaN")
    return min(max(fraction * kelly, 0.0), cap)


def vol_target_scale(
    *, realised_vol: FloatArray, target_vol: float, max_scale: float = 1.0
) -> FloatArray:
    """target_vol / realised_vol, capped at ``max_scale``; NaN where realised_vol is NaN or <= 0.

    Both volatilities in the same units (e.g. annualised). max_scale = 1 never levers up.
    """
    if not (math.isfinite(target_vol) and target_vol > 0):
        raise RiskInputError(f"target_vol must be a finite number > 0, got {target_vol!r}")
    if not (math.isfinite(max_scale) and max_scale > 0):
        raise RiskInputError(f"max_scale must be a finite number > 0, got {max_scale!r}")
    vol = np.asarray(realised_vol, dtype=np.float64)
    usable = vol > 0  # False for NaN too
    scale = np.divide(target_vol, vol, out=np.full(vol.shape, np.nan), where=usable)
    return np.minimum(scale, max_scale)


def vol_target_exposure(
    returns: pd.Series,
    *,
    target_vol: float,
    window: int = 21,
    max_scale: float = 1.0,
    periods_per_year: int = TRADING_DAYS,
) -> pd.Series:
    """Exposure for each day from realised volatility up to the day before (no look-ahead).

    returns: daily simple returns, oldest first. Realised volatility: standard deviation
    (ddof=1) of the last ``window`` returns, x sqrt(periods_per_year); target_vol annualised
    the same way. The first ``window`` days are NaN.
    """
    window = check_positive_int(window, name="window")
    periods = check_positive_int(periods_per_year, name="periods_per_year")
    if window < 2:
        raise RiskInputError("window must be >= 2 to estimate a standard deviation")
    realised = returns.astype("float64").rolling(window).std(ddof=1) * math.sqrt(periods)
    scale = vol_target_scale(
        realised_vol=realised.to_numpy(), target_vol=target_vol, max_scale=max_scale
    )
    return pd.Series(scale, index=returns.index, name="exposure").shift(1)
