"""The agent graph: understand -> plan -> tools (bounded rounds) -> compose -> verify.

This module only wires: the nodes and routes are in ``agent.nodes``, the state in
``agent.state``. ``make_graph`` is the entry point of ``langgraph.json`` (LangGraph CLI and
Studio), built from the process settings.
"""

from __future__ import annotations

from typing import Any

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from agent.nodes import AgentDeps, Nodes
from agent.state import AgentState

__all__ = ["build_graph", "make_graph"]


def build_graph(deps: AgentDeps, *, checkpointer: Any = None) -> CompiledStateGraph:
    nodes = Nodes(deps)
    g = StateGraph(AgentState)
    g.add_node("understand", nodes.understand)
    g.add_node("refuse", nodes.refuse)
    g.add_node("plan", nodes.plan)
    g.add_node("tools", nodes.tools)
    g.add_node("compose", nodes.compose)
    g.add_node("verify", nodes.verify)
    g.add_node("repair", nodes.repair)
    g.add_edge(START, "understand")
    g.add_conditional_edges("understand", nodes.route_understood)
    g.add_edge("refuse", END)
    g.add_conditional_edges("plan", nodes.route_planned)
    g.add_conditional_edges("tools", nodes.route_after_tools)
    g.add_conditional_edges("compose", nodes.route_composed)
    g.add_conditional_edges("verify", nodes.route_verified)
    g.add_edge("repair", "verify")
    return g.compile(checkpointer=checkpointer, name="signaldesk")


def make_graph(config: dict[str, Any] | None = None) -> CompiledStateGraph:
    """The graph on the process settings, for ``langgraph dev`` / Studio (which checkpoints)."""
    from agent.deps import deps_from_settings
    from core.settings import load_settings

    return build_graph(deps_from_settings(load_settings()))
