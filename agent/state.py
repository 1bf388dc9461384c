"""The graph's schemas: its state, the input a run takes and the run's context.

The state holds the thread's messages (checkpointed across turns) and this turn's working values.
Everything in it is plain data (strings, numbers, dates, dicts, LangChain messages) so any
checkpointer can store it (LangGraph's serializer round-trips a ``date``: the turn's date stays
a ``date``); the run's services (market data, models) never enter the state.

A run's input (``AgentInput``, what LangGraph Studio's input form and ``runs.wait(input=...)``
take) asks the question as ``question`` or as a new human message (what Studio's chat sends),
and may fix the date with ``as_of``; a run's context (``AgentContext``, Studio's configuration)
may fix it too. The ``understand`` node reads them (``agent._turn_input``), resets the
per-turn fields and sets ``turn_as_of``, the date every tool of the turn computes at. The
turn's ledger is rebuilt from the artifacts of the tool messages after the turn's human message.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal, NotRequired

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages
from pydantic import BaseModel, ConfigDict, Field
from typing_extensions import TypedDict

__all__ = ["AgentContext", "AgentInput", "AgentState", "StopReason"]

StopReason = Literal["tool_calls", "rounds", "tokens", "cost", "timeout"]


class AgentInput(TypedDict):
    """A run's input: the question, as question or as a new human message in messages (the
    message wins), and optionally as_of, the last day the answer may see (YYYY-MM-DD)."""

    question: NotRequired[str]
    # YYYY-MM-DD; the last day the run may see. Wins over the context's as_of.
    as_of: NotRequired[date | str]
    messages: NotRequired[Annotated[list[AnyMessage], add_messages]]


class AgentContext(BaseModel):
    """A run's settings: as_of, the last day the answer may see (YYYY-MM-DD). Over the LangGraph
    API, the run's context or its config's configurable; in process, context=... or
    config["configurable"] (as agent.runner sets it). The input's as_of wins."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    as_of: date | None = Field(
        default=None,
        description="the last day the run may see (YYYY-MM-DD); the input's as_of wins; "
        "none: today, or the offline data's last day",
    )


class AgentState(TypedDict):
    messages: Annotated[list[AnyMessage], add_messages]
    question: NotRequired[str]  # the turn's question; an input may set the next one
    # the turn's date once ``understand`` ran; a run's input may set it (a date or its ISO
    # string), and a thread checkpointed before it was a ``date`` holds its ISO string
    as_of: NotRequired[date | str]
    # --- set by ``understand`` for the turn
    turn_as_of: NotRequired[date]  # the date every tool of the turn computes at
    parsed: NotRequired[dict[str, Any] | None]  # ParsedQuestion, also the next turn's history
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
