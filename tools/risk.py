"""Risk evidence for one ticker: VaR/CVaR by method, level and horizon, and drawdown risk."""

from __future__ import annotations

import numpy as np

from quant.risk import Bootstrap, drawdown_distribution, var_report
from tools.context import ToolContext
from tools.evidence import Evidence, Window


def risk_evidence(
    ctx: ToolContext,
    ticker: str,
    *,
    horizons: tuple[int, ...] = (1, 10),
    levels: tuple[float, ...] = (0.95, 0.99),
    path_horizon: int = 252,
    position_value: float | None = None,
) -> Evidence:
    """VaR and CVaR (historical, normal, Cornish-Fisher, Monte Carlo GBM and bootstrap) from the
    last ``ctx.risk_lookback`` daily returns up to ``ctx.as_of``; the distribution of maximum
    drawdown and the probability of a 20% loss over ``path_horizon`` days (bootstrap paths).
    ``position_value``: the amount held; each VaR and CVaR is also given as an amount of it."""
    bars = ctx.bars(ticker)
    returns = bars.frame["close"].pct_change().dropna().iloc[-ctx.risk_lookback :]
    results = var_report(
        returns,
        as_of=ctx.as_of,
        rng=np.random.default_rng(ctx.seed),
        levels=levels,
        horizons=horizons,
    )
    rows = [r.to_dict() for r in results]
    if position_value is not None:  # "if I hold $100k of MSFT": the loss in money too
        for row, result in zip(rows, results, strict=True):
            row["var_amount"] = result.var * position_value
            row["cvar_amount"] = result.cvar * position_value
    drawdowns = drawdown_distribution(
        Bootstrap.fit(np.asarray(returns, dtype=np.float64)),
        rng=np.random.default_rng(ctx.seed + 1),
        horizon_days=path_horizon,
    )
    hist_1d = {r.level: r for r in results if r.method == "historical" and r.horizon_days == 1}
    parts = [
        f"{level:.0%} 1-day historical VaR {r.var:.2%} (CVaR {r.cvar:.2%})"
        for level, r in sorted(hist_1d.items())
    ]
    window = Window(start=returns.index[0].date(), end=returns.index[-1].date(), bars=len(returns))
    return Evidence.make(
        kind="risk",
        tickers=[bars.ticker],
        as_of=ctx.as_of,
        values={
            "results": rows,
            "lookback_bars": len(returns),
            "seed": ctx.seed,
            "drawdown": drawdowns.to_dict(),
            "volatility_annual": float(returns.std(ddof=1) * np.sqrt(252)),
            **({"position_value": position_value} if position_value is not None else {}),
        },
        window=window,
        source={
            "provider": bars.provenance.provider,
            "data": bars.provenance.source,
            "adjustment": bars.provenance.adjustment,
        },
        summary=f"{bars.ticker} as of {ctx.as_of}: "
        + "; ".join(parts)
        + f" over {len(returns)} daily returns {window.start}..{window.end}; "
        f"P(loss > {drawdowns.ruin_threshold:.0%} within {path_horizon} days) "
        f"{drawdowns.ruin_probability:.2%} (bootstrap).",
    )
