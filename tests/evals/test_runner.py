"""The runner and its gate on real offline runs, a planted broken answer, and the LLM judge
through a scripted model."""

from __future__ import annotations

import pytest

from agent.deps import deps_from_settings
from agent.runner import Agent
from core.settings import load_settings
from evals.judge import Judge
from evals.runner import gate, run_suite, summarize
from evals.suite import Case, Suite, load_suite
from tests.agent.scripted import ScriptedChatModel, call, done, draft, reads, tool_calls

CORE = load_suite("core")


@pytest.mark.parametrize("case", CORE.cases, ids=[c.id for c in CORE.cases])
def test_core_case(case: Case, core_agent: Agent) -> None:
    """Every core case, as a test: the release gate in pytest form."""
    result = run_suite(Suite(name="one", cases=[case]), core_agent)
    score = result.cases[0]
    assert score.passed, score.failures


def _buy_msft() -> Suite:
    case = Case.model_validate(
        {
            "id": "signal-msft",
            "question": "Should I buy Microsoft?",
            "as_of": "2013-02-28",
            "expect": {"tools": {"must": ["signal"]}, "signal": "MSFT", "citations": ["signal"]},
        }
    )
    return Suite(name="planted", cases=[case])


def _scripted_agent(*script: object) -> Agent:
    """An agent on a model that reads the question (a signal ask for MSFT), then ``script``."""
    model = ScriptedChatModel(script=[reads(ask="signal", tickers=["MSFT"]), *script])
    return Agent(deps_from_settings(load_settings(), model=model))


def test_a_planted_broken_answer_fails_the_gate() -> None:
    # The model answers without calling the signal tool: no signal, nothing cited.
    broken = _scripted_agent(done(), draft("Microsoft looks fine to me.", []))
    result = run_suite(_buy_msft(), broken)
    score = result.cases[0]
    assert not score.passed and score.signal_agrees is False and score.tool_recall == 0
    assert any("tools not called" in f for f in score.failures)
    assert gate(result.metrics, {"pass_rate": 1.0}) == ["pass_rate 0 is below 1"]
    assert gate(result.metrics, {"latency_p95_s": 0.0})[0].startswith("latency_p95_s")
    assert gate({}, {"signal_agreement": 0.5}) == ["signal_agreement: not measured by this run"]


def test_the_same_case_passes_when_the_model_does_its_job() -> None:
    def cite(messages):  # noqa: ANN001, ANN202
        import re

        eid = re.search(r"\[(E-signal-[^\]]+)\]", messages[0].text).group(1)
        return draft("The signal is in the card above.", [("See the signal.", [eid])])

    good = _scripted_agent(tool_calls(call("signal", ticker="MSFT")), done(), cite)
    score = run_suite(_buy_msft(), good).cases[0]
    assert score.passed, score.failures
    assert score.tools_called == ["signal"] and score.signal_agrees


def test_the_judge_scores_answers_and_records_garbage_as_an_error(core_agent: Agent) -> None:
    verdict = tool_calls(
        {
            "name": "Judgement",
            "id": "j1",
            "type": "tool_call",
            "args": {
                "correctness": 4,
                "grounding": 5,
                "clarity": 3,
                "rationale": "Cited and on point.",
            },
        }
    )
    model = ScriptedChatModel(script=[verdict, done()])
    suite = Suite(
        name="judged",
        cases=[CORE.cases[0], _buy_msft().cases[0].model_copy(update={"id": "again"})],
    )
    result = run_suite(suite, core_agent, judge=Judge(model))
    first, second = (result.judgements[c.id] for c in suite.cases)
    assert (first.correctness, first.grounding, first.clarity) == (4, 5, 3)
    assert first.error is None and "Question (as of" in model.sent[0]["messages"][0].text
    assert model.sent[0]["tool_choice"] == "Judgement"
    assert second.error == "the judge did not call the Judgement tool"
    assert result.metrics["judge_correctness"] == 4.0


def test_summary_of_no_cases_is_all_unmeasured() -> None:
    metrics = summarize([])
    assert metrics["pass_rate"] is None and metrics["latency_p50_s"] is None
