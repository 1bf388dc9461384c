"""The process-wide metrics (``core.metrics``) move with the work they count: agent turns,
refusals, tool calls and errors, LLM calls, tokens and cost, verifier removals, provider
fetches and the circuit breaker, bar-cache hits, briefing runs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from agent.deps import deps_from_settings
from agent.llm import chat_model
from agent.runner import Agent
from agent.telemetry import count_removals, refusal_kind
from agent.verifier import Verification
from briefing import run_briefing
from core import metrics
from core.settings import load_settings
from data.cache import DiskCache
from data.errors import ProviderError
from data.service import ChainPolicy, MarketData
from tests.agent._fake_openai import running, text_reply, tool_call_reply
from tests.briefing.conftest import AS_OF, FOUR, FailingFor, offline_agent
from tests.data._fakes import FakeProvider, make_raw

END = date(2012, 12, 31)


def value(name: str, **labels: str) -> float:
    return metrics.REGISTRY.get_sample_value(name, labels) or 0.0


def delta(name: str, **labels: str) -> Callable[[], float]:
    """How much ``name{labels}`` has grown since this call."""
    before = value(name, **labels)
    return lambda: value(name, **labels) - before


def test_an_answered_turn_counts_its_outcome_latency_and_tool_calls() -> None:
    agent = Agent(deps_from_settings(load_settings(), model=None))
    answered = delta("signaldesk_agent_turns_total", outcome="answered")
    observed = delta("signaldesk_agent_turn_duration_seconds_count")
    rsi = delta("signaldesk_tool_calls_total", tool="technicals", status="success")
    timed = delta("signaldesk_tool_duration_seconds_count", tool="technicals")

    result = agent.ask("What is the RSI of MSFT?", as_of=AS_OF)

    assert [s.name for s in result.steps] == ["technicals"]
    assert answered() == 1 and observed() == 1
    assert rsi() == 1 and timed() == 1


def test_a_declined_turn_counts_under_its_reason() -> None:
    agent = Agent(deps_from_settings(load_settings(), model=None))
    declined = delta("signaldesk_agent_turns_total", outcome="declined")
    unknown = delta("signaldesk_agent_refusals_total", reason="unknown_company")

    result = agent.ask("Should I buy Tesla?", as_of=AS_OF)

    assert result.answer.refused
    assert declined() == 1 and unknown() == 1


def test_refusal_kinds_come_from_the_parsed_request() -> None:
    assert refusal_kind({"parsed": {"decline": {"reason": "bad_level"}}}) == "bad_level"
    assert refusal_kind({"parsed": {"future_date": True}}) == "future_date"
    assert refusal_kind({"refusal": "There is no question", "turn": -1}) == "no_question"
    assert refusal_kind({"parsed": {}}) == "no_evidence"


def test_llm_calls_count_tokens_and_cost_by_model() -> None:
    settings = load_settings().model_copy(
        update={"llm_cost_per_1k_input": 1.0, "llm_cost_per_1k_output": 2.0}
    )
    with running() as server:
        llm = chat_model(
            base_url=server.base_url, api_key="k", model="test-model", timeout_s=10, max_retries=0
        )
        agent = Agent(deps_from_settings(settings, model=llm))
        server.replies += [
            tool_call_reply("TypedRequest", {"ask": "signal", "tickers": ["MSFT"]}, call_id="r"),
            text_reply("No tools needed."),
            tool_call_reply("Draft", {"summary": "No.", "reasons": [], "risks": []}),
        ]
        calls = delta("signaldesk_llm_calls_total", model="test-model", status="ok")
        tokens_in = delta("signaldesk_llm_tokens_total", model="test-model", type="input")
        tokens_out = delta("signaldesk_llm_tokens_total", model="test-model", type="output")
        cost = delta("signaldesk_llm_cost_usd_total", model="test-model")

        agent.ask("Should I buy MSFT?", as_of=AS_OF)
        n = len(server.requests)

    assert n >= 2 and calls() == n
    assert tokens_in() == 5 * n and tokens_out() == 3 * n  # the fake's usage per reply
    assert cost() == pytest.approx(n * (5 / 1000 * 1.0 + 3 / 1000 * 2.0))


def test_an_unreachable_llm_counts_as_an_error() -> None:
    with running() as server:  # nothing queued: HTTP 500
        llm = chat_model(
            base_url=server.base_url, api_key="k", model="test-model", timeout_s=10, max_retries=0
        )
        failed = delta("signaldesk_llm_calls_total", model="test-model", status="error")
        Agent(deps_from_settings(load_settings(), model=llm)).ask("Buy MSFT?", as_of=AS_OF)
    assert failed() >= 1


def test_verifier_removals_count_by_reason() -> None:
    from agent.verifier import Check

    check = Check(field="markdown", text="9.99", value=9.99, span=(0, 4), matched_evidence_ids=[])
    result = Verification(
        ok=False,
        numbers=[check],
        unmatched=[check, check],
        bad_citations=[],
        uncited_reasons=["reasons[0]"],
        bad_windows=[],
    )
    numbers = delta("signaldesk_verifier_removals_total", reason="unverified_number")
    uncited = delta("signaldesk_verifier_removals_total", reason="uncited_reason")
    count_removals(result)
    assert numbers() == 2 and uncited() == 1


def test_provider_fetches_the_breaker_and_the_bar_cache(tmp_path: Path) -> None:
    def down(_: int) -> None:
        raise ProviderError("flaky", "connection refused", transient=True)

    flaky = FakeProvider("flaky", {"AAPL": make_raw()}, online=True, script=down)
    cached = FakeProvider("cachedsrc", {"AAPL": make_raw()}, online=True)
    md = MarketData(
        [flaky, cached],
        cache=DiskCache(tmp_path / "cache"),
        policy=ChainPolicy(attempts=1, breaker_threshold=2, breaker_cooldown_s=100),
        calendar=None,
        sleep=lambda _: None,
        now=lambda: datetime(2024, 1, 1, tzinfo=UTC),
    )
    errors = delta("signaldesk_provider_requests_total", provider="flaky", status="error")
    skipped = delta("signaldesk_provider_requests_total", provider="flaky", status="skipped")
    ok = delta("signaldesk_provider_requests_total", provider="cachedsrc", status="ok")
    miss = delta("signaldesk_cache_requests_total", cache="bars", result="miss")
    hit = delta("signaldesk_cache_requests_total", cache="bars", result="hit")

    for _ in range(3):
        md.bars("AAPL", end=END)

    assert errors() == 2 and skipped() == 1  # the third try found the circuit open
    assert value("signaldesk_circuit_breaker_state", provider="flaky") == 2  # open
    assert ok() == 3
    assert miss() == 2 + 1 and hit() == 2  # flaky misses twice; the backup fills then hits


def test_a_briefing_counts_its_run_duration_and_tickers() -> None:
    agent = offline_agent(FailingFor("IBM"))
    incomplete = delta("signaldesk_briefing_runs_total", status="incomplete")
    runs = delta("signaldesk_briefing_duration_seconds_count")
    ok = delta("signaldesk_briefing_tickers_total", status="ok")
    failed = delta("signaldesk_briefing_tickers_total", status="failed")

    run_briefing(agent, agent.deps.context_for(AS_OF), watchlist=FOUR)

    assert incomplete() == 1 and runs() == 1
    assert ok() == 3 and failed() == 1


def test_render_appends_the_process_registry_to_a_caller_registry() -> None:
    own = CollectorRegistry()
    text = metrics.render(own).decode()
    assert "signaldesk_agent_turns_total" in text or "# TYPE signaldesk_agent_turns" in text
