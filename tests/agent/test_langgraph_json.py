"""``langgraph.json`` points the LangGraph CLI / Studio at a graph that loads and runs."""

from __future__ import annotations

import importlib
import json
from datetime import date
from pathlib import Path

from langchain_core.messages import HumanMessage

ROOT = Path(__file__).resolve().parents[2]


def test_langgraph_json_graph_loads_and_answers() -> None:
    spec = json.loads((ROOT / "langgraph.json").read_text())
    assert spec["dependencies"] == ["."] and spec["python_version"] == "3.11"
    path, _, attr = spec["graphs"]["signaldesk"].partition(":")
    module = ".".join(Path(path).with_suffix("").parts).lstrip(".")
    graph = getattr(importlib.import_module(module), attr)()
    config = {"configurable": {"thread_id": "studio", "as_of": date(2013, 2, 28).isoformat()}}
    state = graph.invoke({"messages": [HumanMessage("How risky is IBM?")]}, config)
    assert state["answer"]["as_of"] == "2013-02-28" and state["verification"]["ok"]
    assert state["messages"][-1].content == state["answer"]["markdown"]
