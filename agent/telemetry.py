"""The agent's metrics and spans: a turn (``invoke_agent``), each graph node, each tool call
(``execute_tool``), the verifier's removals and the refusals. LLM calls are ``agent.llm``'s.

Span names and attributes follow OpenTelemetry's GenAI semantic conventions where they exist
(``gen_ai.operation.name``, ``gen_ai.tool.name``, ``gen_ai.tool.call.id``, ``gen_ai.agent.name``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from time import perf_counter
from typing import Any, TypeVar

from langchain_core.messages import ToolMessage
from langgraph.prebuilt.tool_node import ToolCallRequest
from langgraph.types import Command

from agent.verifier import Verification
from core import metrics, tracing

__all__ = [
    "AGENT_NAME",
    "count_removals",
    "record_turn",
    "refusal_kind",
    "traced_node",
    "traced_tool_call",
]

AGENT_NAME = "signaldesk"
F = TypeVar("F", bound=Callable[..., Any])


def traced_node(name: str, node: F) -> F:
    """``node`` inside a span named after the graph node. ``functools.wraps`` keeps the
    signature LangGraph reads to pass ``config`` and ``runtime``."""

    @functools.wraps(node)
    def run(*args: Any, **kwargs: Any) -> Any:
        with tracing.span(f"node {name}", {"langgraph.node": name}):
            return node(*args, **kwargs)

    return run  # type: ignore[return-value]


def traced_tool_call(
    request: ToolCallRequest, execute: Callable[[ToolCallRequest], ToolMessage | Command]
) -> ToolMessage | Command:
    """The ``ToolNode`` wrapper: one ``execute_tool {name}`` span and the tool metrics per
    call. A tool that answered with an error message (``status="error"``) counts as an error."""
    name = str(request.tool_call.get("name") or "unknown")
    began = perf_counter()
    status = "error"
    with tracing.span(
        f"execute_tool {name}",
        {
            "gen_ai.operation.name": "execute_tool",
            "gen_ai.tool.name": name,
            "gen_ai.tool.call.id": request.tool_call.get("id"),
        },
    ) as span:
        try:
            result = execute(request)
            if isinstance(result, ToolMessage) and result.status == "error":
                status = "error"
                tracing.set_error(span, result.text[:200])
            else:
                status = "success"
            return result
        finally:
            metrics.TOOL_CALLS.labels(name, status).inc()
            metrics.TOOL_SECONDS.labels(name).observe(perf_counter() - began)


def refusal_kind(state: Mapping[str, Any]) -> str:
    """The short reason a declined turn counts under: the parsed request's decline reason
    (``unknown_company``, ``future_date``, ...), else ``no_question`` or ``no_evidence``."""
    parsed = state.get("parsed") or {}
    decline = parsed.get("decline") or {}
    if decline.get("reason"):
        return str(decline["reason"])
    if parsed.get("future_date"):
        return "future_date"
    if state.get("refusal"):
        return "no_question" if state.get("turn", 0) < 0 else "request"
    return "no_evidence"


def record_turn(state: Mapping[str, Any] | None, *, seconds: float, error: bool) -> str:
    """Count a finished turn (outcome ``answered``, ``declined`` or ``error``) and its latency;
    a declined turn also counts under its refusal kind. Returns the outcome."""
    answer = (state or {}).get("answer") or {}
    if error or not answer:
        outcome = "error"
    elif answer.get("refused"):
        outcome = "declined"
        metrics.AGENT_REFUSALS.labels(refusal_kind(state or {})).inc()
    else:
        outcome = "answered"
    metrics.AGENT_TURNS.labels(outcome).inc()
    metrics.AGENT_TURN_SECONDS.observe(seconds)
    return outcome


def count_removals(result: Verification) -> None:
    """What ``agent.repair`` is about to remove from an answer, by reason."""
    for reason, n in (
        ("unverified_number", len(result.unmatched)),
        ("bad_citation", len(result.bad_citations)),
        ("uncited_reason", len(result.uncited_reasons)),
        ("data_window", len(result.bad_windows)),
        ("signal_mismatch", 1 if result.signal_mismatch else 0),
        ("claim", len(result.claims)),
    ):
        if n:
            metrics.VERIFIER_REMOVALS.labels(reason).inc(n)
