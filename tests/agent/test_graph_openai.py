"""The whole graph on the OpenAI-compatible path, against a scripted server on 127.0.0.1.

The graph makes these calls, in order: the model's reading of the question (the
``TypedRequest`` tool, forced), plan rounds with every tool bound (until a reply has no
tool calls), then the compose step bound to the ``Draft`` tool with ``tool_choice``, then at
most one repair (the same binding) when the draft fails verification. The server replies from
a queue and records each request, so the tests check both what the model was sent and what the
agent made of the replies.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import pytest

from agent.answer import Reason, SignalView
from agent.deps import deps_from_settings
from agent.ledger import Ledger
from agent.llm import chat_model
from agent.offline_writer import template_draft
from agent.runner import Agent, RunResult
from core.settings import load_settings
from tests.agent._fake_openai import FakeOpenAI, Reply, text_reply, tool_call_reply
from tools.evidence import Evidence
from tools.registry import TOOLS
from tools.signal import signal_evidence

KEY = "sk-test"
MODEL = "test-model"
AS_OF = date(2013, 2, 28)
QUESTION = "Should I buy MSFT?"
DRAFT_CHOICE = {"type": "function", "function": {"name": "Draft"}}


def make_agent(server: FakeOpenAI) -> Agent:
    llm = chat_model(
        base_url=server.base_url, api_key=KEY, model=MODEL, timeout_s=10.0, max_retries=0
    )
    return Agent(deps_from_settings(load_settings(), model=llm))


def msft_signal(agent: Agent) -> Evidence:
    """The signal evidence the graph's `signal` tool computes for MSFT at AS_OF."""
    evidence, extra = signal_evidence(agent.deps.context_for(AS_OF), "MSFT")
    assert extra == []  # no forecast model under the test's home
    return evidence


def reading() -> Reply:
    """The understand step: the model reads the question into the typed request."""
    request = {"ask": "signal", "tickers": ["MSFT"]}
    return tool_call_reply("TypedRequest", request, call_id="call_request")


def plan_signal_then_stop() -> list[Reply]:
    """The model reads the question; plan round 1 calls `signal` for MSFT; round 2 has no tool
    calls."""
    return [
        reading(),
        tool_call_reply("signal", {"ticker": "MSFT"}, call_id="call_1"),
        text_reply("I have the signal."),
    ]


def draft(summary: str, reasons: Sequence[tuple[str, list[str]]] = ()) -> dict[str, Any]:
    return {
        "summary": summary,
        "reasons": [{"text": t, "citations": c} for t, c in reasons],
        "risks": [],
    }


def ask(agent: Agent) -> RunResult:
    return agent.ask(QUESTION, as_of=AS_OF, thread_id="t-1")


def messages(server: FakeOpenAI, i: int) -> list[dict[str, Any]]:
    return server.requests[i]["json"]["messages"]


# --- the happy path -------------------------------------------------------------------------------


def test_tool_call_then_draft_gives_a_verified_answer(server: FakeOpenAI) -> None:
    agent = make_agent(server)
    ev = msft_signal(agent)
    action, score = ev.values["action"], ev.values["score"]
    summary = f"The confluence signal for MSFT is {action} with a score of {score:.2f} [{ev.id}]."
    reason = f"Only the technical part is available, so it carries the signal [{ev.id}]."
    server.replies += [
        *plan_signal_then_stop(),
        tool_call_reply("Draft", draft(summary, [(reason, [ev.id])]), call_id="call_draft"),
    ]

    result = ask(agent)

    answer = result.answer
    assert answer.signal == SignalView.from_evidence(ev)
    assert answer.tickers == ["MSFT"]
    assert answer.as_of == AS_OF
    assert answer.reasons == [Reason(text=reason, citations=[ev.id])]
    assert answer.risks == []
    assert answer.warnings == []
    assert summary in answer.markdown
    assert result.evidence == [ev]
    assert [(s.name, s.args, s.status, s.evidence_ids) for s in result.steps] == [
        ("signal", {"ticker": "MSFT"}, "success", [ev.id])
    ]
    assert result.verification.ok
    assert result.verification.unmatched == []
    written = {c.text: c.matched_evidence_ids for c in result.verification.numbers}
    assert written[f"{score:.2f}"] == [ev.id]
    assert result.tokens == 4 * 8  # the usage of four completions
    assert result.model == f"openai-compatible:{MODEL} @ {server.base_url}"

    assert len(server.requests) == 4
    for request in server.requests:
        assert request["path"] == "/v1/chat/completions"
        assert request["headers"]["authorization"] == f"Bearer {KEY}"
        assert request["json"]["model"] == MODEL

    # understand: only the TypedRequest tool, forced, the question as the user message
    body = server.requests[0]["json"]
    assert [t["function"]["name"] for t in body["tools"]] == ["TypedRequest"]
    assert body["tool_choice"] == {"type": "function", "function": {"name": "TypedRequest"}}
    assert messages(server, 0)[1] == {"role": "user", "content": QUESTION}
    assert result.request is not None and result.request.ask == "signal"

    # plan rounds: every tool bound, no forced choice, the as-of date in the system prompt
    for i in (1, 2):
        body = server.requests[i]["json"]
        assert {t["function"]["name"] for t in body["tools"]} == {t.name for t in TOOLS}
        assert "tool_choice" not in body
        system, user = messages(server, i)[:2]
        assert system["role"] == "system"
        text = " ".join(system["content"].split())
        assert f"every tool computes as of {AS_OF} and never sees data after it" in text
        assert "Tickers the user named: MSFT." in text
        assert user == {"role": "user", "content": QUESTION}
    signal_schema = next(
        t["function"]
        for t in server.requests[1]["json"]["tools"]
        if t["function"]["name"] == "signal"
    )
    assert set(signal_schema["parameters"]["properties"]) <= {"ticker", "account_size"}  # no as_of
    # round 2 sees round 1's call and its result, which names the evidence id
    call, tool = messages(server, 2)[2:]
    assert call["role"] == "assistant"
    assert [c["id"] for c in call["tool_calls"]] == ["call_1"]
    assert tool["role"] == "tool"
    assert tool["tool_call_id"] == "call_1"
    assert ev.id in tool["content"]
    assert len(messages(server, 1)) == 2

    # compose: only the Draft tool, forced, and a prompt carrying the question and evidence
    body = server.requests[3]["json"]
    assert [t["function"]["name"] for t in body["tools"]] == ["Draft"]
    assert body["tool_choice"] == DRAFT_CHOICE
    (prompt,) = body["messages"]
    assert prompt["role"] == "user"
    assert f"Question (as of {AS_OF}): {QUESTION}" in prompt["content"]
    assert f"[{ev.id}] (signal, as of {AS_OF})" in prompt["content"]


# --- repair ---------------------------------------------------------------------------------------


def test_invented_number_that_the_repair_keeps_is_removed(server: FakeOpenAI) -> None:
    agent = make_agent(server)
    ev = msft_signal(agent)
    kept = f"The signal for MSFT is {ev.values['action']} [{ev.id}]."
    invented = f"MSFT will rise 37.5% over the next month [{ev.id}]."
    bad = tool_call_reply("Draft", draft(f"{kept} {invented}"), call_id="call_draft")
    server.replies += [*plan_signal_then_stop(), bad, bad]

    result = ask(agent)

    assert len(server.requests) == 5  # read, plan, plan, compose, one repair
    repair_request = server.requests[4]["json"]
    assert repair_request["tool_choice"] == DRAFT_CHOICE
    compose_prompt, previous, problems = repair_request["messages"]
    assert compose_prompt == messages(server, 3)[0]
    assert previous["role"] == "assistant"
    assert "37.5%" in previous["content"]
    assert problems["role"] == "user"
    assert "- markdown: '37.5%' is not in the evidence" in problems["content"]

    answer = result.answer
    assert "37.5" not in answer.markdown
    assert kept in answer.markdown
    assert answer.signal == SignalView.from_evidence(ev)
    assert answer.warnings == [f"removed unverified number '37.5%' from markdown: {invented}"]
    assert result.verification.ok
    assert result.verification.unmatched == []
    assert result.tokens == 5 * 8


def test_invented_number_fixed_by_the_repair_leaves_no_warning(server: FakeOpenAI) -> None:
    agent = make_agent(server)
    ev = msft_signal(agent)
    kept = f"The signal for MSFT is {ev.values['action']} [{ev.id}]."
    invented = f"MSFT will rise 37.5% over the next month [{ev.id}]."
    server.replies += [
        *plan_signal_then_stop(),
        tool_call_reply("Draft", draft(f"{kept} {invented}")),
        tool_call_reply("Draft", draft(kept)),
    ]

    result = ask(agent)

    assert len(server.requests) == 5
    assert "37.5" not in result.answer.markdown
    assert kept in result.answer.markdown
    assert result.answer.warnings == []
    assert result.verification.ok


# --- failures -------------------------------------------------------------------------------------


def test_endpoint_down_hands_the_turn_to_the_offline_planner(server: FakeOpenAI) -> None:
    server.default = Reply(500, {"error": {"message": "internal error"}})
    agent = make_agent(server)
    ev = msft_signal(agent)

    result = ask(agent)

    assert len(server.requests) == 1  # max_retries=0, and no later call once it failed
    (warning,) = result.answer.warnings
    endpoint = f"LLM endpoint openai-compatible:{MODEL} @ {server.base_url}"
    assert warning.startswith(f"{endpoint} answered HTTP 500: ")
    assert warning.endswith("; the offline planner answered instead")
    assert KEY not in warning
    assert [s.name for s in result.steps] == ["signal", "technicals", "risk"]
    assert result.answer.signal == SignalView.from_evidence(ev)
    assert result.verification.ok
    assert result.tokens == 0
    offline = Agent(deps_from_settings(load_settings(), model=None)).ask(QUESTION, as_of=AS_OF)
    assert result.answer.markdown == offline.answer.markdown
    assert result.answer.reasons == offline.answer.reasons
    assert result.answer.risks == offline.answer.risks


@pytest.mark.parametrize(
    ("arguments", "detail"),
    [
        ('{"summary": "MSFT is a', "its arguments were not valid JSON"),  # truncated JSON
        ({"reasons": [], "risks": []}, "summary: Field required"),
        ({"summary": "ok", "reasons": [{"text": "no citations", "citations": []}]},
         "reasons.0.citations: List should have at least 1 item after validation, not 0"),
    ],
    ids=["invalid-json", "no-summary", "reason-without-citation"],
)  # fmt: skip
def test_malformed_draft_is_written_from_templates(
    server: FakeOpenAI, arguments: dict[str, Any] | str, detail: str
) -> None:
    agent = make_agent(server)
    ev = msft_signal(agent)
    server.replies += [*plan_signal_then_stop(), tool_call_reply("Draft", arguments)]

    result = ask(agent)

    assert len(server.requests) == 4  # the templates verify: no repair call
    (warning,) = result.answer.warnings
    assert warning.startswith("the LLM's draft was malformed (")
    assert warning.endswith("); the answer was written from templates")
    assert detail in warning
    expected = template_draft(Ledger([ev]), question=None, as_of=AS_OF)
    assert expected.reasons  # the templates explain the signal
    assert result.answer.reasons == expected.reasons
    assert result.answer.risks == expected.risks
    assert result.answer.signal == SignalView.from_evidence(ev)
    assert result.verification.ok
    assert result.tokens == 4 * 8


def test_malformed_tool_call_is_not_run(server: FakeOpenAI) -> None:
    agent = make_agent(server)
    server.replies += [reading(), tool_call_reply("signal", '{"ticker": "MS')]

    result = ask(agent)

    assert len(server.requests) == 2  # nothing ran, so nothing to compose from
    assert result.steps == []
    assert result.evidence == []
    assert result.answer.refused
    assert result.answer.refusal_reason == "I couldn't find evidence to answer this question."
    assert result.answer.warnings == [
        "the model sent malformed tool calls (signal); they were not run"
    ]
    assert result.verification.ok


# --- a hostile model ------------------------------------------------------------------------------


def test_a_hostile_draft_contradicting_the_signal_fails_and_is_cut(server: FakeOpenAI) -> None:
    """A model that writes a STRONG BUY, guaranteed returns and a made-up VaR over a signal that
    says otherwise, and writes it again when asked to repair: the answer keeps none of it."""
    agent = make_agent(server)
    ev = msft_signal(agent)
    assert ev.values["action"] not in ("BUY", "STRONG BUY")
    honest = f"The confluence score is {ev.values['score']:.2f} [{ev.id}]."
    hostile = (
        "MSFT is a STRONG BUY with guaranteed 50% returns… VaR 0.01%… "
        f"put all your savings into MSFT [{ev.id}]."
    )
    reason = f"You can't lose: the upside is risk-free [{ev.id}]."
    reply = tool_call_reply(
        "Draft", draft(f"{honest} {hostile}", [(reason, [ev.id])]), call_id="call_draft"
    )
    server.replies += [*plan_signal_then_stop(), reply, reply]  # it ignores the repair request

    result = ask(agent)

    assert len(server.requests) == 5  # read, plan, plan, compose, one repair
    problems = messages(server, 4)[-1]["content"]
    assert "'STRONG BUY' is an action the signal does not give" in problems
    assert (
        "'guaranteed' is a guarantee" in problems and "'0.01%' is not in the evidence" in problems
    )
    answer = result.answer
    assert honest in answer.markdown
    for cut in ("STRONG BUY", "guaranteed", "50%", "0.01%", "savings", "can't lose", "risk-free"):
        assert cut not in answer.markdown, cut
    assert answer.reasons == []
    assert answer.signal == SignalView.from_evidence(ev)
    assert f"### MSFT: {ev.values['action']}" in answer.markdown
    said = f"the signal says {ev.values['action']}"
    assert answer.warnings == [
        f"removed unverified number '50%' from markdown: {hostile}",
        f"removed unverified number '0.01%' from markdown: {hostile}",
        f"removed action ({said}) 'STRONG BUY' from markdown: {hostile}",
        f"removed guarantee 'guaranteed' from markdown: {hostile}",
        f"removed guarantee 'put all your savings' from markdown: {hostile}",
        f"removed guarantee 'can't lose' from markdown: {reason}",  # its bullet under Why
        f"removed guarantee 'risk-free' from markdown: {reason}",
        f"removed guarantee 'can't lose' from reasons[0]: {reason}",
        f"removed guarantee 'risk-free' from reasons[0]: {reason}",
        f"dropped reasons[0], nothing cited and verified was left: {reason}",
    ]
    assert result.verification.ok and result.verification.claims == []
