"""A vectorised backtest of target positions on adjusted daily bars, one asset or many at once.

Timing. The target for date t is decided at the CLOSE of t from data <= t. With ``lag`` L >= 1
it is executed at the OPEN of bar t + L; ``lag=0`` (execution at the close of t itself) must be
asked for explicitly. The position held after the execution on bar t is ``held[t]`` (the target
of t - L); before the first bar, and wherever a target is NaN or missing, the position is flat.

Returns (positions are weights, fractions of equity):
- a bar without a trade earns ``held * (close[t] / close[t-1] - 1)`` (rebalanced at the close);
- an execution bar (lag >= 1) is split at the open: the previous position earns the overnight
  move close[t-1] -> open[t], the new one the session open[t] -> close[t], and the costs are
  paid at the open in between:
  ``1 + net = (1 + prev * overnight) * (1 - cost * |held - prev|) * (1 + held * session)``;
- with lag 0 the trade is at the close: ``1 + net = (1 + prev * close_to_close) * (1 - cost *
  |held - prev|)``.
``cost`` = commission + slippage per side, charged on traded notional (turnover), so a round
trip in and out costs 2 x 0.15% with the defaults. Gross returns are the same without costs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from quant.arrays import FloatArray
from quant.backtest.metrics import PerformanceReport, performance_report


class BacktestInputError(ValueError):
    """Bars or targets that cannot be backtested (missing or non-positive prices, bad lag)."""


@dataclass(frozen=True, slots=True)
class Costs:
    """Per-side trading costs as fractions of traded notional."""

    commission: float = 0.001
    slippage: float = 0.0005

    @property
    def per_side(self) -> float:
        return self.commission + self.slippage


DEFAULT_COSTS = Costs()  # 0.1% commission + 0.05% slippage per side


@dataclass(frozen=True, slots=True)
class Simulation:
    """Arrays of shape (n_days, n_assets) from ``simulate``; turnover and costs are derived."""

    returns: FloatArray  # net of costs
    gross_returns: FloatArray
    positions: FloatArray  # held after the execution on each bar
    equity: FloatArray  # net equity at each close, starting from 1
    cost: float  # per side, on traded notional

    @property
    def turnover(self) -> FloatArray:
        """|held - previous held| per bar, fractions of equity (computed on each access)."""
        return np.abs(np.diff(self.positions, axis=0, prepend=0.0))

    @property
    def costs(self) -> FloatArray:
        """cost * turnover: fractions of equity at the moment of each trade."""
        return self.cost * self.turnover


def _check(open_: FloatArray, close: FloatArray, lag: int) -> None:
    if isinstance(lag, bool) or not isinstance(lag, int | np.integer) or lag < 0:
        raise BacktestInputError(f"lag must be an integer >= 0 (got {lag!r}); < 0 is look-ahead")
    if open_.shape != close.shape:
        raise BacktestInputError(f"open {open_.shape} and close {close.shape} differ in shape")
    if open_.size and not (open_.min() > 0 and close.min() > 0):  # NaN fails too
        raise BacktestInputError("open and close must be positive and not NaN on every bar")


def _by_asset(values: FloatArray) -> FloatArray:
    """(days, assets) -> a C-contiguous (assets, days) array; free for pandas' F-order arrays."""
    return np.ascontiguousarray(np.asarray(values, dtype=np.float64).T)


def simulate(
    open_: FloatArray,
    close: FloatArray,
    targets: FloatArray,
    *,
    lag: int = 1,
    cost: float = DEFAULT_COSTS.per_side,
) -> Simulation:
    """Backtest targets of shape (n_days, n_assets) on open/close prices of the same shape.

    ``targets[t]`` is decided at the close of t; NaN means flat. See the module docstring.
    The work runs on (assets, days) arrays, days contiguous, a block of assets at a time (so
    that the temporaries stay in cache); the results are (days, assets) views.
    """
    o, c, w = _by_asset(open_), _by_asset(close), _by_asset(targets)
    _check(o, c, lag)
    if w.shape != c.shape:
        raise BacktestInputError(f"targets {w.T.shape} and prices {c.T.shape} differ in shape")
    net, gross, held, equity = (np.empty_like(c) for _ in range(4))
    for lo in range(0, c.shape[0], _BLOCK):
        rows = slice(lo, lo + _BLOCK)
        _simulate_block(
            o[rows], c[rows], w[rows], lag, cost, net[rows], gross[rows], held[rows], equity[rows]
        )
    return Simulation(net.T, gross.T, held.T, equity.T, cost)


_BLOCK = 32  # assets per block: a block's (32, n_days) temporaries stay in a core's L2 cache


def _simulate_block(
    o: FloatArray,
    c: FloatArray,
    w: FloatArray,
    lag: int,
    cost: float,
    net: FloatArray,
    gross: FloatArray,
    held: FloatArray,
    equity: FloatArray,
) -> None:
    """``simulate`` on (assets, days) arrays, writing its results into the last four."""
    n = c.shape[1]
    held[:, :lag] = 0.0
    held[:, lag:] = w[:, : max(n - lag, 0)]
    if np.isnan(held).any():
        np.nan_to_num(held, copy=False, nan=0.0)
    delta = np.empty_like(held)
    delta[:, 0] = held[:, 0]
    np.subtract(held[:, 1:], held[:, :-1], out=delta[:, 1:])
    change = np.empty_like(c)
    change[:, 0] = 0.0
    np.divide(c[:, 1:], c[:, :-1], out=change[:, 1:])
    change[:, 1:] -= 1.0
    if lag == 0:
        prev = np.empty_like(held)
        prev[:, 0] = 0.0
        prev[:, 1:] = held[:, :-1]
        np.multiply(prev, change, out=gross)
        grow = gross + 1.0
        np.multiply(grow, 1.0 - cost * np.abs(delta), out=net)
        net -= 1.0
    else:
        np.multiply(held, change, out=net)  # right wherever nothing traded (held == previous)
        gross[...] = net
        # execution bars as flat indices; never a first bar (lag >= 1), so at - 1 is the day before
        at = np.flatnonzero(delta != 0)  # (a boolean scan is much faster than a float one)
        flat_o, flat_c, flat_h = o.reshape(-1), c.reshape(-1), held.reshape(-1)
        overnight = 1.0 + flat_h[at - 1] * (flat_o[at] / flat_c[at - 1] - 1.0)
        session = 1.0 + flat_h[at] * (flat_c[at] / flat_o[at] - 1.0)
        paid = 1.0 - cost * np.abs(delta.reshape(-1)[at])
        gross.reshape(-1)[at] = overnight * session - 1.0
        net.reshape(-1)[at] = overnight * paid * session - 1.0
    np.add(net, 1.0, out=equity)
    np.multiply.accumulate(equity, axis=1, out=equity)


def _targets_on(index: pd.DatetimeIndex, targets: pd.Series) -> pd.Series:
    extra = targets.index.difference(index)
    if len(extra):
        raise BacktestInputError(
            f"{len(extra)} target dates are not bars (first {extra[0]!s}); "
            "targets must be indexed by the bars' dates"
        )
    return targets.reindex(index).astype(np.float64)


def _segment_pnl(
    bars: pd.DataFrame, held: FloatArray, equity: FloatArray, *, lag: int, cost: float
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Each bar's P&L (units of the starting capital) split by the position that earned it.

    Returns (old, new, cost, equity at the trade): ``old`` is earned by the position held before
    the bar's execution (overnight on an execution bar, the whole bar otherwise), ``new`` by the
    position after it (the session after an open execution), ``cost`` is paid at the execution.
    """
    open_ = bars["open"].to_numpy(np.float64)
    close = bars["close"].to_numpy(np.float64)
    prev = np.concatenate(([0.0], held[:-1]))
    equity_prev = np.concatenate(([1.0], equity[:-1]))
    change = np.concatenate(([0.0], close[1:] / close[:-1] - 1.0))
    traded = held != prev
    if lag == 0:
        old = equity_prev * prev * change
        at_trade = equity_prev * (1.0 + prev * change)
        new = np.zeros(held.size)
    else:
        overnight = np.concatenate(([0.0], open_[1:] / close[:-1] - 1.0))
        session = close / open_ - 1.0
        old = np.where(traded, equity_prev * prev * overnight, equity_prev * held * change)
        at_trade = equity_prev * (1.0 + prev * overnight)
        new = np.where(traded, at_trade * (1.0 - cost * np.abs(held - prev)) * held * session, 0)
    paid = np.where(traded, at_trade * cost * np.abs(held - prev), 0.0)
    return old, new, paid, at_trade


def _trades(bars: pd.DataFrame, sim: Simulation, *, lag: int, cost: float) -> pd.DataFrame:
    """One row per trade: a run of positions of one sign, resizes included.

    pnl and costs are in units of the starting capital (1); the pnl of all trades sums to the
    final equity minus 1. return = pnl / equity at entry. A trade still open at the end is marked
    at the last close (``closed`` False). holding_days: bars that closed with the position on.
    """
    held = sim.positions[:, 0]
    n = held.size
    prev = np.concatenate(([0.0], held[:-1]))
    sign, prev_sign = np.sign(held), np.sign(prev)
    starts = (sign != 0) & (sign != prev_sign)
    ids = np.where(sign != 0, np.cumsum(starts) - 1, -1)  # the trade each bar closes in
    prev_ids = np.concatenate(([-1], ids[:-1]))
    old, new, paid, at_trade = _segment_pnl(bars, held, sim.equity[:, 0], lag=lag, cost=cost)
    exit_cost = np.where(sign != prev_sign, at_trade * cost * np.abs(prev), 0.0)
    count = int(starts.sum())

    def per_trade(which: np.ndarray, values: np.ndarray) -> FloatArray:
        keep = which >= 0
        # float64 already (weighted counts): asarray only gives it its type, without a copy
        return np.asarray(
            np.bincount(which[keep], weights=values[keep], minlength=count), dtype=np.float64
        )

    costs = per_trade(prev_ids, exit_cost) + per_trade(ids, paid - exit_cost)
    pnl = per_trade(prev_ids, old) + per_trade(ids, new) - costs
    first = np.flatnonzero(starts)
    holding = np.bincount(ids[ids >= 0], minlength=count)
    closed = first + holding < n  # first + holding: the exit bar
    exit_at = np.minimum(first + holding, n - 1)
    close = bars["close"].to_numpy(np.float64)
    fill = close if lag == 0 else bars["open"].to_numpy(np.float64)
    entry_price, exit_price = fill[first], np.where(closed, fill[exit_at], close[exit_at])
    side = sign[first]
    dates = pd.DatetimeIndex(bars.index)
    return pd.DataFrame(
        {
            "entry_date": dates[first],
            "exit_date": dates[exit_at],
            "side": np.where(side > 0, "long", "short"),
            "entry_price": entry_price,
            "exit_price": exit_price,
            "weight": held[first],
            "price_return": side * (exit_price / entry_price - 1.0),
            "return": pnl / at_trade[first],
            "pnl": pnl,
            "costs": costs,
            "holding_days": holding,
            "closed": closed,
        }
    )


@dataclass(frozen=True, slots=True, eq=False)
class BacktestResult:
    """One asset's backtest: daily series (date index), the trades and the report."""

    returns: pd.Series  # net of costs
    gross_returns: pd.Series
    positions: pd.Series  # held after each bar's execution
    turnover: pd.Series
    costs: pd.Series
    equity: pd.Series  # net, starting from 1
    trades: pd.DataFrame
    report: PerformanceReport
    lag: int
    cost: float


def backtest(
    bars: pd.DataFrame,
    targets: pd.Series,
    *,
    lag: int = 1,
    costs: Costs = DEFAULT_COSTS,
    long_only: bool = False,
    position_scale: float | pd.Series = 1.0,
    benchmark: pd.Series | None = None,
) -> BacktestResult:
    """Backtest target positions on one asset's adjusted bars (columns ``open`` and ``close``).

    targets: the position decided at the close of each date (any float weight; NaN is flat),
    indexed by bar dates (missing dates are flat). long_only: clip short targets to flat.
    position_scale: a factor per date (or one number) multiplied into the targets, for sizing
    decided elsewhere; it is subject to the same lag. benchmark: daily simple returns for the
    report's information ratio, alpha and beta.
    """
    index = pd.DatetimeIndex(bars.index)
    target = _targets_on(index, targets)
    if isinstance(position_scale, pd.Series):
        position_scale = _targets_on(index, position_scale)
    target = target * position_scale
    if long_only:
        target = target.clip(lower=0.0)
    open_ = bars["open"].to_numpy(np.float64)[:, None]
    close = bars["close"].to_numpy(np.float64)[:, None]
    sim = simulate(open_, close, target.to_numpy()[:, None], lag=lag, cost=costs.per_side)
    series = {
        name: pd.Series(getattr(sim, name)[:, 0], index=index, name=name)
        for name in ("returns", "gross_returns", "positions", "turnover", "costs", "equity")
    }
    trades = _trades(bars, sim, lag=lag, cost=costs.per_side)
    report = performance_report(
        series["returns"], benchmark=benchmark, trades=trades, positions=series["positions"]
    )
    return BacktestResult(**series, trades=trades, report=report, lag=lag, cost=costs.per_side)


@dataclass(frozen=True, slots=True, eq=False)
class PanelResult:
    """Many assets' backtests at once: frames of dates x tickers, as in ``Simulation``."""

    returns: pd.DataFrame  # net of costs
    gross_returns: pd.DataFrame
    positions: pd.DataFrame
    equity: pd.DataFrame
    cost: float

    @property
    def turnover(self) -> pd.DataFrame:
        return self.positions.diff().fillna(self.positions).abs()

    @property
    def costs(self) -> pd.DataFrame:
        return self.cost * self.turnover


def run_many(
    open_: pd.DataFrame,
    close: pd.DataFrame,
    targets: pd.DataFrame,
    *,
    lag: int = 1,
    costs: Costs = DEFAULT_COSTS,
    long_only: bool = False,
) -> PanelResult:
    """Backtest N assets at once; frames are dates x tickers with the same labels.

    Each column is backtested exactly as ``backtest`` would (without trades and reports);
    targets are aligned to the prices' labels (missing is flat).
    """
    if not (open_.index.equals(close.index) and open_.columns.equals(close.columns)):
        raise BacktestInputError("open and close frames must share dates and tickers")
    if not (targets.index.equals(close.index) and targets.columns.equals(close.columns)):
        targets = targets.reindex(index=close.index, columns=close.columns)
    target = targets.to_numpy(np.float64)
    if long_only:
        target = np.clip(target, 0.0, None)
    sim = simulate(open_.to_numpy(), close.to_numpy(), target, lag=lag, cost=costs.per_side)
    index, columns = close.index, close.columns
    frames = {
        name: pd.DataFrame(getattr(sim, name), index=index, columns=columns, copy=False)
        for name in ("returns", "gross_returns", "positions", "equity")
    }
    return PanelResult(**frames, cost=costs.per_side)
