"""The nodes that gather the turn's evidence: understand, plan and tools.

understand parses the question and fixes the turn's as-of date (a ``date``); plan asks the
model (or the offline planner) for tool calls; tools runs them in the run context of that date.
The answer is written by ``agent.answer_nodes``, the routes are in ``agent.routes``, and
``agent.graph`` only wires them. Each node returns a partial state update.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from langchain_core.messages import (
    AIMessage,
    AnyMessage,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.runnables import RunnableConfig
from langgraph.config import get_config
from langgraph.prebuilt import ToolNode
from langgraph.runtime import Runtime

import prompts
from agent._companies import COMPANIES
from agent._turn_input import run_date, turn_date, turn_question
from agent.answer_first import describe_request
from agent.declines import capabilities_text, decline_text, future_limit
from agent.deps import AgentDeps
from agent.llm import LLMUnavailableError, invoke_with_clear_errors
from agent.question import ParsedQuestion, missing_symbols, parse_question
from agent.request import Decline
from agent.routes import pending_calls
from agent.state import AgentContext, AgentState
from agent.telemetry import traced_tool_call
from agent.understand_llm import describe_previous, read_request
from data.errors import DataError
from tools.context import ToolContext
from tools.runtime import use_context

__all__ = ["PlanNodes"]

log = logging.getLogger(__name__)

_TICKERLESS = {"filings", "calls", "news"}  # intents that can search across all companies
_HISTORY_TURNS = 3  # earlier turns an LLM sees besides the current one
# asks that read a past window (a backtest's start goes to the tool, which says what is wrong)
_PERIOD_ASKS = frozenset({"return", "volatility", "drawdown", "range", "price", "compare"})


def _handle_tool_error(err: Exception) -> str:
    """Every tool failure goes back as a message; a data error (a named, one-line error:
    unknown ticker, provider down) is logged as its line, any other fault with its traceback."""
    if isinstance(err, DataError):
        log.warning("tool failed", extra={"error": f"{type(err).__name__}: {err}"})
    else:
        log.warning("tool failed", exc_info=err)
    return f"{type(err).__name__}: {err}"


def _refusal(
    q: ParsedQuestion, *, today: date, as_of: date, known: frozenset[str], offline: bool
) -> str | None:
    """Why the question is declined before any tool runs, or None: the request's decline
    (``agent.declines``: the decline first, then what can be done instead)."""
    if q.future_date or (q.decline is not None and q.decline.reason == "future_date"):
        detail = q.decline.detail if q.decline is not None and q.decline.detail else None
        when = Decline(reason="future_date", detail=detail or str(q.as_of or ""))
        return decline_text(
            when, tickers=q.tickers, known=known, limit=future_limit(today=today, as_of=as_of)
        )
    decline = q.decline
    if decline is None and q.ask == "capabilities" and not q.tickers:
        return capabilities_text(known=known)  # no tool to run: the refuse node answers it
    if decline is None or decline.reason in ("unknown_company", "no_company", "unsupported"):
        missing = missing_symbols(q)  # marked unknowns; unmarked ones when no company/comparing
        if missing:
            decline = Decline(reason="unknown_company", detail=_as_named(missing, q.text))
        elif q.advice_request:
            decline = Decline(reason="advice")
        elif decline is not None and decline.reason != "unknown_company" and not offline:
            decline = None  # a model may answer what the offline planner cannot
        elif offline and q.unsupported and q.ask is None:
            decline = Decline(reason="unsupported")
        elif offline and not q.tickers and not q.intents & _TICKERLESS and q.ask is None:
            decline = Decline(reason="no_company")
    if decline is None:
        return None
    return decline_text(decline, tickers=q.tickers, known=known)


def _as_named(symbols: Sequence[str], text: str) -> str:
    """The symbols as the question named them: "Tesla (TSLA)" for a company named, else "TSLA"."""
    named = []
    for symbol in symbols:
        found = next(
            (
                m.group(0)
                for pattern, ticker in COMPANIES
                if ticker == symbol
                for m in [re.search(rf"(?<![\w&]){pattern}(?![\w&])", text, re.IGNORECASE)]
                if m
            ),
            None,
        )
        if found and found.islower():  # "amazon" typed in lower case: "Amazon (AMZN)"
            found = found.title()
        named.append(f"{found} ({symbol})" if found else symbol)
    return ", ".join(named)


def _unseen_period(q: ParsedQuestion, horizon: date) -> ParsedQuestion:
    """``q`` declined when it asks about a window that starts after the last day the run may
    see ("How did Apple do in 2014?" asked as of 2011)."""
    period = q.quantity.period
    if period is None or period.start is None or period.start <= horizon:
        return q
    if q.ask not in _PERIOD_ASKS:
        return q
    label = period.label or str(period.start)
    detail = label if label[:1].isdigit() else f"the period {label}"
    return q.model_copy(update={"decline": Decline(reason="future_date", detail=detail)})


class PlanNodes:
    def __init__(self, deps: AgentDeps) -> None:
        self.deps = deps
        self._tool_node = ToolNode(
            list(deps.tools), handle_tool_errors=_handle_tool_error, wrap_tool_call=traced_tool_call
        )
        self._contexts: dict[date, ToolContext] = {}

    # --- understand ---------------------------------------------------------------------------
    def understand(self, state: AgentState, *, runtime: Runtime[AgentContext]) -> dict[str, Any]:
        asked = turn_question(state)
        configurable = get_config().get("configurable") or {}  # in process: agent.runner's
        dated = run_date(state, context=runtime.context, configurable=configurable)
        # no date given: offline data end on their last day, which plays today (see AgentDeps)
        today = self.deps.today() if dated.forced else self.deps.undated_today()
        history = state.get("parsed")
        previous = ParsedQuestion.model_validate(history) if history else None
        q = parse_question(
            asked.text, today=today, history=previous, known_tickers=self.deps.known_tickers
        )
        read: dict[str, Any] = {"warnings": [], "tokens": 0, "cost_usd": 0.0}
        if asked.index >= 0 and dated.problem is None:
            undated = q.model_copy(update={"as_of": None})  # "now" for the model's reading
            now = turn_date(undated, forced=dated.forced, previous=dated.previous, today=today)
            q, read = self._read(q, previous, as_of=min(now, today), read=read)
        if self.deps.open_universe:  # an online provider may know them
            q = q.trying_unknown()
            if q.decline is not None and q.decline.reason == "unknown_company":
                q = q.model_copy(update={"decline": None})
        as_of = turn_date(q, forced=dated.forced, previous=dated.previous, today=today)
        horizon = min(as_of, today)  # the last day the run may see
        later = q.as_of if q.as_of is not None and q.as_of > horizon else None
        if as_of > today or later is not None:
            q = q.model_copy(update={"future_date": True, "as_of": later or as_of})
        q = _unseen_period(q, horizon)
        if asked.index < 0:
            refusal: str | None = "There is no question to answer."
        else:
            refusal = dated.problem or _refusal(
                q,
                today=today,
                as_of=horizon,
                known=self.deps.known_tickers,
                offline=self.deps.offline,
            )
        return {
            "messages": list(asked.added),
            "question": q.text,
            "parsed": q.model_dump(mode="json"),
            "as_of": horizon,
            "turn_as_of": horizon,
            "tickers": list(q.tickers),
            "turn": asked.index,
            "started": self.deps.clock(),
            "refusal": refusal,
            "rounds": 0,
            "tool_calls": 0,
            "stop": None,
            "draft": None,
            "answer": None,
            "verification": None,
            "repairs": 0,
            "model_fallback": False,
            "done": False,
        } | read

    def _read(
        self,
        q: ParsedQuestion,
        previous: ParsedQuestion | None,
        *,
        as_of: date,
        read: dict[str, Any],
    ) -> tuple[ParsedQuestion, dict[str, Any]]:
        """The request as the LLM reads it (``q`` as it is offline), with its token accounting
        and warnings (``read`` offline)."""
        if self.deps.offline or self.deps.model is None:
            return q, read
        reading = read_request(
            self.deps.model,
            text=q.text,
            parsed=q,
            history_text=describe_previous(previous),
            as_of=as_of,
            known=self.deps.known_tickers,
        )
        read = self.deps.budget.charge({}, reading.reply) | {
            "warnings": [reading.warning] if reading.warning else [],
            "model_fallback": reading.unavailable is not None,
        }
        if reading.unavailable:  # the endpoint is down: the offline planner takes the turn
            read["warnings"] = [f"{reading.unavailable}; the offline planner answered instead"]
        return reading.parsed, read

    # --- plan / tools ---------------------------------------------------------------------------
    def _llm_messages(self, state: AgentState) -> list[BaseMessage]:
        messages = state["messages"]
        humans = [i for i, m in enumerate(messages) if isinstance(m, HumanMessage)]
        keep = messages[humans[-1 - _HISTORY_TURNS] :] if len(humans) > _HISTORY_TURNS else messages
        system = prompts.load("system").format(
            today=self.deps.today(),
            as_of=state["turn_as_of"],
            tickers=", ".join(state.get("tickers") or []) or "none recognised",
            request=describe_request(
                ParsedQuestion.model_validate(state["parsed"]) if state.get("parsed") else None
            ),
        )
        return [SystemMessage(system), *keep]

    def plan(self, state: AgentState) -> dict[str, Any]:
        budget = self.deps.budget
        stop = budget.exhausted(state, now=self.deps.clock())
        if stop is not None:
            return {"stop": stop, "warnings": [*state.get("warnings", []), budget.message(stop)]}
        warnings = list(state.get("warnings", []))
        update: dict[str, Any] = {}
        reply: BaseMessage
        if self.deps.offline or state.get("model_fallback"):
            reply = self.deps.planner().bind_tools(self.deps.tools).invoke(state["messages"])
        else:
            assert self.deps.model is not None
            try:
                bound = self.deps.model.bind_tools(self.deps.tools)
                reply = invoke_with_clear_errors(bound, self._llm_messages(state))
            except LLMUnavailableError as err:
                warnings.append(f"{err}; the offline planner answered instead")
                reply = self.deps.planner().invoke(state["messages"])
                update["model_fallback"] = True
            update |= budget.charge(state, reply)
        assert isinstance(reply, AIMessage)
        if reply.invalid_tool_calls:
            names = ", ".join(c.get("name") or "?" for c in reply.invalid_tool_calls)
            warnings.append(f"the model sent malformed tool calls ({names}); they were not run")
        messages: list[AnyMessage] = [reply]
        calls = reply.tool_calls
        room = budget.max_tool_calls - state.get("tool_calls", 0)
        if len(calls) > room:
            messages += [
                ToolMessage(
                    content=f"not run: the limit of {budget.max_tool_calls} tool calls was reached",
                    tool_call_id=c["id"],
                    name=c["name"],
                    status="error",
                )
                for c in calls[max(room, 0) :]
            ]
            warnings.append(budget.message("tool_calls"))
            update["stop"] = "tool_calls"
        return update | {"messages": messages, "warnings": warnings}

    def context(self, as_of: date) -> ToolContext:
        if as_of not in self._contexts:
            self._contexts[as_of] = self.deps.context_for(as_of)
        return self._contexts[as_of]

    def tools(self, state: AgentState, config: RunnableConfig) -> dict[str, Any]:
        pending = pending_calls(state)
        ctx = self.context(state["turn_as_of"])
        ai = AIMessage(content="", tool_calls=pending)
        with use_context(ctx):
            out = self._tool_node.invoke({"messages": [ai]}, config)
        return {
            "messages": out["messages"],
            "tool_calls": state.get("tool_calls", 0) + len(pending),
            "rounds": state.get("rounds", 0) + 1,
        }
