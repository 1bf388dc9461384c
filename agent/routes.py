"""The graph's routes: which node runs next, read from the state alone.

understand -> (refuse | plan); plan -> (tools | compose); tools -> (plan | compose);
compose -> (verify | END); verify -> (repair | END).
"""

from __future__ import annotations

from typing import Literal

from langchain_core.messages import AIMessage, ToolCall, ToolMessage

from agent.state import AgentState

__all__ = [
    "pending_calls",
    "route_after_tools",
    "route_composed",
    "route_planned",
    "route_understood",
    "route_verified",
]


def pending_calls(state: AgentState) -> list[ToolCall]:
    """The tool calls of the last model reply that no tool message has answered yet."""
    messages = state["messages"]
    last_ai = next(
        (i for i in range(len(messages) - 1, -1, -1) if isinstance(messages[i], AIMessage)),
        None,
    )
    if last_ai is None:
        return []
    reply = messages[last_ai]
    assert isinstance(reply, AIMessage)
    answered = {m.tool_call_id for m in messages[last_ai + 1 :] if isinstance(m, ToolMessage)}
    return [c for c in reply.tool_calls if c["id"] not in answered]


def route_understood(state: AgentState) -> Literal["refuse", "plan"]:
    return "refuse" if state.get("refusal") else "plan"


def route_planned(state: AgentState) -> Literal["tools", "compose"]:
    # calls over the tool-call budget were already answered "not run" by ``plan``
    return "tools" if pending_calls(state) else "compose"


def route_after_tools(state: AgentState) -> Literal["plan", "compose"]:
    return "compose" if state.get("stop") else "plan"


def route_composed(state: AgentState) -> Literal["verify", "__end__"]:
    return "__end__" if state.get("done") else "verify"


def route_verified(state: AgentState) -> Literal["repair", "__end__"]:
    return "__end__" if state.get("done") else "repair"
