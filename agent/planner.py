"""The offline planner: a chat model that needs no weights and emits real tool calls.

It reads the conversation's human messages with ``agent.question.parse_question`` (each one
with the previous as history, so "and its VaR?" keeps the company) and answers the turn's first
plan step with the tool calls the question needs; once the turn has tool results it answers
with no calls, which ends the tool loop. The answer itself is written by
``agent.offline_writer`` from templates filled with ledger values: the planner never writes a
number.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Sequence
from datetime import date
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import ConfigDict

from agent.plan_table import ToolPlan, forecast_horizon, request_calls
from agent.question import ParsedQuestion, parse_question

__all__ = ["OfflinePlanner", "ToolPlan", "parse_conversation", "plan_calls"]

_STRATEGIES = (
    ("buy_and_hold", re.compile(r"\bbuy[\s-]+(?:and|&)[\s-]+hold\b", re.I)),
    ("sma_cross", re.compile(r"\b(?:sma|moving[\s-]+average)[\s-]+cross\w*|\bcrossover\b", re.I)),
    ("ml", re.compile(r"\b(?:ml|model|machine\s+learning|xgboost)\b", re.I)),
    ("technical", re.compile(r"\btechnical\b", re.I)),
)
_RISK_FACTORS = re.compile(r"\brisk\s+factors?\b", re.I)
_MDA = re.compile(r"\bmd\s?&\s?a\b|management'?s\s+discussion", re.I)
_SINCE = re.compile(r"\b(?:since|from|starting(?:\s+in)?)\s+((?:19|20)\d{2})\b", re.I)


def parse_conversation(
    messages: Sequence[BaseMessage], *, today: date, known_tickers: Collection[str]
) -> ParsedQuestion | None:
    """The last human message, parsed with every earlier one as its history."""
    parsed: ParsedQuestion | None = None
    for message in messages:
        if isinstance(message, HumanMessage):
            parsed = parse_question(
                message.text, today=today, history=parsed, known_tickers=known_tickers
            )
    return parsed


def _strategy(text: str) -> str:
    return next((name for name, pattern in _STRATEGIES if pattern.search(text)), "confluence")


def _search_calls(q: ParsedQuestion, tickers: Sequence[str | None]) -> list[ToolPlan]:
    k = min(q.k or 5, 20)
    plans: list[ToolPlan] = []
    for ticker in tickers:
        base: dict[str, Any] = {"query": q.text[:500], "k": k}
        if ticker is not None:
            base["ticker"] = ticker
        if "filings" in q.intents:
            args = dict(base)
            if _RISK_FACTORS.search(q.text):
                args |= {"query": "risk factors", "section": "Item 1A"}
            elif _MDA.search(q.text):
                args["section"] = "Item 7"
            if q.forms:
                args["form"] = q.forms[0]
            if q.fiscal_year is not None:
                args["fiscal_year"] = q.fiscal_year
            plans.append(("search_filings", args))
        if "calls" in q.intents:
            plans.append(("search_calls", dict(base)))
        if "news" in q.intents:
            plans.append(("news", dict(base)))
    return plans


def plan_calls(q: ParsedQuestion) -> list[ToolPlan]:
    """The tool calls that answer ``q`` (the planner's whole policy, deterministic): from the
    typed request's ask when it has one (``agent.plan_table``), else from its intents."""
    planned = request_calls(q)
    if planned is not None:
        return _distinct(planned)
    intents = set(q.intents) - {"why"}
    tickers = list(q.tickers)
    plans: list[ToolPlan] = []
    if "backtest" in intents:
        intents.discard("signal")  # "backtest buy and hold" is not "should I buy"
    overview = not intents - {"compare"}  # "AAPL?", "what about Microsoft?", "compare X and Y"
    if "compare" in intents and len(tickers) >= 2:
        overview = False
        metric = "risk" if "risk" in intents else "signal" if "signal" in intents else "momentum"
        plans.append(("compare", {"tickers": tickers[:5], "metric": metric}))
        intents -= {"compare", "technicals", "risk", "signal", "price"}
    if "why" in q.intents and overview:
        intents.add("signal")  # "why?" with nothing to inherit: explain the signal
        overview = False
    for ticker in tickers:
        if overview or "signal" in intents:
            plans.append(("signal", {"ticker": ticker}))
            plans.append(("technicals", {"ticker": ticker}))
            plans.append(("risk", {"ticker": ticker, "horizon_days": 10}))
        if overview or "price" in intents:
            plans.append(("market_snapshot", {"ticker": ticker}))
        if "technicals" in intents and not ("signal" in intents or overview):
            plans.append(("technicals", {"ticker": ticker}))
        if "risk" in intents and not ("signal" in intents or overview):
            plans.append(("risk", {"ticker": ticker, "horizon_days": q.horizon_days or 10}))
        if "forecast" in intents:
            horizon = forecast_horizon(q.horizon_days)
            plans.append(("model_forecast", {"ticker": ticker, "horizon": horizon}))
        if "backtest" in intents:
            args: dict[str, Any] = {"ticker": ticker, "strategy": _strategy(q.text)}
            if m := _SINCE.search(q.text):
                args["start_year"] = int(m.group(1))
            plans.append(("backtest", args))
        if "sentiment" in intents:
            plans.append(("sentiment", {"ticker": ticker}))
    plans += _search_calls(q, tickers or [None])
    return _distinct(plans)


def _distinct(plans: list[ToolPlan]) -> list[ToolPlan]:
    return list({(name, repr(sorted(a.items()))): (name, a) for name, a in plans}.values())


def _call_id(turn: int, i: int, name: str, args: dict[str, Any]) -> str:
    digest = hashlib.sha256(f"{turn}|{i}|{name}|{sorted(args.items())}".encode()).hexdigest()
    return f"call_{digest[:16]}"


class OfflinePlanner(BaseChatModel):
    """A deterministic chat model for the agent graph when no LLM endpoint is configured.

    ``bind_tools`` checks that every tool the planner may call is bound and returns the planner;
    invoking it returns an ``AIMessage`` whose ``tool_calls`` the graph's ``ToolNode`` runs.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    today: date
    known_tickers: frozenset[str]
    open_universe: bool = False  # a provider serves any symbol: unknown ones are tried too

    @property
    def _llm_type(self) -> str:
        return "signaldesk-offline-planner"

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> OfflinePlanner:
        names = {getattr(t, "name", None) for t in tools}
        needed = {
            "signal", "technicals", "risk", "market_snapshot", "model_forecast", "backtest",
            "sentiment", "search_filings", "search_calls", "news", "compare", "period_stats",
            "filing_figure", "track_record",
        }  # fmt: skip
        if missing := needed - names:
            raise ValueError(f"the offline planner needs the tools {sorted(missing)}")
        return self

    def plan(self, messages: Sequence[BaseMessage]) -> AIMessage:
        """The next step of the turn that ``messages`` ends in."""
        humans = [i for i, m in enumerate(messages) if isinstance(m, HumanMessage)]
        if not humans:
            return AIMessage(content="There is no question to answer.")
        turn = humans[-1]
        if any(isinstance(m, ToolMessage) for m in messages[turn + 1 :]):
            return AIMessage(content="")  # the turn's tools ran: compose the answer
        q = parse_conversation(messages, today=self.today, known_tickers=self.known_tickers)
        assert q is not None
        if self.open_universe:  # as the understand node does
            q = q.trying_unknown()
        calls = [
            {"name": name, "args": args, "id": _call_id(turn, i, name, args), "type": "tool_call"}
            for i, (name, args) in enumerate(plan_calls(q))
        ]
        return AIMessage(content="", tool_calls=calls)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        message = self.plan(messages)
        message.usage_metadata = {"input_tokens": 0, "output_tokens": 0, "total_tokens": 0}
        return ChatResult(generations=[ChatGeneration(message=message)])
