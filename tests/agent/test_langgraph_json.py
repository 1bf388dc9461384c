"""``langgraph.json`` points the LangGraph CLI / Studio at a graph that loads and runs, and the
graph keeps its client contract in process: a run takes ``{"question": ..., "as_of": ...}`` or
Studio's messages, the date may come from the input, the run context or the configurable (the
input wins), a date that is not one is declined in one sentence, and the input and context
schemas show ``question`` and ``as_of``. ``test_langgraph_dev.py`` checks the same over HTTP."""

from __future__ import annotations

import importlib
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import HumanMessage, ToolMessage
from langgraph.checkpoint.memory import InMemorySaver
from pydantic import ValidationError

from agent.deps import deps_from_settings
from agent.graph import AgentGraph, build_graph
from core.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]
RSI = "What is AAPL's RSI?"
DATA_DAY = "2013-03-01"  # the bundled prices' last day: a run with no date answers as of it


def entry_point() -> Any:  # noqa: ANN401 - the factory langgraph.json names
    """The graph factory ``langgraph.json`` serves as ``signaldesk``, imported as the CLI does."""
    spec = json.loads((ROOT / "langgraph.json").read_text())
    path, _, attr = spec["graphs"]["signaldesk"].partition(":")
    module = ".".join(Path(path).with_suffix("").parts).lstrip(".")
    return getattr(importlib.import_module(module), attr)


@pytest.fixture
def graph() -> AgentGraph:
    return entry_point()()


@pytest.fixture
def threaded() -> AgentGraph:
    """The graph with thread memory, offline."""
    return build_graph(
        deps_from_settings(load_settings(), model=None), checkpointer=InMemorySaver()
    )


def rsi_of(state: dict[str, Any]) -> float:
    """The RSI(14) value the answer states."""
    found = re.search(r"RSI\(14\) is (\d+\.\d)", state["answer"]["markdown"])
    assert found, state["answer"]["markdown"]
    return float(found.group(1))


def test_langgraph_json_graph_loads_and_answers(graph: AgentGraph) -> None:
    spec = json.loads((ROOT / "langgraph.json").read_text())
    assert spec["dependencies"] == ["."] and spec["python_version"] == "3.11"
    config = {"configurable": {"thread_id": "studio", "as_of": date(2013, 2, 28).isoformat()}}
    state = graph.invoke({"messages": [HumanMessage("How risky is IBM?")]}, config)
    assert state["answer"]["as_of"] == "2013-02-28" and state["verification"]["ok"]
    assert state["messages"][-1].content == state["answer"]["markdown"]


def test_langgraph_json_is_valid_for_the_installed_cli() -> None:
    config = pytest.importorskip("langgraph_cli.config", reason="langgraph-cli is not installed")
    checked = config.validate_config_file(ROOT / "langgraph.json")
    assert checked["graphs"] == {"signaldesk": "./agent/graph.py:make_graph"}


def test_a_question_with_an_as_of_is_answered_as_of_that_date(graph: AgentGraph) -> None:
    state = graph.invoke({"question": RSI, "as_of": "2012-06-29"})
    answer = state["answer"]
    assert state["refusal"] is None and state["verification"]["ok"]
    assert answer["as_of"] == "2012-06-29" and answer["tickers"] == ["AAPL"]
    assert (
        answer["markdown"].startswith("AAPL's RSI(14) is ")
        and "on 2012-06-29" in answer["markdown"]
    )
    assert 0 < rsi_of(state) < 100
    assert state["turn_as_of"] == state["as_of"] == date(2012, 6, 29)
    evidence = [m for m in state["messages"] if isinstance(m, ToolMessage)]
    assert evidence and all(item["as_of"] == "2012-06-29" for m in evidence for item in m.artifact)
    # the question joins the thread as its human message, as Studio's chat would have sent it
    assert [m.type for m in state["messages"]][0] == "human"
    assert state["messages"][0].content == RSI


@pytest.mark.parametrize(
    ("as_of", "kwargs", "expected"),
    [
        pytest.param(None, {}, DATA_DAY, id="none"),
        pytest.param(date(2012, 6, 29), {}, "2012-06-29", id="input-date"),
        pytest.param(None, {"context": {"as_of": "2012-06-29"}}, "2012-06-29", id="context"),
        pytest.param(
            None, {"config": {"configurable": {"as_of": "2012-06-29"}}}, "2012-06-29", id="config"
        ),
        pytest.param(
            "2011-06-30", {"context": {"as_of": "2012-06-29"}}, "2011-06-30", id="input>context"
        ),
        pytest.param(
            "2011-06-30",
            {"config": {"configurable": {"as_of": "2012-06-29"}}},
            "2011-06-30",
            id="input>config",
        ),
        pytest.param(
            None,
            {
                "context": {"as_of": "2011-06-30"},
                "config": {"configurable": {"as_of": "2012-06-29"}},
            },
            "2011-06-30",
            id="context>config",
        ),
    ],
)
def test_the_input_date_wins_over_the_context_and_the_configurable(
    graph: AgentGraph, as_of: str | date | None, kwargs: dict[str, Any], expected: str
) -> None:
    run = {"question": RSI} | ({"as_of": as_of} if as_of is not None else {})
    state = graph.invoke(run, **kwargs)
    assert state["answer"]["as_of"] == expected and f"on {expected}" in state["answer"]["markdown"]


@pytest.mark.parametrize(
    ("run", "config", "shown"),
    [
        pytest.param(
            {"as_of": "2012-13-45"},
            None,
            "'2012-13-45': that is not a date (as_of takes",
            id="month",
        ),
        pytest.param(
            {"as_of": "last friday"},
            None,
            "'last friday': that is not a date (as_of takes",
            id="words",
        ),
        pytest.param(
            {"as_of": 20120629}, None, "20120629: that is not a date (as_of takes", id="number"
        ),
        pytest.param(
            {},
            {"configurable": {"as_of": "29/06/2012"}},
            "'29/06/2012': that is not a date (configurable as_of takes",
            id="configurable",
        ),
    ],
)
def test_a_date_that_is_not_one_is_declined_in_one_clear_sentence(
    graph: AgentGraph, run: dict[str, Any], config: dict[str, Any] | None, shown: str
) -> None:
    state = graph.invoke({"question": RSI} | run, config)
    answer = state["answer"]
    assert answer["markdown"].startswith(f"I can't answer as of {shown} YYYY-MM-DD).")
    assert answer["refused"] and state["verification"]["ok"]
    assert not [m for m in state["messages"] if isinstance(m, ToolMessage)]  # no tool ran


def test_a_context_date_that_is_not_one_fails_the_run_naming_the_field(graph: AgentGraph) -> None:
    with pytest.raises(ValidationError, match=r"(?s)AgentContext\nas_of\n.*valid date"):
        graph.invoke({"question": RSI}, context={"as_of": "2012-13-45"})


def test_no_question_is_said_so(graph: AgentGraph) -> None:
    state = graph.invoke({"as_of": "2012-06-29"})
    assert state["answer"]["markdown"].startswith("There is no question to answer.")


def test_a_thread_takes_questions_and_studio_messages_and_each_run_its_own_date(
    threaded: AgentGraph,
) -> None:
    config = {"configurable": {"thread_id": "studio"}}

    def ask(run: dict[str, Any]) -> dict[str, Any]:
        return threaded.invoke(run, config)

    first = ask({"question": RSI, "as_of": "2012-06-29"})
    follow_up = ask({"messages": [{"role": "user", "content": "and its VaR?"}]})  # Studio's chat
    other = ask({"question": "What is MSFT's RSI?"})  # a new question, no date: the data's day
    again = ask({"question": "What is MSFT's RSI?", "as_of": "2011-06-30"})
    assert first["answer"]["as_of"] == follow_up["answer"]["as_of"] == "2012-06-29"
    assert "AAPL's 95% 1-day VaR" in follow_up["answer"]["markdown"]
    assert other["answer"]["as_of"] == DATA_DAY and again["answer"]["as_of"] == "2011-06-30"
    assert rsi_of(other) != rsi_of(again)
    humans = [m.content for m in again["messages"] if m.type == "human"]
    assert humans == [RSI, "and its VaR?", "What is MSFT's RSI?", "What is MSFT's RSI?"]
    assert again["messages"][again["turn"]].content == "What is MSFT's RSI?"


def test_the_input_and_context_schemas_show_question_and_as_of(graph: AgentGraph) -> None:
    given = graph.get_input_jsonschema()
    assert {"question", "as_of", "messages"} <= set(given["properties"])
    assert {"type": "string", "format": "date"} in given["properties"]["as_of"]["anyOf"]
    assert given["properties"]["question"]["type"] == "string"
    context = graph.get_context_jsonschema()
    assert context is not None and list(context["properties"]) == ["as_of"]
    assert {"type": "string", "format": "date"} in context["properties"]["as_of"]["anyOf"]
    assert "YYYY-MM-DD" in context["properties"]["as_of"]["description"]
