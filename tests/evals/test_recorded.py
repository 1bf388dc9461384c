"""An eval case against an OpenAI-compatible endpoint, recorded once and replayed offline.

Replay (the default, ``--record-mode=none``): the cassette in ``cassettes/`` answers every HTTP
request, nothing reaches a server. To record anew against a live endpoint, set
``SIGNALDESK_EVAL_RECORD_URL`` (and ``SIGNALDESK_EVAL_RECORD_KEY``) and run
``pytest tests/evals/test_recorded.py --record-mode=rewrite``; without them a local scripted
server stands in. Authorization headers are never written to the cassette.
"""

from __future__ import annotations

import os
from datetime import date
from typing import Any

import pytest

from agent.deps import deps_from_settings
from agent.llm import chat_model
from agent.runner import Agent
from core.settings import load_settings
from evals.runner import run_suite
from evals.suite import Case, Suite
from tests.agent._fake_openai import running, text_reply, tool_call_reply
from tools.signal import signal_evidence

AS_OF = date(2013, 2, 28)


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    # Match on what was asked, not where: the recording's host and port do not matter.
    return {
        "filter_headers": ["authorization"],
        "match_on": ["method", "path"],
        "allow_playback_repeats": False,
    }


@pytest.mark.vcr
def test_endpoint_case_replays_offline(request: pytest.FixtureRequest) -> None:
    recording = (request.config.getoption("--record-mode") or "none") != "none"
    case = Case.model_validate(
        {
            "id": "endpoint-signal-msft",
            "question": "Should I buy MSFT?",
            "as_of": "2013-02-28",
            "expect": {"tools": {"must": ["signal"]}, "signal": "MSFT", "citations": ["signal"]},
        }
    )
    with running() as server:
        live = os.environ.get("SIGNALDESK_EVAL_RECORD_URL")
        base_url = live or server.base_url
        key = os.environ.get("SIGNALDESK_EVAL_RECORD_KEY", "sk-test")
        llm = chat_model(
            base_url=base_url, api_key=key, model="test-model", timeout_s=10.0, max_retries=0
        )
        agent = Agent(deps_from_settings(load_settings(), model=llm))
        ev, _ = signal_evidence(agent.deps.context_for(AS_OF), "MSFT")
        summary = f"The confluence signal for MSFT is {ev.values['action']} [{ev.id}]."
        draft = {
            "summary": summary,
            "risks": [],
            "reasons": [
                {"text": f"It comes from the signal tool [{ev.id}].", "citations": [ev.id]}
            ],
        }
        request = {"ask": "signal", "tickers": ["MSFT"]}
        server.replies += [
            tool_call_reply("TypedRequest", request, call_id="call_request"),
            tool_call_reply("signal", {"ticker": "MSFT"}),
            text_reply("I have the signal."),
            tool_call_reply("Draft", draft, call_id="call_draft"),
        ]
        result = run_suite(Suite(name="recorded", cases=[case]), agent)
        served = len(server.requests)
    score = result.cases[0]
    assert score.passed, score.failures
    assert score.tools_called == ["signal"] and score.signal_agrees
    assert served == (4 if recording and not live else 0)  # replayed: no request reached it
