"""Planning from the typed request: the tool calls that compute exactly what was asked.

One row per ask (``agent.request.Ask``): a month's VaR is a 21-day VaR, "how would buy and hold
have done" is a backtest, "has the model held up" is the walk-forward record, a drawdown over a
past year is the realised one, a calendar year's return is that year's, a size for an account is
in currency. Where a tool may be unable to answer (no trained model for a direction question),
the plan also gathers what can answer, and the writer says which one it used and why.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from agent.question import ParsedQuestion
from agent.request import Period

__all__ = ["ToolPlan", "forecast_horizon", "request_calls"]

ToolPlan = tuple[str, dict[str, Any]]
_FORECAST_HORIZONS = (1, 5, 20)
_COMPARE_METRICS = {"risk", "signal", "momentum"}
_OVER_A_PERIOD = {"return", "volatility"}  # compared from period_stats when a window is named
_OVERVIEW_RISK_DAYS = 10
# a topic that only names the section itself is not a heading inside it
# what a section is read for, searched when the question names only the section
_SECTION_QUERY = {
    "Item 7": "net sales revenue increased decreased compared operating income margin results",
    "Item 1A": "risks could adversely affect our business results competition",
    "Item 1": "the company designs develops sells products services customers markets",
    "Item 7A": "market risk exposure interest rates foreign currency hypothetical change",
    "Item 3": "lawsuit litigation claims proceedings alleged damages",
}
_SECTION_NAME = re.compile(
    r"^\s*(?:item\s+\w+|risk\s+factors?|risks|md\s?&\s?a|management'?s\s+discussion.*"
    r"|business|legal\s+proceedings|properties)\s*$",
    re.I,
)


def forecast_horizon(days: int | None) -> int:
    """The trained model horizon nearest ``days`` (5 when none is asked)."""
    if days is None:
        return 5
    return min(_FORECAST_HORIZONS, key=lambda h: (abs(h - days), h))


def period_args(period: Period) -> dict[str, Any]:
    """The ``period_stats`` arguments of a window, relative windows kept relative."""
    if period.year_to_date:
        return {"year_to_date": True}
    if period.lookback_days is not None:
        return {"lookback_days": period.lookback_days}
    args: dict[str, Any] = {}
    if period.start is not None:
        args["start"] = period.start.isoformat()
    if period.end is not None:
        args["end"] = period.end.isoformat()
    return args


def _overview(q: ParsedQuestion, t: str) -> list[ToolPlan]:
    return [
        ("signal", {"ticker": t}),
        ("technicals", {"ticker": t}),
        ("risk", {"ticker": t, "horizon_days": _OVERVIEW_RISK_DAYS}),
        ("market_snapshot", {"ticker": t}),
    ]


def _signal(q: ParsedQuestion, t: str) -> list[ToolPlan]:
    args: dict[str, Any] = {"ticker": t}
    if q.quantity.account_size is not None:
        args["account_size"] = q.quantity.account_size
    return [
        ("signal", args),
        ("technicals", {"ticker": t}),
        ("risk", {"ticker": t, "horizon_days": _OVERVIEW_RISK_DAYS}),
    ]


def _position(q: ParsedQuestion, t: str) -> list[ToolPlan]:
    args: dict[str, Any] = {"ticker": t}
    if q.quantity.account_size is not None:
        args["account_size"] = q.quantity.account_size
    return [("signal", args)]


def _windowed(q: ParsedQuestion, t: str, *, otherwise: list[ToolPlan]) -> list[ToolPlan]:
    if q.quantity.period is None:
        return otherwise
    return [("period_stats", {"ticker": t} | period_args(q.quantity.period))]


def _return(q: ParsedQuestion, t: str) -> list[ToolPlan]:
    calls = _windowed(q, t, otherwise=[("market_snapshot", {"ticker": t})])
    if q.quantity.account_size is not None and calls[0][0] == "period_stats":
        calls = [("period_stats", calls[0][1] | {"amount": q.quantity.account_size})]
    return calls


def _volatility(q: ParsedQuestion, t: str) -> list[ToolPlan]:
    return _windowed(q, t, otherwise=[("risk", {"ticker": t, "horizon_days": 1})])


def _drawdown(q: ParsedQuestion, t: str) -> list[ToolPlan]:
    if q.quantity.metric == "from_peak":  # "how far has it fallen from its peak?"
        return [("market_snapshot", {"ticker": t})]
    days = q.quantity.horizon_days
    forward: list[ToolPlan] = [("risk", {"ticker": t, "horizon_days": days or 1})]
    if days is not None and 5 <= days < 252:  # "worst case over the next 6 months"
        forward = [("risk", {"ticker": t, "horizon_days": 1, "drawdown_days": days})]
    return _windowed(q, t, otherwise=forward)


def _var(q: ParsedQuestion, t: str) -> list[ToolPlan]:
    args: dict[str, Any] = {"ticker": t, "horizon_days": q.quantity.horizon_days or 1}
    level = q.quantity.level
    if level is not None and 0.5 < level < 1 and level not in (0.95, 0.99):
        args["level"] = level  # "VaR at 97.5%": computed at that level, not the nearest
    if q.quantity.account_size is not None:
        args["position_value"] = q.quantity.account_size  # "if I hold $100k of it"
    return [("risk", args)]


def _backtest(q: ParsedQuestion, t: str) -> list[ToolPlan]:
    strategy = "ml" if q.ask == "model_record" else q.quantity.strategy or "confluence"
    args: dict[str, Any] = {"ticker": t, "strategy": strategy}
    period = q.quantity.period
    if period is not None and period.start is not None:  # "since 2008"
        args["start_year"] = period.start.year
    return [("backtest", args)]


def _direction(q: ParsedQuestion, t: str) -> list[ToolPlan]:
    horizon = forecast_horizon(q.quantity.horizon_days or q.horizon_days)
    return [("model_forecast", {"ticker": t, "horizon": horizon}), ("signal", {"ticker": t})]


_NEWS_WORDS = re.compile(r"\b(?:news|headlines?|press|articles?|stories)\b", re.I)


def _sentiment(q: ParsedQuestion, t: str) -> list[ToolPlan]:
    """The sentiment score; "the tone of the news" also reads the news it comes from."""
    plans: list[ToolPlan] = [("sentiment", {"ticker": t})]
    if _NEWS_WORDS.search(q.text):
        plans.append(("news", {"ticker": t, "query": q.text[:500], "k": min(q.k or 5, 20)}))
    return plans


def _one(name: str) -> Callable[[ParsedQuestion, str], list[ToolPlan]]:
    return lambda q, t: [(name, {"ticker": t})]


_PER_TICKER: dict[str, Callable[[ParsedQuestion, str], list[ToolPlan]]] = {
    "overview": _overview,
    "signal": _signal,
    "position_size": _position,
    "price": _one("market_snapshot"),
    "return": _return,
    "range": lambda q, t: _windowed(q, t, otherwise=[("market_snapshot", {"ticker": t})]),
    "indicator": _one("technicals"),
    "overbought": _one("technicals"),
    "trend": _one("technicals"),
    "regime": lambda q, t: [("signal", {"ticker": t}), ("technicals", {"ticker": t})],
    "var": _var,
    "cvar": _var,
    "volatility": _volatility,
    "drawdown": _drawdown,
    "backtest": _backtest,
    "model_record": _backtest,
    "direction": _direction,
    "sentiment": _sentiment,
    "why": lambda q, t: [("signal", {"ticker": t}), ("technicals", {"ticker": t})],
}


def _compare_metric(q: ParsedQuestion) -> str:
    metric = q.quantity.metric or ""
    if metric in _COMPARE_METRICS:
        return metric
    if metric in {"volatility", "var", "cvar", "drawdown"}:
        return "risk"
    return "momentum" if metric in {"return", "performance"} else "signal"


def _documents(q: ParsedQuestion, tickers: Sequence[str | None]) -> list[ToolPlan]:
    scope = q.scope
    k = min(q.k or 5, 20)
    plans: list[ToolPlan] = []
    for t in tickers:
        base: dict[str, Any] = {"k": k} | ({"ticker": t} if t is not None else {})
        if q.ask == "filing_figure" and scope is not None and scope.figure and t is not None:
            years = list(scope.fiscal_years or ((scope.fiscal_year,) if scope.fiscal_year else ()))
            args: dict[str, Any] = {"ticker": t, "figure": scope.figure}
            if years:
                args["fiscal_years"] = years
            plans.append(("filing_figure", args))
        elif q.ask in ("filing", "filing_figure"):
            query = scope.topic if scope and scope.topic else q.text
            if (
                scope is not None
                and scope.section in _SECTION_QUERY
                and (not scope.topic or _SECTION_NAME.search(scope.topic))
            ):  # "MD&A highlights": what that section is read for, not its name
                query = _SECTION_QUERY[scope.section]
            args = base | {"query": query[:500]}
            if scope is not None:
                if scope.section:
                    args["section"] = scope.section
                    if scope.topic and not _SECTION_NAME.search(scope.topic):
                        args["subsection"] = scope.topic[:100]  # "competition" in Item 1
                if scope.form:
                    args["form"] = scope.form
                if scope.fiscal_year is not None:
                    args["fiscal_year"] = scope.fiscal_year
                elif scope.latest:
                    args["latest"] = True
            plans.append(("search_filings", args))
        elif q.ask == "call":
            topic = scope.topic if scope and scope.topic else q.text
            plans.append(("search_calls", base | {"query": topic[:500]}))
        elif q.ask == "news":
            topic = scope.topic if scope and scope.topic else q.text
            plans.append(("news", base | {"query": topic[:500]}))
    return plans


def request_calls(q: ParsedQuestion) -> list[ToolPlan] | None:
    """The calls for ``q``'s ask, or None when the request has no ask (the planner then plans
    from the intents) or is declined (no tool runs: an empty list)."""
    if q.decline is not None:
        return []
    if q.ask is None or q.ask == "capabilities":
        return None if q.ask is None else []
    tickers = list(q.tickers)
    if q.ask == "track_record":  # SignalDesk's own calls: on each company, or on all of them
        return [("track_record", {"ticker": t}) for t in tickers] or [("track_record", {})]
    if q.ask in ("filing", "filing_figure", "call", "news"):
        return _documents(q, tickers or [None])
    if q.ask == "compare" or (q.verdict is not None and q.verdict.kind == "which"):
        if len(tickers) >= 2 and q.quantity.metric in _OVER_A_PERIOD and q.quantity.period:
            # "which did better in 2011?": each company's realised numbers over that window
            return [call for t in tickers[:5] for call in _windowed(q, t, otherwise=[])]
        if len(tickers) >= 2:
            return [("compare", {"tickers": tickers[:5], "metric": _compare_metric(q)})]
        return None  # one company: not a comparison the tools can make; plan from the intents
    per_ticker = _PER_TICKER.get(q.ask)
    if per_ticker is None:
        return None
    return [call for t in tickers for call in per_ticker(q, t)]
