"""Performance metrics of a daily simple-return series, and the report that gathers them.

Conventions (the same as ``empyrical``, against which the tests check every metric it has):
returns are simple daily returns, oldest first; NaNs are dropped before anything is computed;
a year is ``periods_per_year`` = 252 bars; standard deviations use ddof=1; a drawdown is measured
from the starting capital too, so a loss on the first bar is a drawdown. Where a metric is
undefined (too few observations, zero variance, no losing trade) it is NaN, never a stand-in
number. Deliberate differences from empyrical: a zero-variance or zero-downside series gives a
NaN Sharpe/Sortino/information ratio where empyrical gives +-inf.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from quant.arrays import FloatArray

PERIODS_PER_YEAR = 252
ArrayLike = npt.ArrayLike


def _clean(returns: ArrayLike) -> FloatArray:
    values = np.asarray(returns, dtype=np.float64).ravel()
    return values[~np.isnan(values)]


def _ratio(numerator: float, denominator: float) -> float:
    """numerator / denominator, NaN where the denominator is zero or undefined."""
    if not denominator or math.isnan(denominator):
        return math.nan
    return float(numerator / denominator)


def _constant(values: FloatArray) -> bool:
    return bool(values.max() == values.min())


def total_return(returns: ArrayLike) -> float:
    """Compounded return over the whole series: prod(1 + r) - 1 (NaN when empty)."""
    r = _clean(returns)
    return float(np.prod(1.0 + r) - 1.0) if r.size else math.nan


def annual_return(returns: ArrayLike, *, periods_per_year: int = PERIODS_PER_YEAR) -> float:
    """Compound annual growth rate: (1 + total return) ** (periods_per_year / n) - 1."""
    r = _clean(returns)
    if not r.size:
        return math.nan
    return float(np.prod(1.0 + r) ** (periods_per_year / r.size) - 1.0)


def annual_volatility(returns: ArrayLike, *, periods_per_year: int = PERIODS_PER_YEAR) -> float:
    """Standard deviation (ddof=1) times sqrt(periods_per_year); NaN under two observations."""
    r = _clean(returns)
    if r.size < 2:
        return math.nan
    return float(np.std(r, ddof=1) * math.sqrt(periods_per_year))


def sharpe_ratio(
    returns: ArrayLike, *, risk_free: float = 0.0, periods_per_year: int = PERIODS_PER_YEAR
) -> float:
    """Annualised Sharpe ratio: mean(r - rf) / std(r - rf) * sqrt(periods_per_year).

    risk_free: the risk-free return per period (daily), not per year.
    NaN under two observations or when the returns do not vary (constant series).
    """
    r = _clean(returns) - risk_free
    if r.size < 2 or _constant(r):
        return math.nan
    return _ratio(float(np.mean(r)), float(np.std(r, ddof=1))) * math.sqrt(periods_per_year)


def downside_risk(
    returns: ArrayLike, *, required_return: float = 0.0, periods_per_year: int = PERIODS_PER_YEAR
) -> float:
    """Annualised root-mean-square of the shortfalls below ``required_return`` (all bars count)."""
    r = _clean(returns)
    if not r.size:
        return math.nan
    shortfall = np.minimum(r - required_return, 0.0)
    return float(np.sqrt(np.mean(shortfall * shortfall)) * math.sqrt(periods_per_year))


def sortino_ratio(
    returns: ArrayLike, *, required_return: float = 0.0, periods_per_year: int = PERIODS_PER_YEAR
) -> float:
    """Annualised mean excess over ``required_return`` divided by the annualised downside risk.

    NaN under two observations or when no bar falls below ``required_return``.
    """
    r = _clean(returns)
    if r.size < 2:
        return math.nan
    mean = float(np.mean(r - required_return)) * periods_per_year
    risk = downside_risk(r, required_return=required_return, periods_per_year=periods_per_year)
    return _ratio(mean, risk)


def max_drawdown(returns: ArrayLike) -> float:
    """Worst fall of the equity curve from a running peak, in [-1, 0] (NaN when empty)."""
    r = _clean(returns)
    if not r.size:
        return math.nan
    equity = np.concatenate(([1.0], np.cumprod(1.0 + r)))
    peak = np.maximum.accumulate(equity)
    return float(np.min((equity - peak) / peak))


def calmar_ratio(returns: ArrayLike, *, periods_per_year: int = PERIODS_PER_YEAR) -> float:
    """Annual return divided by the absolute max drawdown; NaN when there is no drawdown."""
    mdd = max_drawdown(returns)
    if not mdd < 0:
        return math.nan
    value = annual_return(returns, periods_per_year=periods_per_year) / -mdd
    return value if math.isfinite(value) else math.nan


def _aligned(returns: pd.Series | ArrayLike, benchmark: pd.Series | ArrayLike) -> FloatArray:
    """A (n, 2) array of the dates both series have, rows with a NaN dropped."""
    if isinstance(returns, pd.Series) and isinstance(benchmark, pd.Series):
        pair = pd.concat([returns, benchmark], axis=1, join="inner").to_numpy(np.float64)
    else:
        a = np.asarray(returns, dtype=np.float64).ravel()
        b = np.asarray(benchmark, dtype=np.float64).ravel()
        if a.shape != b.shape:
            raise ValueError(f"returns ({a.size}) and benchmark ({b.size}) differ in length")
        pair = np.column_stack([a, b])
    return pair[~np.isnan(pair).any(axis=1)]


def information_ratio(
    returns: pd.Series | ArrayLike,
    benchmark: pd.Series | ArrayLike,
    *,
    periods_per_year: int = PERIODS_PER_YEAR,
) -> float:
    """Annualised mean active return over its standard deviation (the tracking error).

    Series are aligned on their dates (inner join). NaN when the active return does not vary.
    """
    pair = _aligned(returns, benchmark)
    active = pair[:, 0] - pair[:, 1]
    if active.size < 2 or _constant(active):
        return math.nan
    return _ratio(float(np.mean(active)), float(np.std(active, ddof=1))) * math.sqrt(
        periods_per_year
    )


def alpha_beta(
    returns: pd.Series | ArrayLike,
    benchmark: pd.Series | ArrayLike,
    *,
    risk_free: float = 0.0,
    periods_per_year: int = PERIODS_PER_YEAR,
) -> tuple[float, float]:
    """OLS beta of the excess returns on the benchmark's, and alpha annualised by compounding.

    beta = cov(r, b) / var(b); alpha = (1 + mean(r - rf - beta (b - rf))) ** periods - 1.
    Both NaN under two aligned observations or when the benchmark does not vary.
    """
    pair = _aligned(returns, benchmark)
    if pair.shape[0] < 2:
        return math.nan, math.nan
    y, x = pair[:, 0], pair[:, 1]
    centred = x - np.mean(x)  # the slope does not depend on rf: fit the unshifted returns
    variance = float(np.mean(centred * centred))
    if variance < 1e-30:  # numerically constant benchmark: the slope is undefined
        return math.nan, math.nan
    beta = float(np.mean(centred * y)) / variance
    residual = (y - risk_free) - beta * (x - risk_free)
    alpha = float((1.0 + np.mean(residual)) ** periods_per_year - 1.0)
    return alpha, beta


@dataclass(frozen=True, slots=True)
class Drawdown:
    """The maximum drawdown and the longest time under water.

    Positions count bars; a peak at the starting capital (a loss from the first bar on) has no
    date (``start`` is None). ``duration``: bars from the peak to the recovery (the first bar back
    at or above the peak) or, when not recovered, to the last bar.
    """

    max_drawdown: float
    start: pd.Timestamp | None
    trough: pd.Timestamp | None
    recovery: pd.Timestamp | None
    duration: int
    longest_duration: int


def drawdown(returns: pd.Series) -> Drawdown:
    """Max drawdown with its peak/trough/recovery dates, and the longest peak-to-recovery spell."""
    r = returns.dropna()
    if r.empty:
        return Drawdown(math.nan, None, None, None, 0, 0)
    equity = np.concatenate(([1.0], np.cumprod(1.0 + r.to_numpy(np.float64))))
    dates: list[pd.Timestamp | None] = [None, *pd.DatetimeIndex(r.index)]
    peak = np.maximum.accumulate(equity)
    under = equity < peak
    if not under.any():
        return Drawdown(0.0, None, None, None, 0, 0)
    depth = (equity - peak) / peak
    trough = int(np.argmin(depth))
    positions = np.arange(equity.size)
    peak_at = int(np.max(positions[: trough + 1][~under[: trough + 1]]))
    after = np.flatnonzero(~under[trough:])
    recovered = after.size > 0
    end = trough + int(after[0]) if recovered else equity.size - 1
    # every under-water spell: starts where `under` turns on, ends where it turns off
    edges = np.diff(np.concatenate(([0], under.astype(np.int8), [0])))
    starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    spells = np.minimum(stops, equity.size - 1) - (starts - 1)
    return Drawdown(
        max_drawdown=float(depth[trough]),
        start=dates[peak_at],
        trough=dates[trough],
        recovery=dates[end] if recovered else None,
        duration=end - peak_at,
        longest_duration=int(spells.max()),
    )


def win_rate(pnl: ArrayLike) -> float:
    """Share of trades with a positive P&L (NaN without trades)."""
    p = _clean(pnl)
    return float(np.mean(p > 0)) if p.size else math.nan


def profit_factor(pnl: ArrayLike) -> float:
    """Gross profit over gross loss of the trades; NaN when no trade lost."""
    p = _clean(pnl)
    return _ratio(float(p[p > 0].sum()), float(-p[p < 0].sum()))


def payoff_ratio(pnl: ArrayLike) -> float:
    """Average winning trade over the absolute average losing trade; NaN without both."""
    p = _clean(pnl)
    wins, losses = p[p > 0], p[p < 0]
    if not wins.size or not losses.size:
        return math.nan
    return float(wins.mean() / -losses.mean())


def exposure(positions: ArrayLike) -> float:
    """Share of bars with a non-zero position (NaN positions count as flat)."""
    p = np.asarray(positions, dtype=np.float64).ravel()
    return float(np.mean(np.nan_to_num(p) != 0)) if p.size else math.nan


def monthly_returns(returns: pd.Series) -> pd.DataFrame:
    """Compounded return per calendar month: rows are years, columns the months 1..12."""
    r = returns.dropna()
    index = pd.DatetimeIndex(r.index)
    grouped = (1.0 + r).groupby([index.year, index.month]).prod() - 1.0
    table = grouped.unstack()
    table = table.reindex(columns=range(1, 13))
    table.index.name, table.columns.name = "year", "month"
    return table


def _date(value: pd.Timestamp | None) -> str | None:
    return None if value is None else f"{value:%Y-%m-%d}"


def _json(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, pd.Timestamp):
        return _date(value)
    return value


@dataclass(frozen=True, slots=True, eq=False)
class PerformanceReport:
    """Every metric of one return series; NaN where undefined, None where not asked for."""

    start: pd.Timestamp | None
    end: pd.Timestamp | None
    days: int
    total_return: float
    annual_return: float
    annual_volatility: float
    sharpe: float
    sortino: float
    calmar: float
    max_drawdown: float
    max_drawdown_start: pd.Timestamp | None
    max_drawdown_trough: pd.Timestamp | None
    max_drawdown_recovery: pd.Timestamp | None
    max_drawdown_duration: int
    longest_drawdown_duration: int
    benchmark_return: float | None = None
    information_ratio: float | None = None
    alpha: float | None = None
    beta: float | None = None
    trade_count: int | None = None
    win_rate: float | None = None
    profit_factor: float | None = None
    payoff_ratio: float | None = None
    average_holding_days: float | None = None
    exposure: float | None = None
    monthly_returns: pd.DataFrame = field(default_factory=pd.DataFrame)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: dates as ISO strings, NaN and inf as None, months as {year: {month: r}}."""
        out = {f.name: _json(getattr(self, f.name)) for f in fields(self)}
        out["monthly_returns"] = {
            str(year): {str(m): _json(float(v)) for m, v in row.items()}
            for year, row in self.monthly_returns.iterrows()
        }
        return out


def performance_report(
    returns: pd.Series,
    *,
    benchmark: pd.Series | None = None,
    trades: pd.DataFrame | None = None,
    positions: pd.Series | None = None,
    risk_free: float = 0.0,
    periods_per_year: int = PERIODS_PER_YEAR,
) -> PerformanceReport:
    """All metrics of ``returns`` (daily simple returns, date index).

    benchmark: daily simple returns of a benchmark (aligned on dates) for IR, alpha and beta.
    trades: a table with ``pnl`` and ``holding_days`` columns (``engine.BacktestResult.trades``).
    positions: the position held per bar, for the exposure.
    """
    r = returns.dropna()
    dd = drawdown(r)
    bench: dict[str, Any] = {}
    if benchmark is not None:
        b = benchmark.reindex(r.index)
        alpha, beta = alpha_beta(r, b, risk_free=risk_free, periods_per_year=periods_per_year)
        bench = {
            "benchmark_return": total_return(b),
            "information_ratio": information_ratio(r, b, periods_per_year=periods_per_year),
            "alpha": alpha,
            "beta": beta,
        }
    trade_stats: dict[str, Any] = {}
    if trades is not None:
        pnl = trades["pnl"].to_numpy(np.float64)
        holding = trades["holding_days"].to_numpy(np.float64)
        trade_stats = {
            "trade_count": int(pnl.size),
            "win_rate": win_rate(pnl),
            "profit_factor": profit_factor(pnl),
            "payoff_ratio": payoff_ratio(pnl),
            "average_holding_days": float(holding.mean()) if holding.size else math.nan,
        }
    return PerformanceReport(
        start=pd.Timestamp(r.index[0]) if len(r) else None,
        end=pd.Timestamp(r.index[-1]) if len(r) else None,
        days=len(r),
        total_return=total_return(r),
        annual_return=annual_return(r, periods_per_year=periods_per_year),
        annual_volatility=annual_volatility(r, periods_per_year=periods_per_year),
        sharpe=sharpe_ratio(r, risk_free=risk_free, periods_per_year=periods_per_year),
        sortino=sortino_ratio(r, required_return=risk_free, periods_per_year=periods_per_year),
        calmar=calmar_ratio(r, periods_per_year=periods_per_year),
        max_drawdown=dd.max_drawdown,
        max_drawdown_start=dd.start,
        max_drawdown_trough=dd.trough,
        max_drawdown_recovery=dd.recovery,
        max_drawdown_duration=dd.duration,
        longest_drawdown_duration=dd.longest_duration,
        exposure=None if positions is None else exposure(positions.reindex(r.index)),
        monthly_returns=monthly_returns(r),
        **bench,
        **trade_stats,
    )
