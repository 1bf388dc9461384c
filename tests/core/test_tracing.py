"""Traces: one ``ask`` exported over real OTLP/HTTP to a local receiver is one trace with the
agent's span tree (turn -> graph nodes -> tool calls -> provider fetches, LLM calls with GenAI
attributes); off, nothing is set up; the JSON logs carry the trace and span ids."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from datetime import date

import pytest
from opentelemetry.trace import INVALID_SPAN

from agent.deps import deps_from_settings
from agent.llm import chat_model
from agent.runner import Agent
from core import tracing
from core.logs import configure_logging
from core.settings import load_settings
from tests._otlp import ReceivedSpan, Receiver, otlp_receiver
from tests.agent._fake_openai import FakeOpenAI, running, text_reply, tool_call_reply

AS_OF = date(2013, 2, 28)
ROOT = "invoke_agent signaldesk"


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    """Tracing on, exporting over OTLP/HTTP to a receiver on loopback (the standard variable)."""
    with otlp_receiver() as found:
        monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", found.url)
        monkeypatch.delenv("OTEL_SERVICE_NAME", raising=False)
        assert tracing.configure("signaldesk-test")
        try:
            yield found
        finally:
            tracing.shutdown()


def tree(spans: list[ReceivedSpan]) -> dict[str, list[str]]:
    """Parent span name -> its children's names, in the order they were received."""
    names = {s.span_id: s.name for s in spans}
    children: dict[str, list[str]] = {}
    for s in spans:
        children.setdefault(names.get(s.parent_id, ""), []).append(s.name)
    return children


def test_an_offline_ask_is_one_trace_with_the_agent_span_tree(receiver: Receiver) -> None:
    agent = Agent(deps_from_settings(load_settings(), model=None))

    result = agent.ask("What is the RSI of MSFT?", as_of=AS_OF)
    assert tracing.flush()

    spans = receiver.wait_for(ROOT)
    assert {s.trace_id for s in spans} == {spans[0].trace_id}  # one trace
    assert {s.service for s in spans} == {"signaldesk-test"}
    (root,) = [s for s in spans if s.parent_id == ""]
    assert root.name == ROOT
    assert root.attributes["gen_ai.operation.name"] == "invoke_agent"
    assert root.attributes["gen_ai.conversation.id"] == result.thread_id
    assert root.attributes["signaldesk.outcome"] == "answered"
    assert root.attributes["signaldesk.as_of"] == "2013-02-28"
    children = tree(spans)
    nodes = children[ROOT]
    assert nodes[:3] == ["node understand", "node plan", "node tools"]
    assert {"node compose", "node verify"} <= set(nodes)
    called = [s.name for s in result.steps]
    assert called  # the offline planner called a tool
    assert children["node tools"] == [f"execute_tool {name}" for name in called]
    tool = next(s for s in spans if s.name.startswith("execute_tool"))
    assert tool.attributes["gen_ai.tool.name"] == called[0]
    fetches = [s for s in spans if s.name.startswith("fetch ")]
    assert fetches and all(s.kind == 3 for s in fetches)  # SPAN_KIND_CLIENT
    tool_ids = {s.span_id for s in spans if s.name.startswith("execute_tool")}
    assert all(s.parent_id in tool_ids for s in fetches)
    assert {s.attributes["signaldesk.ticker"] for s in fetches} == {"MSFT"}


def test_llm_calls_are_chat_spans_with_genai_attributes(receiver: Receiver) -> None:
    with running() as server:
        agent = _llm_agent(server)
        server.replies += [
            tool_call_reply("TypedRequest", {"ask": "signal", "tickers": ["MSFT"]}, call_id="r"),
            text_reply("Nothing to call."),
            tool_call_reply("Draft", {"summary": "No.", "reasons": [], "risks": []}),
        ]
        agent.ask("Should I buy MSFT?", as_of=AS_OF)
        assert tracing.flush()

    spans = receiver.wait_for(ROOT)
    chats = [s for s in spans if s.name == "chat test-model"]
    assert len(chats) == len(server.requests) >= 2
    for chat in chats:
        assert chat.kind == 3  # client
        assert chat.attributes["gen_ai.operation.name"] == "chat"
        assert chat.attributes["gen_ai.request.model"] == "test-model"
        assert chat.attributes["gen_ai.response.model"] == "test-model"
        assert chat.attributes["gen_ai.usage.input_tokens"] == 5  # the fake's usage
        assert chat.attributes["gen_ai.usage.output_tokens"] == 3
    names = {s.span_id: s.name for s in spans}
    assert names[chats[0].parent_id] == "node understand"
    assert names[chats[1].parent_id] == "node plan"


def test_a_failing_llm_marks_its_span_as_an_error(receiver: Receiver) -> None:
    with running() as server:
        agent = _llm_agent(server)  # no replies queued: the fake answers HTTP 500
        agent.ask("Should I buy MSFT?", as_of=AS_OF)
        assert tracing.flush()
    spans = receiver.wait_for(ROOT)
    failed = [s for s in spans if s.name == "chat test-model"]
    assert failed and all(s.status == 2 for s in failed)


def test_json_logs_carry_the_trace_and_span_ids(receiver: Receiver) -> None:
    stream = io.StringIO()
    settings = load_settings().model_copy(update={"log_format": "json", "log_file": False})
    configure_logging(settings, stream=stream)
    try:
        with tracing.span("outer") as span:
            logging.getLogger("agent.test").warning("inside a span")
        logging.getLogger("agent.test").warning("outside")
    finally:
        logging.getLogger().handlers = [
            h for h in logging.getLogger().handlers if not getattr(h, "_signaldesk", False)
        ]
    inside, outside = (json.loads(line) for line in stream.getvalue().splitlines())
    context = span.get_span_context()
    assert inside["trace_id"] == format(context.trace_id, "032x")
    assert inside["span_id"] == format(context.span_id, "016x")
    assert "trace_id" not in outside


def test_without_an_endpoint_tracing_stays_off_and_costs_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", raising=False)
    tracing.shutdown()
    assert not tracing.configure("signaldesk-test")
    assert not tracing.enabled()
    with tracing.span("anything", {"a": 1}) as span:
        assert span is INVALID_SPAN
    assert tracing.start("x") is INVALID_SPAN
    assert tracing.ids() is None


def test_sdk_disabled_wins_over_an_endpoint() -> None:
    env = {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9", "OTEL_SDK_DISABLED": "true"}
    assert not tracing.configure("signaldesk-test", environ=env)


def _llm_agent(server: FakeOpenAI) -> Agent:
    llm = chat_model(
        base_url=server.base_url, api_key="sk-test", model="test-model", timeout_s=10.0,
        max_retries=0,
    )  # fmt: skip
    return Agent(deps_from_settings(load_settings(), model=llm))
