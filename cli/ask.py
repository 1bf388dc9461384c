"""``signaldesk ask`` and ``signaldesk chat``: the research agent in the terminal.

``ask`` runs one turn (``--thread`` continues a conversation) and prints the verified answer, or
with ``--json`` the whole ``RunResult``: the answer, its verification, the evidence it cites and
the tool steps. ``chat`` is a conversation on one thread, read line by line from the terminal.
Exit codes: 0 answered, 2 declined (unknown ticker, future date, unsupported question),
1 the answer failed verification even after repair, 3 a service is down, 4 configuration.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console

from cli._output import Exit, err_console, parse_date, print_json, say_data_day
from core.asof import parse_as_of

if TYPE_CHECKING:
    from core.settings import Settings

__all__ = ["ask", "chat"]


@contextmanager
def _agent(settings: Settings) -> Iterator:  # noqa: ANN401
    from agent.llm import LLMConfigError
    from agent.memory import ThreadStoreError
    from agent.runner import open_agent

    try:
        with open_agent(settings) as agent:
            yield agent
    except LLMConfigError as err:
        err_console.print(f"error: {err}", markup=False)
        raise typer.Exit(Exit.CONFIG) from None
    except ThreadStoreError as err:
        err_console.print(f"error: {err}", markup=False)
        raise typer.Exit(Exit.UNAVAILABLE) from None


def _say_data_day(agent, result) -> None:  # noqa: ANN001 - agent.runner.Agent, RunResult
    """With no --as-of on offline data, say the answer is about the data's last day."""
    from core import asof

    data_day = agent.deps.undated_today()
    if data_day != asof.today() and result.answer.as_of == data_day:
        say_data_day(data_day)


def _render(result) -> None:  # noqa: ANN001 - agent.runner.RunResult
    from rich.markdown import Markdown

    Console(highlight=False).print(Markdown(result.answer.markdown))  # wraps long lines
    for warning in result.answer.warnings:
        err_console.print(f"warning: {warning}", markup=False)
    tools = ", ".join(s.name for s in result.steps) or "none"
    err_console.print(
        f"[dim]thread {result.thread_id} · {result.model} · tools: {tools} · "
        f"{result.elapsed_s:.2f} s[/dim]"
    )


# Tool errors (``ToolStep.summary`` is "ErrorType: message") that mean a service is down.
_OUTAGES = ("DataUnavailableError", "ProviderError", "StoreUnavailableError", "ThreadStoreError")


def _outage(result) -> bool:  # noqa: ANN001 - agent.runner.RunResult
    """Every tool the turn ran failed because a provider or service was down."""
    steps = result.steps
    return bool(steps) and all(
        s.status == "error" and s.summary.split(":", 1)[0] in _OUTAGES for s in steps
    )


def _code(result) -> Exit:  # noqa: ANN001
    if result.answer.refused:
        return Exit.UNAVAILABLE if _outage(result) else Exit.BAD_INPUT
    return Exit.OK if result.verification.ok else Exit.CHECK_FAILED


def ask(
    ctx: typer.Context,
    question: str = typer.Argument(..., help='The question, e.g. "Should I buy Microsoft?"'),
    as_of: str | None = typer.Option(
        None, "--as-of", help="Point-in-time date, YYYY-MM-DD (default: the question's, or today)"
    ),
    thread: str | None = typer.Option(None, "--thread", help="Continue this conversation"),
    as_json: bool = typer.Option(False, "--json", help="The whole result as JSON"),
) -> None:
    """Ask the research agent one question; the answer cites its evidence.

    Example: signaldesk ask "Should I buy Microsoft?" --as-of 2013-02-28
    """
    day = parse_date(as_of, name="--as-of")
    with _agent(ctx.obj) as agent:
        result = agent.ask(question, as_of=day, thread_id=thread)
        if day is None and not as_json:
            _say_data_day(agent, result)
    _track(ctx.obj, result, source="ask")
    if as_json:
        print_json(result.model_dump(mode="json"))
    else:
        _render(result)
    raise typer.Exit(_code(result))


def _track(settings: Settings, result: Any, source: str) -> None:
    """The calls an answer showed (its verified signal and forecasts) go to the track record."""
    if result.answer.refused or not result.verification.ok:
        return
    from agent.services import record_shown_calls

    record_shown_calls(settings, result.evidence, source=source)


_HELP = (
    "Ask about AAPL, MSFT, IBM, GOOG, FB or the S&P 500. Commands: /as-of YYYY-MM-DD (or "
    "/as-of off), /new (a new thread), /quit."
)


def chat(
    ctx: typer.Context,
    as_of: str | None = typer.Option(None, "--as-of", help="Point-in-time date for every turn"),
    thread: str | None = typer.Option(None, "--thread", help="Resume this conversation"),
) -> None:
    """A conversation with the research agent in the terminal (history kept per thread).

    Example: signaldesk chat --as-of 2013-02-28
    """
    import uuid

    day: date | None = parse_date(as_of, name="--as-of")
    thread_id = thread or uuid.uuid4().hex[:12]
    interactive = sys.stdin.isatty()
    err_console.print(f"SignalDesk chat · thread {thread_id}. {_HELP}", markup=False)
    with _agent(ctx.obj) as agent:
        while True:
            if interactive:
                err_console.print("[bold]you>[/bold] ", end="")
            line = sys.stdin.readline()
            if not line:
                break
            text = line.strip()
            if not text:
                continue
            if text in ("/quit", "/exit"):
                break
            if text == "/new":
                thread_id = uuid.uuid4().hex[:12]
                err_console.print(f"new thread {thread_id}", markup=False)
                continue
            if text.startswith("/as-of"):
                value = text.removeprefix("/as-of").strip()
                try:
                    day = None if value in ("", "off") else parse_as_of(value)
                except ValueError:
                    err_console.print(f"not a date: {value!r} (use YYYY-MM-DD)", markup=False)
                    continue
                err_console.print(f"as of {day or 'the question, else today'}", markup=False)
                continue
            result = agent.ask(text, as_of=day, thread_id=thread_id)
            _render(result)
            _track(ctx.obj, result, source="chat")
