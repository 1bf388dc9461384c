"""The charts an answer gets, chosen from its evidence and drawn with the ``reports`` builders.

- signal or technicals evidence: price with SMA 50/200, Bollinger bands, RSI and the bars where
  the technical action changed; the technical score's history with the action bands;
- risk evidence: the distribution of the daily returns behind it with the 1-day historical VaR
  and CVaR it reports;
- backtest evidence: the walk-forward equity curve against buy and hold (monthly, from the
  evidence's own monthly returns) with its drawdown.

Bars come from the run's ``ToolContext`` at the evidence's as-of date, so a chart never shows
data the answer could not see. Blocking (TA-Lib, data access): call it off the event loop.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from reports.charts import equity_figure, var_distribution_figure
from reports.technical import price_figure, score_history_figure
from tools.context import ToolContext
from tools.evidence import Evidence

__all__ = ["Chart", "charts_for", "monthly_returns"]

_PRICE_KINDS = ("signal", "technicals")


@dataclass(frozen=True)
class Chart:
    name: str
    figure: go.Figure


def charts_for(
    evidence: Sequence[Evidence],
    context_for: Callable[[date], ToolContext],
    *,
    lookback: int = 252,
    limit: int = 6,
) -> list[Chart]:
    """The charts for a turn's evidence (at most ``limit``), one set per ticker and kind."""
    charts: list[Chart] = []
    done: set[tuple[str, str]] = set()
    for ev in evidence:
        if len(ev.tickers) != 1:
            continue
        ticker = ev.tickers[0]
        group = "price" if ev.kind in _PRICE_KINDS else ev.kind
        if (group, ticker) in done:
            continue
        if group == "price":
            charts += _price_charts(context_for(ev.as_of), ticker, lookback=lookback)
        elif group == "risk":
            charts += _var_chart(context_for(ev.as_of), ev)
        elif group == "backtest":
            charts += _equity_chart(ev)
        else:
            continue
        done.add((group, ticker))
    return charts[:limit]


def _price_charts(ctx: ToolContext, ticker: str, *, lookback: int) -> list[Chart]:
    bars = ctx.bars(ticker).frame
    price = price_figure(
        bars,
        config=ctx.config,
        sessions=lookback,
        title=f"{ticker} to {ctx.as_of}: price, SMA 50/200, Bollinger, RSI, action changes",
    )
    history = score_history_figure(
        bars,
        config=ctx.config,
        sessions=2 * lookback,
        title=f"{ticker}: technical score, last {2 * lookback} sessions to {ctx.as_of}",
    )
    return [Chart(f"{ticker} price", price), Chart(f"{ticker} score history", history)]


def _var_chart(ctx: ToolContext, ev: Evidence) -> list[Chart]:
    rows: list[dict[str, Any]] = ev.values.get("results", [])
    daily = [r for r in rows if r.get("method") == "historical" and r.get("horizon_days") == 1]
    if not daily or not ev.values.get("lookback_bars"):
        return []
    row = min(daily, key=lambda r: abs(r["level"] - 0.95))
    ticker = ev.tickers[0]
    closes = ctx.bars(ticker).frame["close"]
    returns = closes.pct_change().dropna().iloc[-int(ev.values["lookback_bars"]) :]
    fig = var_distribution_figure(
        returns,
        var=row["var"],
        cvar=row["cvar"],
        level=row["level"],
        title=f"{ticker}: {len(returns)} daily returns to {ev.as_of}, historical VaR and CVaR",
    )
    return [Chart(f"{ticker} VaR", fig)]


def monthly_returns(monthly: dict[str, dict[str, float | None]]) -> pd.Series:
    """``{year: {month: return}}`` (a backtest report's ``monthly_returns``) as a series indexed
    by month end; months without a return are left out."""
    points = {
        pd.Timestamp(int(year), int(month), 1) + pd.offsets.MonthEnd(0): r
        for year, months in monthly.items()
        for month, r in months.items()
        if r is not None
    }
    return pd.Series(points, dtype="float64").sort_index()


def _equity_chart(ev: Evidence) -> list[Chart]:
    strategy = monthly_returns(ev.values.get("walk_forward", {}).get("monthly_returns", {}))
    if strategy.empty:
        return []
    hold = monthly_returns(
        ev.values.get("baselines", {}).get("buy_and_hold", {}).get("monthly_returns", {})
    )
    benchmark = (1.0 + hold.reindex(strategy.index).fillna(0.0)).cumprod() if len(hold) else None
    ticker = ev.tickers[0]
    fig = equity_figure(
        (1.0 + strategy).cumprod(),
        benchmark=benchmark,
        title=f"{ticker}: {ev.values.get('strategy', 'strategy')} walk-forward (monthly, "
        "with costs) vs buy and hold",
    )
    return [Chart(f"{ticker} equity", fig)]
