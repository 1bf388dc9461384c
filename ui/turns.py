"""One chat turn on screen: the agent's tool steps as they finish, then the signal card, the
answer with its citations and warnings, and the charts.

The answer is complete when it arrives (the agent verifies it before showing any of it), so its
text is sent whole, and only once the signal card is on screen: the card calls the
``CARD_SHOWN`` action when it is drawn (``card_shown`` lets the turn go on), so the card loading
never pushes the text down; a card that does not say so within ``CARD_WAIT_S`` is not waited
for. Citations are one ``Citations`` element under the text, whose buttons open one citation
at a time in the side panel (Chainlit would open every ``display="side"`` element by itself,
stacked, after every answer and on every reload). The agent runs in a worker thread
(``iterate_in_thread``); charts are drawn in another from the moment the answer arrives and
attached to it when done, so nothing blocking touches the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import chainlit as cl
from chainlit.session import WebsocketSession

from agent.answer import Answer
from agent.runner import Agent, RunResult, ToolStep
from tools.evidence import Evidence
from ui.briefings import stored_turn
from ui.figures import charts_for
from ui.render import (
    answer_text,
    citations,
    cited_evidence,
    signal_card,
    step_input,
    step_output,
)
from ui.runtime import Runtime, iterate_in_thread

__all__ = ["CARD_SHOWN", "CARD_WAIT_S", "card_shown", "run_turn", "show_answer", "show_stored_turn"]

CARD_SHOWN = "signal_card_shown"
CARD_WAIT_S = 3.0
# (session id, card id) -> the event the card's action sets, while its turn waits
_waiting: dict[tuple[str, str], asyncio.Event] = {}


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat() + "Z"


async def _show_step(step: ToolStep) -> None:
    """A finished tool call, nested in the turn's run step, timed as the agent measured it."""
    async with cl.Step(name=step.name, type="tool", show_input=True) as shown:
        end = datetime.now(UTC)
        shown.start = _iso(end - timedelta(milliseconds=step.ms or 0.0))
        shown.input = step_input(step.args)
        shown.output = step_output(summary=step.summary, evidence_ids=step.evidence_ids, ms=step.ms)
        shown.is_error = step.status == "error"


def _chart_elements(rt: Runtime, evidence: Sequence[Evidence]) -> list[cl.Plotly]:
    """The answer's charts as elements (drawing and serialising them is blocking work)."""
    return [
        cl.Plotly(name=c.name, figure=c.figure, display="inline", size="large")
        for c in charts_for(evidence, rt.context_for)
    ]


def card_shown(payload: object) -> None:
    """What the ``CARD_SHOWN`` action does: lets the turn that waits for that card go on (an
    unknown or stale card id, as a stored card redrawn on reload sends, does nothing)."""
    card = payload.get("card") if isinstance(payload, dict) else None
    event = _waiting.get((cl.context.session.id, card)) if isinstance(card, str) else None
    if event is not None:
        event.set()


async def _show_card(answer: Answer) -> None:
    """The signal card, waited for until the browser has drawn it (at most ``CARD_WAIT_S``;
    not at all without a browser session)."""
    assert answer.signal is not None
    card_id = uuid.uuid4().hex
    props = signal_card(answer.signal, tickers=answer.tickers, as_of=answer.as_of)
    props["shown"] = {"action": CARD_SHOWN, "card": card_id}
    key = (cl.context.session.id, card_id)
    shown = _waiting[key] = asyncio.Event()
    try:
        card = cl.CustomElement(name="SignalCard", props=props, display="inline")
        await cl.Message(content="", elements=[card]).send()
        if isinstance(cl.context.session, WebsocketSession):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(shown.wait(), CARD_WAIT_S)
    finally:
        _waiting.pop(key, None)


async def show_answer(rt: Runtime, answer: Answer, evidence: Sequence[Evidence]) -> cl.Message:
    """The signal card, then (once it is drawn) the answer's text with its citations, then its
    charts."""
    charts = asyncio.ensure_future(asyncio.to_thread(_chart_elements, rt, evidence))
    if answer.signal is not None:
        await _show_card(answer)
    message = cl.Message(content=answer_text(answer))
    if cited := cited_evidence(answer, evidence):
        # Any: Chainlit types the list by a TypeVar that no element class satisfies
        shown: Any = cl.CustomElement(name="Citations", props=citations(cited), display="inline")
        message.elements = [shown]
    await message.send()
    for chart in await charts:
        await chart.send(for_id=message.id)
    return message


async def run_turn(
    rt: Runtime, agent: Agent, question: str, *, as_of: date | None, thread_id: str
) -> RunResult:
    """Ask ``agent`` on ``thread_id`` and show the turn as it happens."""
    result: RunResult | None = None

    def stream():  # noqa: ANN202 - the agent's generator, run in the worker thread
        return agent.stream(question, as_of=as_of, thread_id=thread_id)

    async for item in iterate_in_thread(stream):
        if isinstance(item, ToolStep):
            await _show_step(item)
        else:
            result = item
    assert result is not None  # Agent.stream always ends with its RunResult
    await show_answer(rt, result.answer, result.evidence)
    return result


async def show_stored_turn(rt: Runtime, agent: Agent, thread_id: str) -> Answer | None:
    """Show the last answer of an agent thread (a briefing's explanation), or None if it has
    none."""
    stored = await asyncio.to_thread(stored_turn, agent, thread_id)
    if stored is None:
        return None
    answer, evidence = stored
    await show_answer(rt, answer, evidence)
    return answer
