"""Backtests: walk-forward splits, a vectorised engine with costs, strategies, metrics."""

from quant.backtest.engine import BacktestInputError, BacktestResult, Costs, backtest, run_many
from quant.backtest.metrics import PerformanceReport, performance_report
from quant.backtest.splits import Fold, InsufficientHistoryError, PurgedKFold, WalkForward
from quant.backtest.strategies import (
    BuyAndHold,
    RandomStrategy,
    ScoreStrategy,
    SmaCross,
    Strategy,
    lookahead_violations,
)
from quant.backtest.walkforward import WalkForwardResult, walk_forward_backtest

__all__ = [
    "BacktestInputError",
    "BacktestResult",
    "BuyAndHold",
    "Costs",
    "Fold",
    "InsufficientHistoryError",
    "PerformanceReport",
    "PurgedKFold",
    "RandomStrategy",
    "ScoreStrategy",
    "SmaCross",
    "Strategy",
    "WalkForward",
    "WalkForwardResult",
    "backtest",
    "lookahead_violations",
    "performance_report",
    "run_many",
    "walk_forward_backtest",
]
