"""The run context of tools: injected by whoever starts a run, never chosen by the model.

A run (a chat turn, a briefing, an eval case) enters ``use_context(ctx)``; every tool called
inside it, in this thread or in an executor that copies the context (LangChain does), reads the
same frozen ``ToolContext`` through ``current_context()``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from tools.context import ToolContext

_CONTEXT: ContextVar[ToolContext] = ContextVar("signaldesk_tool_context")


class ToolInputError(ValueError):
    """The model's arguments cannot be used as given; the message says how to fix them."""


@contextmanager
def use_context(ctx: ToolContext) -> Iterator[ToolContext]:
    """Make ``ctx`` the context of every tool call inside the ``with`` block."""
    token = _CONTEXT.set(ctx)
    try:
        yield ctx
    finally:
        _CONTEXT.reset(token)


def current_context() -> ToolContext:
    """The active run's context; a ``RuntimeError`` outside ``use_context`` (a wiring bug)."""
    try:
        return _CONTEXT.get()
    except LookupError:
        raise RuntimeError(
            "no active tool run: call tools inside `with use_context(ToolContext(...)):`"
        ) from None
