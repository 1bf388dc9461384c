"""How a run's question and as-of date reach the turn: the graph's client contract.

The state keeps the last turn's ``question`` and ``as_of`` and a run's input writes over them,
so ``understand`` tells a new input from what the last turn left:

- the question is the newest human message when it came after the last turn's (what LangGraph
  Studio's chat and ``agent.runner`` send), else the input's ``question``, which joins the
  thread as a human message. An input with neither asks the last turn's question again;
- the date is the input's ``as_of`` when it differs from the last turn's ``turn_as_of`` (an ISO
  string, as the API sends it, always does; a ``date`` equal to the last turn's reads as
  unchanged), else the run context's ``as_of``, else ``config["configurable"]["as_of"]``.
  A thread stored before ``turn_as_of`` existed holds its last turn's date in ``as_of``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from langchain_core.messages import HumanMessage

from agent.declines import bad_date_text
from agent.question import ParsedQuestion
from agent.state import AgentContext, AgentState
from core.asof import AsOfError, parse_as_of

__all__ = ["RunDate", "TurnQuestion", "run_date", "turn_date", "turn_question"]


@dataclass(frozen=True)
class TurnQuestion:
    """The turn's question: ``index`` of its human message in ``messages`` once ``added`` is
    appended (-1 when there is no question), its ``text``, and the message to add, if any."""

    index: int
    text: str
    added: tuple[HumanMessage, ...] = ()


@dataclass(frozen=True)
class RunDate:
    """The date the run fixes (``forced``; None: the turn finds its own), why it cannot be
    read (``problem``, a decline), and the last turn's date (``previous``) for a follow-up."""

    forced: date | None = None
    problem: str | None = None
    previous: date | str | None = None


def turn_question(state: AgentState) -> TurnQuestion:
    messages = state["messages"]
    last = max((i for i, m in enumerate(messages) if isinstance(m, HumanMessage)), default=-1)
    if last >= 0 and last > state.get("turn", -1):
        return TurnQuestion(last, messages[last].text)
    asked = (state.get("question") or "").strip()
    if asked:
        return TurnQuestion(len(messages), asked, (HumanMessage(asked),))
    return TurnQuestion(-1, "")


def _requested(
    state: AgentState, context: AgentContext | None, configurable: Mapping[str, Any]
) -> tuple[str, object] | None:
    """Where the run's date comes from and its raw value, or None when the run fixes none."""
    given = state.get("as_of")
    fresh = "turn" not in state or given != state.get("turn_as_of", given)
    if given and fresh:  # an empty form field ("") fixes nothing
        return "as_of", given
    if context is not None and context.as_of is not None:
        return "context as_of", context.as_of
    if configurable.get("as_of"):
        return "configurable as_of", configurable["as_of"]
    return None


def run_date(
    state: AgentState, *, context: AgentContext | None, configurable: Mapping[str, Any]
) -> RunDate:
    """The date the run fixes: the input's ``as_of``, else the context's, else the
    configurable's; a value that is not a YYYY-MM-DD date comes back as a ``problem``."""
    previous = state.get("turn_as_of", state.get("as_of")) if "turn" in state else None
    requested = _requested(state, context, configurable)
    if requested is None:
        return RunDate(previous=previous)
    where, value = requested
    forced = _date(value)
    if forced is None:
        return RunDate(problem=bad_date_text(value, where=where), previous=previous)
    return RunDate(forced=forced, previous=previous)


def _date(value: object) -> date | None:
    """``value`` as a date (a ``date``, or its YYYY-MM-DD string), or None when it is not one."""
    if not isinstance(value, str | date):
        return None
    try:
        return parse_as_of(value)
    except AsOfError:
        return None


def turn_date(
    q: ParsedQuestion, *, forced: date | None, previous: str | date | None, today: date
) -> date:
    """The date the turn computes at: the run's (``forced``: see ``run_date``) or the
    question's own date when that is earlier ("what about at the end of 2011?"), else the
    previous turn's for a follow-up ("and its VaR?"), else the question's, else today. A thread
    checkpointed before the state's ``as_of`` was a ``date`` holds its ISO string, which
    ``parse_as_of`` also reads."""
    if forced is not None:
        # the run's date is the last day it may see; a question may ask about an earlier one
        return q.as_of if q.as_of is not None and q.as_of < forced else forced
    if q.as_of is None and q.is_follow_up and previous:
        return parse_as_of(previous, name="as_of")
    return q.as_of or today
