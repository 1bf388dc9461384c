"""Walk-forward backtests of the signal's strategies (technical, ML, confluence) beside
baselines (buy and hold, SMA 50/200 cross, random), with costs and go/no-go verdicts."""

from __future__ import annotations

from datetime import date
from functools import partial

import numpy as np
import pandas as pd

from quant.backtest import (
    BuyAndHold,
    ScoreStrategy,
    SmaCross,
    Strategy,
    WalkForward,
    walk_forward_backtest,
)
from quant.backtest.strategies import LONG_FLAT
from quant.models import ModelStrategy, make_labels
from quant.signals.technical import technical_score_series
from tools.context import BENCHMARK, ToolContext
from tools.evidence import Evidence, Window
from tools.forecast import MODEL_KINDS, feature_panel, universe

STRATEGIES = ("technical", "ml", "confluence", "buy_and_hold", "sma_cross", "random")


def _strategies(
    ctx: ToolContext, ticker: str, frame: pd.DataFrame, names: list[str], kind: str
) -> tuple[Strategy, list[Strategy]]:
    tech = technical_score_series(frame, config=ctx.config)["score"]
    technical = ScoreStrategy(
        score=tech,
        thresholds=ctx.config.technical_thresholds,
        mapping=dict(LONG_FLAT),
        name="technical",
    )
    built: dict[str, Strategy] = {
        "technical": technical,
        "buy_and_hold": BuyAndHold(),
        "sma_cross": SmaCross(),
    }
    if {"ml", "confluence"} & set(names):
        features, closes = feature_panel(ctx, universe(ctx, ticker))
        rows = features.loc[features.index.get_level_values(1) == ticker].droplevel(1)
        labels = make_labels({"X": closes[ticker]}, horizons=(ctx.config.ml_horizon,))
        model_strategy = partial(
            ModelStrategy,
            features=rows,
            labels=labels,
            horizon=ctx.config.ml_horizon,
            factory=lambda: MODEL_KINDS[kind](ctx.config.ml_horizon),
            config=ctx.config,
        )
        built["ml"] = model_strategy(name="ml")
        built["confluence"] = model_strategy(technical=tech, name="confluence")
    primary = built[names[0]]
    others = [built[n] for n in names[1:] if n in built]
    return primary, others


def backtest_evidence(
    ctx: ToolContext,
    ticker: str,
    *,
    start: date | None,
    strategy: str = "confluence",
    model_kind: str = "xgb",
    splitter: WalkForward | None = None,
) -> Evidence:
    """Walk-forward (12-month train, 3-month test, >= 8 folds, next-open execution, 0.1% costs
    + 0.05% slippage per side) and naive in-sample results of ``strategy`` with baselines."""
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}: choose from {', '.join(STRATEGIES)}")
    bars = ctx.bars(ticker)
    frame = bars.frame if start is None else bars.frame.loc[pd.Timestamp(start) :]
    names = [strategy, *[s for s in ("buy_and_hold", "sma_cross") if s != strategy]]
    primary, baselines = _strategies(ctx, bars.ticker, bars.frame, names, model_kind)
    spx = ctx.bars(BENCHMARK).frame["close"].pct_change()
    result = walk_forward_backtest(
        frame,
        primary,
        splitter=splitter or WalkForward(purge=max(20, ctx.config.ml_horizon)),
        benchmark=spx,
        baselines=baselines,
        rng=np.random.default_rng(ctx.seed),
    )
    out = result.to_dict()
    out["ml_record"] = primary.record() if isinstance(primary, ModelStrategy) else None
    return Evidence.make(
        kind="backtest",
        tickers=[bars.ticker],
        as_of=ctx.as_of,
        values={"strategy": strategy, "model_kind": model_kind} | out,
        window=Window(start=frame.index[0].date(), end=frame.index[-1].date(), bars=len(frame)),
        source={"provider": bars.provenance.provider, "engine": "vectorised, next-open"},
        summary=_summary(bars.ticker, strategy, out),
    )


def _summary(ticker: str, strategy: str, out: dict) -> str:
    def fmt(report: dict) -> str:
        ar, sh, dd = report.get("annual_return"), report.get("sharpe"), report.get("max_drawdown")
        return (
            f"annual return {ar:.1%}, Sharpe {sh:.2f}, max drawdown {dd:.1%}"
            if None not in (ar, sh, dd)
            else "n/a"
        )

    parts = [
        f"{ticker} {strategy} walk-forward over {len(out['folds'])} folds: "
        + fmt(out["walk_forward"]),
        f"naive in-sample: {fmt(out['in_sample'])}",
    ]
    parts += [f"{name}: {fmt(report)}" for name, report in out["baselines"].items()]
    verdict = "passes" if out["stability"]["passed"] else "fails"
    return "; ".join(parts) + f"; the stability rules: {verdict}."
