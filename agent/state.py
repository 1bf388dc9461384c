"""The graph's state: the thread's messages (checkpointed across turns) and this turn's working
values. Everything here is plain data (strings, numbers, dates, dicts, LangChain messages) so
any checkpointer can store it (LangGraph's serializer round-trips a ``date``: the turn's
``as_of`` stays a ``date``); the run's services (market data, models) never enter the state.

A turn starts with ``{"question": ...}`` (or a new human message, as LangGraph Studio sends);
the ``understand`` node resets the per-turn fields. The turn's ledger is rebuilt from the
artifacts of the tool messages after the turn's human message.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal, NotRequired

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages
from typing_extensions import TypedDict

__all__ = ["AgentState", "StopReason"]

StopReason = Literal["tool_calls", "rounds", "tokens", "cost", "timeout"]


class AgentState(TypedDict):
    messages: Annotated[list[AnyMessage], add_messages]
    question: NotRequired[str]
    # --- set by ``understand`` for the turn
    parsed: NotRequired[dict[str, Any] | None]  # ParsedQuestion, also the next turn's history
    as_of: NotRequired[date]  # the date every tool of the turn computes at
    tickers: NotRequired[list[str]]
    turn: NotRequired[int]  # index of the turn's human message in ``messages``
    started: NotRequired[float]  # wall clock (epoch seconds) at the start of the turn
    refusal: NotRequired[str | None]  # set when the question is declined before any tool runs
    # --- budgets, counted per turn
    rounds: NotRequired[int]
    tool_calls: NotRequired[int]
    tokens: NotRequired[int]
    cost_usd: NotRequired[float]
    stop: NotRequired[StopReason | None]
    warnings: NotRequired[list[str]]
    # --- the answer (Answer and Verification as JSON-ready dicts)
    draft: NotRequired[dict[str, Any] | None]
    answer: NotRequired[dict[str, Any] | None]
    verification: NotRequired[dict[str, Any] | None]
    repairs: NotRequired[int]
    model_fallback: NotRequired[bool]  # the LLM failed: the offline planner finished the turn
    done: NotRequired[bool]  # the turn's answer is final
