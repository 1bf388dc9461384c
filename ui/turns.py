"""One chat turn on screen: the agent's tool steps as they finish, then the signal card, the
streamed answer with its citations and warnings, and the charts.

The agent runs in a worker thread (``iterate_in_thread``); charts are drawn in another while the
answer streams, so nothing blocking touches the event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import chainlit as cl

from agent.answer import Answer
from agent.runner import Agent, RunResult, ToolStep
from tools.evidence import Evidence
from ui.briefings import stored_turn
from ui.figures import charts_for
from ui.render import answer_text, citation, cited_evidence, signal_card, step_input, step_output
from ui.runtime import Runtime, iterate_in_thread

__all__ = ["run_turn", "show_answer", "show_stored_turn"]


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat() + "Z"


async def _show_step(step: ToolStep) -> None:
    """A finished tool call, nested in the turn's run step, timed as the agent measured it."""
    async with cl.Step(name=step.name, type="tool", show_input="json", language="json") as shown:
        end = datetime.now(UTC)
        shown.start = _iso(end - timedelta(milliseconds=step.ms or 0.0))
        shown.input = step_input(step.args)
        shown.output = step_output(summary=step.summary, evidence_ids=step.evidence_ids, ms=step.ms)
        shown.is_error = step.status == "error"


def _lines(text: str) -> list[str]:
    """The answer in line-sized tokens (the text is complete when it arrives: the agent
    verifies an answer before showing any of it)."""
    return text.splitlines(keepends=True) or [text]


def _chart_elements(rt: Runtime, evidence: Sequence[Evidence]) -> list[cl.Plotly]:
    """The answer's charts as elements (drawing and serialising them is blocking work)."""
    return [
        cl.Plotly(name=c.name, figure=c.figure, display="inline", size="large")
        for c in charts_for(evidence, rt.context_for)
    ]


async def show_answer(rt: Runtime, answer: Answer, evidence: Sequence[Evidence]) -> cl.Message:
    """The signal card, then the answer streamed with citations (side panels) and charts."""
    charts = asyncio.ensure_future(asyncio.to_thread(_chart_elements, rt, evidence))
    if answer.signal is not None:
        props = signal_card(answer.signal, tickers=answer.tickers, as_of=answer.as_of)
        card = cl.CustomElement(name="SignalCard", props=props, display="inline")
        await cl.Message(content="", elements=[card]).send()
    message = cl.Message(content="")
    for token in _lines(answer_text(answer)):
        await message.stream_token(token)
    citations: list[Any] = [
        cl.Text(name=ev.id, content=citation(ev), display="side")
        for ev in cited_evidence(answer, evidence)
    ]
    message.elements = citations + await charts
    await message.send()
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
