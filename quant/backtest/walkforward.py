"""Walk-forward backtest: fit on each fold's past, trade its test window, stitch, compare.

For every fold of a ``WalkForward`` splitter the strategy is fitted on the bars up to the fold's
``train_end`` (the fold tells it which of them are its training rows), then asked for positions
on the bars up to the fold's ``test_end``; the test dates' positions are stitched into one
out-of-sample target series and backtested in one piece (so a position carried across a fold
boundary pays no extra costs). Reported beside it, over the same dates:

- per-fold reports (the out-of-sample returns restricted to each test window);
- the naive in-sample backtest: the strategy fitted once on all the bars and its positions on
  all of them, and the overfitting gap = in-sample minus walk-forward (annual return, Sharpe);
- baselines (buy and hold; a seeded random strategy with the same exposure) fitted and stitched
  the same way;
- the specification's stability rules, pass or fail, never tuned for:
  1. consistent returns: every fold's total (net) return is within +-3 percentage points of the
     mean fold return (so the spread max - min is at most 6 points);
  2. Sharpe > 0.8 in every fold (a fold with an undefined Sharpe, e.g. flat throughout, fails);
  3. max drawdown shallower than 15% in every fold.
- a look-ahead audit: in each fold, positions recomputed on bars cut at a few test dates must
  equal those computed on the fold's whole window (a one-day peek shows only when it would have
  changed the position on the cut day, so more audit dates catch more).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from quant.backtest.engine import DEFAULT_COSTS, BacktestResult, Costs, backtest
from quant.backtest.metrics import PerformanceReport, performance_report
from quant.backtest.splits import Fold, WalkForward
from quant.backtest.strategies import BuyAndHold, RandomStrategy, Strategy

RETURN_BAND = 0.03  # every fold's return within mean +- 3 percentage points
MIN_FOLD_SHARPE = 0.8
MAX_FOLD_DRAWDOWN = 0.15


@dataclass(frozen=True, slots=True)
class StabilityRule:
    """One stability rule's verdict with the per-fold values it looked at."""

    name: str
    rule: str
    passed: bool
    values: tuple[float, ...]

    def to_dict(self) -> dict[str, Any]:
        values = [v if math.isfinite(v) else None for v in self.values]
        return {"name": self.name, "rule": self.rule, "passed": self.passed, "values": values}


@dataclass(frozen=True, slots=True, eq=False)
class FoldResult:
    fold: Fold
    report: PerformanceReport


@dataclass(frozen=True, slots=True, eq=False)
class WalkForwardResult:
    """Out-of-sample backtest, per-fold reports, in-sample comparison, baselines and verdicts."""

    strategy: str
    folds: tuple[FoldResult, ...]
    out_of_sample: BacktestResult
    in_sample: BacktestResult
    gap: dict[str, float]
    stability: tuple[StabilityRule, ...]
    baselines: dict[str, BacktestResult]
    lookahead_violations: tuple[pd.Timestamp, ...]

    @property
    def stable(self) -> bool:
        return all(rule.passed for rule in self.stability)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (NaN as None, dates as ISO strings)."""
        oos = self.out_of_sample
        return {
            "strategy": self.strategy,
            "lag": oos.lag,
            "cost_per_side": oos.cost,
            "folds": [{**f.fold.to_dict(), "report": f.report.to_dict()} for f in self.folds],
            "walk_forward": oos.report.to_dict(),
            "in_sample": self.in_sample.report.to_dict(),
            "gap": {k: v if math.isfinite(v) else None for k, v in self.gap.items()},
            "stability": {
                "passed": self.stable,
                "rules": [rule.to_dict() for rule in self.stability],
            },
            "baselines": {name: r.report.to_dict() for name, r in self.baselines.items()},
            "lookahead_violations": [f"{t:%Y-%m-%d}" for t in self.lookahead_violations],
        }


def _stitched_targets(
    bars: pd.DataFrame, strategy: Strategy, folds: Sequence[Fold], *, audits: int = 0
) -> tuple[pd.Series, list[pd.Timestamp]]:
    """Out-of-sample targets on every test date, and the dates where the audit found look-ahead.

    audits: per fold, the number of test dates t (evenly spaced) at which positions from bars
    cut at t are compared with those from the fold's whole window.
    """
    targets = np.full(len(bars.index), np.nan)
    violations = []
    for fold in folds:
        strategy.fit(bars.loc[: fold.train_end], train=fold)
        visible = bars.loc[: fold.test_end]
        positions = strategy.positions(visible).reindex(visible.index).to_numpy(np.float64)
        rows = np.flatnonzero(fold.test_mask(visible.index))
        targets[rows] = positions[rows]
        for k in range(1, audits + 1):
            cut = visible.index[rows[k * (rows.size - 1) // (audits + 1)]]
            part = strategy.positions(visible.loc[:cut]).to_numpy(np.float64)
            if not np.array_equal(part, positions[: part.size], equal_nan=True):
                violations.append(pd.Timestamp(cut))
    return pd.Series(targets, index=bars.index, dtype=np.float64), violations


def _stability(reports: Sequence[PerformanceReport]) -> tuple[StabilityRule, ...]:
    returns = np.array([r.total_return for r in reports])
    sharpes = tuple(r.sharpe for r in reports)
    drawdowns = tuple(r.max_drawdown for r in reports)
    centre = float(np.mean(returns))
    return (
        StabilityRule(
            "fold_returns_consistent",
            f"every fold's return within +-{RETURN_BAND:.0%} of the mean fold return "
            f"({centre:+.2%})",
            bool(np.all(np.abs(returns - centre) <= RETURN_BAND)),
            tuple(returns.tolist()),
        ),
        StabilityRule(
            "fold_sharpe",
            f"Sharpe > {MIN_FOLD_SHARPE} in every fold",
            all(s > MIN_FOLD_SHARPE for s in sharpes),
            sharpes,
        ),
        StabilityRule(
            "fold_drawdown",
            f"max drawdown < {MAX_FOLD_DRAWDOWN:.0%} in every fold",
            all(d > -MAX_FOLD_DRAWDOWN for d in drawdowns),
            drawdowns,
        ),
    )


def _fold_report(
    result: BacktestResult, fold: Fold, benchmark: pd.Series | None
) -> PerformanceReport:
    mask = fold.test_mask(result.returns.index)
    trades = result.trades
    entered = (trades["entry_date"] >= fold.test_start) & (trades["entry_date"] <= fold.test_end)
    return performance_report(
        result.returns[mask],
        benchmark=benchmark,
        trades=trades[entered],
        positions=result.positions[mask],
    )


def _default_baselines(
    targets: pd.Series, rng: np.random.Generator | None, given: Sequence[Strategy] | None
) -> list[Strategy]:
    chosen: list[Strategy] = list(given) if given is not None else [BuyAndHold()]
    if rng is not None:
        tested = targets.dropna()
        short = bool((tested < 0).any())
        chosen.append(RandomStrategy.matching(tested, rng=rng, long_short=short))
    return chosen


def walk_forward_backtest(
    bars: pd.DataFrame,
    strategy: Strategy,
    *,
    splitter: WalkForward,
    benchmark: pd.Series | None = None,
    costs: Costs = DEFAULT_COSTS,
    lag: int = 1,
    long_only: bool = False,
    baselines: Sequence[Strategy] | None = None,
    rng: np.random.Generator | None = None,
    audits: int = 3,
) -> WalkForwardResult:
    """Walk-forward backtest of ``strategy`` on one asset's adjusted bars.

    benchmark: daily simple returns (e.g. the index's) for IR, alpha and beta in every report.
    baselines: strategies run the same way for comparison (default: buy and hold); when ``rng``
    is given, a random strategy matching the walk-forward exposure and holding time is added.
    audits: look-ahead checks per fold (0 turns them off); failures are listed in the result.
    The strategy is refitted per fold and finally on all bars (for the in-sample run).
    """
    folds = splitter.split(bars.index)
    window = bars.loc[folds[0].test_start : folds[-1].test_end]

    def run(targets: pd.Series) -> BacktestResult:
        return backtest(
            window,
            targets.reindex(window.index),
            lag=lag,
            costs=costs,
            long_only=long_only,
            benchmark=benchmark,
        )

    targets, violations = _stitched_targets(bars, strategy, folds, audits=audits)
    out_of_sample = run(targets)
    strategy.fit(bars, train=None)
    in_sample = run(strategy.positions(bars))
    chosen = _default_baselines(targets, rng, baselines)
    compared = {b.name: run(_stitched_targets(bars, b, folds)[0]) for b in chosen}
    wf, ins = out_of_sample.report, in_sample.report
    reports = [_fold_report(out_of_sample, fold, benchmark) for fold in folds]
    return WalkForwardResult(
        strategy=strategy.name,
        folds=tuple(FoldResult(f, r) for f, r in zip(folds, reports, strict=True)),
        out_of_sample=out_of_sample,
        in_sample=in_sample,
        gap={
            "annual_return": ins.annual_return - wf.annual_return,
            "sharpe": ins.sharpe - wf.sharpe,
        },
        stability=_stability(reports),
        baselines=compared,
        lookahead_violations=tuple(violations),
    )
