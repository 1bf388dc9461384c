"""Loss limits on an equity curve: daily, weekly, monthly, and a hard stop from the peak.

Losses are positive fractions, measured at each day's close t on the account's equity E:
- daily loss:   1 - E_t / E_{t-1};
- weekly loss:  1 - E_t / (last close before this calendar week, Monday-Sunday);
- monthly loss: 1 - E_t / (last close before this calendar month);
  (in the first week or month of the series, the first close stands in for the base)
- drawdown:     1 - E_t / max(E_1..E_t).
A limit is breached on every day its loss is at or beyond its threshold (loss >= threshold).
A breach is only known at day t's close, so it never affects day t itself. Exposure is cut to
the limit's scale:
- daily, weekly, monthly: from the session after the *first* breach in a calendar period (day,
  week Monday-Sunday, month) to the end of that period, and always for at least that next
  session -- so a first breach on a Friday still cuts the next Monday, and a daily breach cuts
  the next day; a loss that stays beyond the limit into the period's last day does not carry
  over: the next period starts afresh;
- hard stop: from the session after the first breach, on every later day (until a person
  resets it), however the equity recovers.
The allowed exposure multiplier of a day is the smallest scale among the limits in force, or 1.

The curve is taken as given: if it is the account's realised equity, the limits are what a
monitor would have enforced. Applying them to a strategy changes its later returns (a flat day
earns nothing), a path-dependent feedback that belongs to the backtester, not to this function.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from quant.risk._inputs import check_fraction
from quant.risk.errors import RiskInputError


@dataclass(frozen=True, slots=True)
class DrawdownLimits:
    """Loss thresholds (positive fractions) and the exposure multiplier each breach imposes."""

    daily: float = 0.01
    weekly: float = 0.02
    monthly: float = 0.04
    hard_stop: float = 0.15
    daily_scale: float = 0.0
    weekly_scale: float = 0.0
    monthly_scale: float = 0.0
    hard_stop_scale: float = 0.0

    def __post_init__(self) -> None:
        for name in ("daily", "weekly", "monthly", "hard_stop"):
            check_fraction(getattr(self, name), name=name)
            check_fraction(getattr(self, f"{name}_scale"), name=f"{name}_scale", allow_zero=True)


DEFAULT_LIMITS = DrawdownLimits()


def drawdown_limits(equity: pd.Series, *, limits: DrawdownLimits = DEFAULT_LIMITS) -> pd.DataFrame:
    """Per day: the losses, which limits were breached at the close, and the allowed exposure.

    equity: account value (> 0) with a DatetimeIndex, oldest first, no NaNs. From returns,
    pass ``(1 + returns).cumprod()``. Returns a frame on the same index with columns
    daily_loss, weekly_loss, monthly_loss, drawdown (positive = loss), breach_daily,
    breach_weekly, breach_monthly, breach_hard_stop (bool, known at day t's close) and
    exposure (multiplier allowed on day t, from breaches up to day t - 1 only).
    """
    _check_equity(equity)
    index = pd.DatetimeIndex(equity.index)
    e = equity.astype("float64")
    weeks, months = index.to_period("W-SUN"), index.to_period("M")
    losses = {
        "daily_loss": -(e / e.shift(1) - 1).fillna(0.0),
        "weekly_loss": -(e / _period_base(e, weeks) - 1),
        "monthly_loss": -(e / _period_base(e, months) - 1),
        "drawdown": 1 - e / e.cummax(),
    }
    out = pd.DataFrame(losses, index=equity.index)
    out["breach_daily"] = out["daily_loss"] >= limits.daily
    out["breach_weekly"] = out["weekly_loss"] >= limits.weekly
    out["breach_monthly"] = out["monthly_loss"] >= limits.monthly
    out["breach_hard_stop"] = out["drawdown"] >= limits.hard_stop
    in_force = [
        (_cut_after_breach(out["breach_daily"], index.to_period("D")), limits.daily_scale),
        (_cut_after_breach(out["breach_weekly"], weeks), limits.weekly_scale),
        (_cut_after_breach(out["breach_monthly"], months), limits.monthly_scale),
        (_next_day(out["breach_hard_stop"].cummax()), limits.hard_stop_scale),
    ]
    exposure = np.ones(len(out))
    for active, scale in in_force:  # four limits, each a vectorised mask over all days
        exposure = np.where(active, np.minimum(exposure, scale), exposure)
    out["exposure"] = exposure
    return out


def _check_equity(equity: pd.Series) -> None:
    if not isinstance(equity.index, pd.DatetimeIndex):
        raise RiskInputError("equity needs a DatetimeIndex (calendar weeks and months)")
    if not equity.index.is_monotonic_increasing or equity.index.has_duplicates:
        raise RiskInputError("equity must be sorted oldest first, one value per day")
    values = equity.to_numpy(dtype=np.float64, na_value=np.nan)
    if not (np.isfinite(values).all() and (values > 0).all()):
        raise RiskInputError("equity must be finite and > 0 on every day (no NaNs)")


def _period_base(e: pd.Series, periods: pd.PeriodIndex) -> pd.Series:
    """The close before each row's period began (the first close for the first period)."""
    previous = e.shift(1).fillna(e.iloc[0])
    return previous.groupby(periods.asi8).transform("first")


def _next_day(breach: pd.Series) -> np.ndarray:
    return breach.shift(1, fill_value=False).to_numpy(dtype=bool)


def _cut_after_breach(breach: pd.Series, periods: pd.PeriodIndex) -> np.ndarray:
    """True after a period's first breach until the period ends, and on the session after it."""
    ordinals = periods.asi8
    so_far = breach.groupby(ordinals).cummax().to_numpy(dtype=bool)
    earlier_in_period = np.zeros(len(breach), dtype=bool)  # a breach on an earlier day, same period
    earlier_in_period[1:] = so_far[:-1] & (ordinals[1:] == ordinals[:-1])
    first = breach.to_numpy(dtype=bool) & ~earlier_in_period
    after_first = np.zeros(len(breach), dtype=bool)
    after_first[1:] = first[:-1]
    return earlier_in_period | after_first
