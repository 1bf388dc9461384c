"""Validation and cleaning of the inputs every risk estimate shares."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from quant.arrays import FloatArray
from quant.risk.errors import InsufficientDataError, InvalidLevelError, RiskInputError

Returns = pd.Series | FloatArray


@dataclass(frozen=True, slots=True)
class CleanReturns:
    """Finite daily returns, oldest first, and the dates of the first and last (Series only)."""

    values: FloatArray
    start: date | None
    end: date | None

    @property
    def n_obs(self) -> int:
        return int(self.values.size)


def clean_returns(returns: Returns, *, min_obs: int = 1) -> CleanReturns:
    """Drop NaNs; raise on infinities, on a non-1-D input and on fewer than ``min_obs`` values.

    A Series must be ordered oldest first; with a DatetimeIndex the dates of the first and last
    kept observation are returned.
    """
    index: pd.Index | None = None
    if isinstance(returns, pd.Series):
        index = returns.index
        if isinstance(index, pd.DatetimeIndex) and not index.is_monotonic_increasing:
            raise RiskInputError("returns must be sorted oldest first (index is not increasing)")
        values = returns.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        values = np.asarray(returns, dtype=np.float64)
    if values.ndim != 1:
        raise RiskInputError(f"returns must be one-dimensional, got shape {values.shape}")
    if np.isinf(values).any():
        raise RiskInputError("returns contain +/-inf; clean the series first")
    keep = ~np.isnan(values)
    n = int(keep.sum())
    if n < min_obs:
        raise InsufficientDataError(
            f"need at least {min_obs} finite returns, got {n} (of {values.size}, NaNs dropped)"
        )
    start = end = None
    if isinstance(index, pd.DatetimeIndex) and n:
        kept = index[keep]
        start, end = kept[0].date(), kept[-1].date()
    return CleanReturns(values=values[keep], start=start, end=end)


def check_level(level: float) -> float:
    """A confidence level strictly between 0 and 1 (0.95, not 95)."""
    if isinstance(level, bool) or not isinstance(level, int | float | np.floating):
        raise InvalidLevelError(f"level must be a number in (0, 1), got {level!r}")
    value = float(level)
    if not (0.0 < value < 1.0):
        raise InvalidLevelError(f"level must be in (0, 1), e.g. 0.95; got {level!r}")
    return value


def check_horizon(horizon_days: int) -> int:
    """A horizon of a whole number of days, at least 1."""
    if isinstance(horizon_days, bool) or not isinstance(horizon_days, int | np.integer):
        raise RiskInputError(f"horizon_days must be an int >= 1, got {horizon_days!r}")
    if horizon_days < 1:
        raise RiskInputError(f"horizon_days must be >= 1, got {horizon_days}")
    return int(horizon_days)


def check_positive_int(value: int, *, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise RiskInputError(f"{name} must be an int >= 1, got {value!r}")
    return int(value)


def check_fraction(value: float, *, name: str, allow_zero: bool = False) -> float:
    """A finite number in (0, 1] (or [0, 1] with ``allow_zero``)."""
    low_ok = value >= 0.0 if allow_zero else value > 0.0
    if not (math.isfinite(value) and low_ok and value <= 1.0):
        interval = "[0, 1]" if allow_zero else "(0, 1]"
        raise RiskInputError(f"{name} must be in {interval}, got {value!r}")
    return float(value)


def log_returns(values: FloatArray) -> FloatArray:
    """``log(1 + r)``; a return <= -1 (a total loss) has no logarithm and is rejected."""
    if (values <= -1.0).any():
        raise RiskInputError(
            "a return <= -100% cannot be compounded in log space; "
            "use historical 1-day VaR or clean the series"
        )
    return np.log1p(values)
