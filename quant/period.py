"""Realised statistics of one past window of daily bars: what a price did over a named period.

"What did IBM return in 2011?", "what was its drawdown over the last year?", "how volatile was
it in 2008?", "its high and low in 2010?" ask for what *happened* between two dates, not for a
trailing N-bar figure or a simulated forward risk. ``period_stats`` computes them from the bars
dated on or before ``as_of`` only (point in time: bars after ``as_of`` or after the window's end
never change the result).

Conventions:

- The window is ``[start, end]`` in calendar dates, with ``end`` clipped to ``as_of``; the bars
  used are those dated inside it (``start_date``/``end_date`` are the first and last of them).
- **Return base**: the period return is ``end_close / base_close - 1`` where ``base_close`` is
  the last close *before* the window's first bar when one exists (the close the period starts
  from), else the first close in the window. So the "2011 return" is
  ``close(2011-12-30) / close(2010-12-31) - 1``, and returns of adjacent windows compound.
- **Volatility**: the standard deviation (ddof=1) of the daily simple returns dated inside the
  window (the same returns that compound to the period return, so the first one is measured
  from the base close), times ``sqrt(252)``; NaN under two returns.
- **Max drawdown**: peak-to-trough on the closes inside the window (the worst fall from a
  running peak, a fraction in [-1, 0]); ``quant.backtest.metrics.max_drawdown`` of the returns
  between those closes.
- **High/low**: the maximum of the ``high`` column and the minimum of the ``low`` column inside
  the window.
- **Monthly returns**: for each calendar month with bars in the window, its last close over the
  close before it (the previous month's last close, or the base close for the first month), so
  they compound to the period return; the first and last months may be partial.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from core.asof import up_to
from quant.arrays import FloatArray
from quant.backtest.metrics import PERIODS_PER_YEAR, annual_volatility, max_drawdown

__all__ = [
    "EmptyWindowError",
    "MissingPriceError",
    "PeriodStats",
    "PeriodWindowError",
    "WindowAfterAsOfError",
    "period_stats",
]

COLUMNS = ("high", "low", "close")


class PeriodWindowError(ValueError):
    """The window cannot be used as asked (reversed, after the as-of date, no bars in it)."""


class WindowAfterAsOfError(PeriodWindowError):
    """The window starts after the as-of date: nothing in it has happened yet."""


class EmptyWindowError(PeriodWindowError):
    """No bar is dated inside the window (before the data starts, or a holiday-only window)."""


class MissingPriceError(ValueError):
    """A bar the statistics need has a missing (NaN) or non-positive price: a data fault."""


@dataclass(frozen=True, slots=True)
class PeriodStats:
    """Realised statistics of the bars dated in one window (see the module docstring)."""

    start_date: date  # first bar in the window
    end_date: date  # last bar in the window
    base_date: date  # the bar whose close the return is measured from
    start_close: float  # the base close: the last close before the window, else its first
    end_close: float
    period_return: float  # end_close / start_close - 1
    max_drawdown: float  # in [-1, 0], peak-to-trough on the closes in the window
    volatility_annual: float  # std(daily returns, ddof=1) * sqrt(252); NaN under two returns
    high: float
    low: float
    bars: int
    monthly_returns: tuple[tuple[date, float], ...] = ()  # (first day of the month, return)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("start_date", "end_date", "base_date"):
            out[key] = out[key].isoformat()
        out["monthly_returns"] = [(m.isoformat(), r) for m, r in self.monthly_returns]
        return out


def _check_prices(frame: pd.DataFrame) -> None:
    values = frame.loc[:, list(COLUMNS)].to_numpy(dtype=np.float64)
    bad = ~(np.isfinite(values) & (values > 0)).all(axis=1)
    if bad.any():
        first = frame.index[int(np.argmax(bad))].date()
        raise MissingPriceError(
            f"missing or non-positive high/low/close on {first.isoformat()}: "
            "the bars need cleaning before period statistics can be computed"
        )


def period_stats(
    bars: pd.DataFrame,
    *,
    start: date,
    end: date,
    as_of: date,
    periods_per_year: int = PERIODS_PER_YEAR,
) -> PeriodStats:
    """Realised return, max drawdown, volatility, high and low of ``bars`` over ``[start, end]``.

    bars: daily bars with ``high``, ``low`` and ``close`` columns and a DatetimeIndex, oldest
    first; rows dated after ``as_of`` are ignored. ``end`` is clipped to ``as_of``.
    Raises ``WindowAfterAsOfError`` when ``start`` is after ``as_of``, ``PeriodWindowError``
    when ``start`` is after ``end``, ``EmptyWindowError`` when no bar is dated in the window,
    and ``MissingPriceError`` when the window's bars or the base close hold NaN or <= 0 prices.
    """
    if not bars.index.is_monotonic_increasing:
        raise ValueError("bars must be sorted by date, oldest first")
    if start > as_of:
        raise WindowAfterAsOfError(
            f"the window starts {start.isoformat()}, after the as-of date {as_of.isoformat()}: "
            "nothing in it has happened yet; pick a window that starts on or before the as-of date"
        )
    end = min(end, as_of)
    if start > end:
        raise PeriodWindowError(
            f"the window starts {start.isoformat()} after it ends {end.isoformat()}: swap the dates"
        )
    visible = up_to(bars, as_of=end)
    before = len(up_to(visible, as_of=start - timedelta(days=1)))
    window = visible.iloc[before:]
    if window.empty:
        first = bars.index[0].date().isoformat() if len(bars) else "nowhere"
        raise EmptyWindowError(
            f"no bars dated {start.isoformat()}..{end.isoformat()} (the data start {first}): "
            "pick a window with trading days in it"
        )
    used = visible.iloc[before - 1 :] if before else window  # the base bar, then the window
    _check_prices(used)
    closes = used["close"].to_numpy(dtype=np.float64)
    returns = closes[1:] / closes[:-1] - 1.0
    in_window = window["close"].to_numpy(dtype=np.float64)
    return PeriodStats(
        start_date=window.index[0].date(),
        end_date=window.index[-1].date(),
        base_date=used.index[0].date(),
        start_close=float(closes[0]),
        end_close=float(closes[-1]),
        period_return=float(closes[-1] / closes[0] - 1.0),
        max_drawdown=_drawdown(in_window),
        volatility_annual=annual_volatility(returns, periods_per_year=periods_per_year),
        high=float(window["high"].max()),
        low=float(window["low"].min()),
        bars=len(window),
        monthly_returns=_monthly(window["close"], base_close=float(closes[0])),
    )


def _monthly(closes: pd.Series, *, base_close: float) -> tuple[tuple[date, float], ...]:
    """Each calendar month's return in the window, from the close before it (see the module)."""
    index = pd.DatetimeIndex(closes.index)
    keys = index.year * 100 + index.month  # one key per calendar month, in order
    last = closes.groupby(keys).last()
    out: list[tuple[date, float]] = []
    previous = base_close
    for key, close in zip(last.index, last.to_numpy(dtype=np.float64), strict=True):
        out.append((date(int(key) // 100, int(key) % 100, 1), float(close / previous - 1.0)))
        previous = float(close)
    return tuple(out)


def _drawdown(closes: FloatArray) -> float:
    """Peak-to-trough on ``closes`` (0.0 for a single close: no fall is possible)."""
    return max_drawdown(closes[1:] / closes[:-1] - 1.0) if closes.size > 1 else 0.0
