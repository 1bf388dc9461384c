"""The LLM reads the question into the same typed request the offline parser fills.

With an endpoint configured, the model is asked (one forced call of the ``TypedRequest`` tool,
as the compose step forces ``Draft``: plain tool calling works on any OpenAI-compatible server
and on the scripted test models) for the ask, tickers, date, quantity, verdict, document scope
and decline of the question. Its reading is validated and merged into the offline parse:

- ask, quantity, verdict and scope: the model's reading wins when it gives them (an explicit
  null verdict or scope clears the parser's); decline: the model's reading wins, and a reading
  without one clears the parser's, except a decline by rule (a date after the as-of date, a
  level or horizon out of range);
- tickers: only symbols the data knows or the parser already found; others are dropped, never
  invented (an uncovered company is a decline, not a substitute);
- the date: only an ISO date not after the as-of date; a period that starts after it, or ends
  before it starts, is dropped; a ``future_date`` decline needs a date after the as-of date.

Garbage, a refusal, a validation error or an unreachable endpoint leave the offline parse
unchanged, with a warning that says why.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from pydantic import BaseModel, ConfigDict, Field, ValidationError

import prompts
from agent.llm import LLMUnavailableError, invoke_with_clear_errors
from agent.question import ParsedQuestion
from agent.request import Ask, Decline, DocScope, Quantity, Verdict

__all__ = [
    "ModelReading",
    "TypedRequest",
    "describe_previous",
    "llm_request",
    "merge",
    "read_request",
]


class TypedRequest(BaseModel):
    """What the user's question asks, as data. Fill only what the question says."""

    model_config = ConfigDict(extra="ignore")

    ask: Ask | None = Field(default=None, description="what kind of answer is asked for")
    tickers: list[str] = Field(
        default_factory=list, description="symbols of the companies the question names"
    )
    as_of: str | None = Field(
        default=None,
        description="YYYY-MM-DD the question asks about; null for now/today/currently",
    )
    quantity: Quantity | None = Field(default=None, description="the number asked for")
    verdict: Verdict | None = Field(default=None, description="the judgement asked for")
    scope: DocScope | None = Field(default=None, description="which documents, if any")
    decline: Decline | None = Field(default=None, description="why it cannot be answered")


_TOOL = TypedRequest.__name__
# declines the parser finds by rule (a date after the as-of date, a level or horizon out of
# range): a reading that declines nothing does not clear them
_RULE_DECLINES = frozenset({"future_date", "bad_level", "bad_horizon"})


@dataclass(frozen=True)
class ModelReading:
    """The merged request, the warning (None when the model's reading was used as is), the
    model's reply (for the token budget; None when it failed) and, when the endpoint could not
    answer, its one-line error (the turn then goes to the offline planner)."""

    parsed: ParsedQuestion
    warning: str | None = None
    reply: BaseMessage | None = None
    unavailable: str | None = None


def describe_previous(previous: ParsedQuestion | None) -> str | None:
    """The previous turn as the model is shown it: its question and what it asked."""
    if previous is None:
        return None
    asked = ", ".join(
        f"{k}={v}"
        for k, v in (
            ("ask", previous.ask),
            ("tickers", "/".join(previous.tickers)),
            ("as_of", previous.as_of),
        )
        if v
    )
    return f"the previous question was {previous.text!r} ({asked or 'nothing recognised'})"


def _parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def _checked_quantity(q: Quantity, *, as_of: date, warnings: list[str]) -> Quantity:
    p = q.period
    if p is None:
        return q
    bad = (
        "starts after the as-of date"
        if p.start is not None and p.start > as_of
        else "ends before it starts"
        if p.start is not None and p.end is not None and p.end < p.start
        else None
    )
    if bad is None:
        return q
    warnings.append(f"the model's period {p.label or p.start} {bad} ({as_of}): dropped")
    return q.model_copy(update={"period": None})


def merge(
    parsed: ParsedQuestion, reading: TypedRequest, *, as_of: date, known: Collection[str]
) -> tuple[ParsedQuestion, list[str]]:
    """``parsed`` with the model's ``reading`` merged in (see the module's rules), and one
    warning per part of the reading that was rejected."""
    warnings: list[str] = []
    given = reading.model_fields_set
    update: dict[str, Any] = {}
    if reading.ask is not None:
        update["ask"] = reading.ask
    if reading.quantity is not None:
        update["quantity"] = _checked_quantity(reading.quantity, as_of=as_of, warnings=warnings)
    for name in ("verdict", "scope"):
        if name in given:
            update[name] = getattr(reading, name)
    asked: date | None = None
    if reading.as_of:
        day = _parse_date(reading.as_of)
        if day is None:
            warnings.append(f"the model's date {reading.as_of!r} is not a date: ignored")
        elif day > as_of:
            warnings.append(f"the model's date {day} is after the as-of date {as_of}: ignored")
            asked = day
        else:
            update |= {"as_of": day, "future_date": False}
    d = reading.decline
    future = parsed.future_date or asked is not None
    if d is not None and d.reason == "future_date" and not future:
        warnings.append(
            f"the model declined a future date, but the question names none after {as_of}: "
            "not declined"
        )
    elif d is not None or parsed.decline is None or parsed.decline.reason not in _RULE_DECLINES:
        update["decline"] = d
    known_upper = {t.upper() for t in known} | set(parsed.tickers)
    named = [t.strip().upper().lstrip("$") for t in reading.tickers if t.strip()]
    accepted = tuple(dict.fromkeys(t for t in named if t in known_upper))
    marked = {*parsed.unknown_tickers, *parsed.unmarked_symbols}
    invented = [t for t in dict.fromkeys(named) if t not in known_upper and t not in marked]
    if invented:
        warnings.append(
            f"the model named {', '.join(invented)}, which the question does not name and the "
            "data does not cover: dropped"
        )
    if accepted:
        update["tickers"] = accepted
    return parsed.model_copy(update=update), warnings


def _reading_from(reply: BaseMessage) -> tuple[TypedRequest | None, str | None]:
    calls = [c for c in getattr(reply, "tool_calls", None) or [] if c["name"] == _TOOL]
    if not calls:
        bad = getattr(reply, "invalid_tool_calls", None) or []
        return None, (
            f"its arguments were not valid JSON: {bad[0].get('error') or 'unparsable'}"
            if bad
            else f"it did not call {_TOOL}"
        )
    try:
        return TypedRequest.model_validate(calls[0]["args"]), None
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "arguments"
        return None, f"{where}: {first['msg']}"


def read_request(
    model: BaseChatModel,
    *,
    text: str,
    parsed: ParsedQuestion,
    history_text: str | None,
    as_of: date,
    known: Collection[str] = (),
) -> ModelReading:
    """The model's reading of ``text`` merged into ``parsed`` (the offline parse). ``as_of`` is
    what "now" means for the question; ``known`` the tickers the data covers."""
    system = prompts.load("understand").format(
        as_of=as_of,
        tickers=", ".join(sorted(known)) or "none listed",
        history=history_text or "none (this is the first question)",
    )
    try:
        bound = model.bind_tools([TypedRequest], tool_choice=_TOOL)
        reply = invoke_with_clear_errors(bound, [SystemMessage(system), HumanMessage(text)])
    except LLMUnavailableError as err:
        return ModelReading(parsed, f"{err}; the offline parse was used", unavailable=str(err))
    reading, problem = _reading_from(reply)
    if reading is None:
        why = f"the LLM's reading of the question was malformed ({problem})"
        return ModelReading(parsed, f"{why}; the offline parse was used", reply)
    merged, warnings = merge(parsed, reading, as_of=as_of, known=known)
    return ModelReading(merged, "; ".join(warnings) or None, reply)


def llm_request(
    model: BaseChatModel,
    *,
    text: str,
    parsed: ParsedQuestion,
    history_text: str | None,
    as_of: date,
    known: Collection[str] = (),
) -> tuple[ParsedQuestion, str | None]:
    """``read_request`` as (the request, a warning or None)."""
    out = read_request(
        model, text=text, parsed=parsed, history_text=history_text, as_of=as_of, known=known
    )
    return out.parsed, out.warning
