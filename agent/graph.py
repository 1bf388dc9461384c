"""The agent graph: understand -> plan -> tools (bounded rounds) -> compose -> verify.

This module only wires: the nodes are in ``agent.nodes`` (understand, plan, tools) and
``agent.answer_nodes`` (refuse, compose, verify, repair), the routes in ``agent.routes``, the
state, the input and the run context in ``agent.state``. ``make_graph`` is the entry point of
``langgraph.json`` (LangGraph CLI and Studio), built from the process settings: a run takes
``{"question": ..., "as_of": "YYYY-MM-DD"}`` (or Studio's messages) and a context with ``as_of``.
"""

from __future__ import annotations

from typing import Any

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from agent import routes
from agent.answer_nodes import AnswerNodes
from agent.deps import AgentDeps
from agent.nodes import PlanNodes
from agent.state import AgentContext, AgentInput, AgentState
from agent.telemetry import traced_node

__all__ = ["AgentGraph", "build_graph", "make_graph"]

AgentGraph = CompiledStateGraph[AgentState, AgentContext, AgentInput, AgentState]


def build_graph(deps: AgentDeps, *, checkpointer: Any = None) -> AgentGraph:
    gather, answer = PlanNodes(deps), AnswerNodes(deps)
    g = StateGraph(AgentState, context_schema=AgentContext, input_schema=AgentInput)
    g.add_node("understand", traced_node("understand", gather.understand))
    g.add_node("refuse", traced_node("refuse", answer.refuse))
    g.add_node("plan", traced_node("plan", gather.plan))
    g.add_node("tools", traced_node("tools", gather.tools))
    g.add_node("compose", traced_node("compose", answer.compose))
    g.add_node("verify", traced_node("verify", answer.verify))
    g.add_node("repair", traced_node("repair", answer.repair))
    g.add_edge(START, "understand")
    g.add_conditional_edges("understand", routes.route_understood)
    g.add_edge("refuse", END)
    g.add_conditional_edges("plan", routes.route_planned)
    g.add_conditional_edges("tools", routes.route_after_tools)
    g.add_conditional_edges("compose", routes.route_composed)
    g.add_conditional_edges("verify", routes.route_verified)
    g.add_edge("repair", "verify")
    return g.compile(checkpointer=checkpointer, name="signaldesk")


def make_graph(config: dict[str, Any] | None = None) -> AgentGraph:
    """The graph on the process settings, for ``langgraph dev`` / Studio (which checkpoints)."""
    from agent.deps import deps_from_settings
    from core.settings import load_settings

    return build_graph(deps_from_settings(load_settings()))
