"""The agent graph end to end: the offline planner on the bundled data, and scripted chat
models that send bad arguments, hit failing tools, invent numbers and run past budgets."""

from __future__ import annotations

import dataclasses
import itertools
import os
import re
from datetime import date
from pathlib import Path

import pytest
from langchain_core.messages import ToolMessage
from langgraph.checkpoint.memory import InMemorySaver

from agent.answer import DISCLAIMER, SignalView
from agent.answer_first import answer_lead_problems
from agent.budget import Budget
from agent.deps import deps_from_settings
from agent.llm import LLMUnavailableError
from agent.runner import Agent, RunResult
from core.settings import load_settings
from tests.agent.scripted import ScriptedChatModel, call, done, draft, reads, tool_calls
from tools.risk import risk_evidence
from tools.signal import signal_evidence

AS_OF = date(2013, 2, 28)
SNAPSHOT = Path(__file__).parent / "snapshots" / "graph.mmd"


def make_agent(model=None, *, checkpointer=None, clock=None, **budget) -> Agent:  # noqa: ANN001
    deps = deps_from_settings(load_settings(), model=model)
    if budget:
        deps = dataclasses.replace(deps, budget=Budget(**budget))
    if clock is not None:
        deps = dataclasses.replace(deps, clock=clock)
    return Agent(deps, checkpointer=checkpointer)


def cites(kind: str, text: str = "See the evidence [{id}].", pick=None, **extra):  # noqa: ANN001, ANN201
    """A compose reply that cites the first evidence of ``kind`` it was shown; ``text`` is
    formatted with its ``id`` and, with ``pick``, the fields ``pick(values)`` reads from its
    values as the prompt shows them (JSON, cut after 1,500 characters)."""

    def reply(messages):  # noqa: ANN001, ANN202
        prompt = messages[0].text.split("Evidence:", 1)[1]
        found = re.search(rf"\[(E-{kind}-[^\]]+)\][^\n]*\nvalues: ([^\n]+)", prompt)
        eid, values = found.group(1), found.group(2)
        fields = pick(values) if pick else {}
        return draft(text.format(id=eid, **fields), [(f"Cited [{eid}].", [eid])], **extra)

    return reply


def historical_var(values: str, level: str = r"[\d.]+", days: str = r"\d+") -> dict:  # noqa: ANN201
    """The first historical VaR row (at ``level`` and ``days`` when given) of a risk evidence's
    values as the prompt shows them."""
    row = re.search(
        rf'"method":"historical","level":({level}),"horizon_days":({days}),"var":([-\d.e]+)',
        values,
    )
    return {"level": float(row.group(1)), "days": int(row.group(2)), "var": float(row.group(3))}


def assert_grounded(result: RunResult) -> None:
    """Every number verified, every citation resolves, the as-of date and disclaimer shown."""
    assert result.verification.ok, result.verification.problems()
    ids = {ev.id for ev in result.evidence}
    for reason in [*result.answer.reasons, *result.answer.risks]:
        assert reason.citations and set(reason.citations) <= ids
    cited = set(re.findall(r"\[(E-[^\]\s,]+)", result.answer.markdown))
    assert cited <= ids
    assert result.answer.as_of.isoformat() in result.answer.markdown
    assert DISCLAIMER in result.answer.markdown


# --- shape -------------------------------------------------------------------------------------
def test_graph_shape_matches_the_snapshot() -> None:
    mermaid = make_agent().graph.get_graph().draw_mermaid()
    if os.environ.get("UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(mermaid)
    assert mermaid == SNAPSHOT.read_text()


# --- the offline planner -----------------------------------------------------------------------
def test_buy_question_reports_the_signal_tools_signal() -> None:
    agent = make_agent()
    result = agent.ask("Should I buy Microsoft?", as_of=AS_OF)
    expected, _ = signal_evidence(agent.deps.context_for(AS_OF), "MSFT")
    assert result.answer.signal == SignalView.from_evidence(expected)
    assert f"MSFT: {expected.values['action']}" in result.answer.markdown
    assert [s.name for s in result.steps] == ["signal", "technicals", "risk"]
    assert result.answer.tickers == ["MSFT"] and not result.answer.refused
    assert len(result.verification.numbers) > 20  # the answer does state numbers
    assert_grounded(result)


def test_var_question_quotes_the_historical_var_at_the_asked_level() -> None:
    agent = make_agent()
    result = agent.ask("What is IBM's 99% one-day VaR at the end of 2011?")
    assert result.answer.as_of == date(2011, 12, 31)
    ev = risk_evidence(agent.deps.context_for(date(2011, 12, 31)), "IBM", horizons=(1, 10))
    hist = next(
        r
        for r in ev.values["results"]
        if (r["method"], r["level"], r["horizon_days"]) == ("historical", 0.99, 1)
    )
    assert f"IBM's 99% 1-day VaR is {hist['var']:.2%}" in result.answer.markdown
    assert result.answer.signal is None
    assert_grounded(result)


def test_compare_momentum_is_one_table_from_the_compare_tool() -> None:
    result = make_agent().ask("Compare AAPL and GOOG momentum", as_of=AS_OF)
    assert [s.name for s in result.steps] == ["compare"]
    comparison = next(ev for ev in result.evidence if ev.kind == "comparison")
    goog = comparison.values["by_ticker"]["GOOG"]
    assert f"| GOOG | {goog['return_20d']:+.2%} |" in result.answer.markdown
    assert result.answer.signal is None
    assert_grounded(result)


def test_follow_up_keeps_the_company_and_the_date() -> None:
    agent = make_agent(checkpointer=InMemorySaver())
    first = agent.ask("Should I buy Microsoft?", as_of=AS_OF, thread_id="t")
    second = agent.ask("and its VaR?", thread_id="t")
    assert first.answer.tickers == second.answer.tickers == ["MSFT"]
    assert second.answer.as_of == AS_OF
    assert [s.name for s in second.steps] == ["risk"]
    assert "MSFT's 95% 1-day VaR" in second.answer.markdown
    assert_grounded(second)
    why = agent.ask("why?", thread_id="t")
    assert why.answer.tickers == ["MSFT"] and why.verification.ok


@pytest.mark.parametrize(
    ("question", "needle"),
    [
        ("Should I buy XYZQ?", "I have no data for XYZQ"),
        ("What will Apple close at on 2031-01-02?", "after the as-of date 2013-02-28"),
        ("Should I put all my savings in AAPL? Is a profit guaranteed?", "can't promise returns"),
        ("What's the capital of France?", "I can't answer that"),
        ("What is the RSI?", "Which company do you mean?"),
    ],
)
def test_unanswerable_questions_are_declined_without_tools(question: str, needle: str) -> None:
    result = make_agent().ask(question, as_of=AS_OF)
    assert result.answer.refused and needle in result.answer.markdown
    assert result.steps == [] and result.evidence == []
    assert result.answer.signal is None and result.verification.ok


def test_no_data_for_the_date_is_said_plainly() -> None:
    result = make_agent().ask("How was Facebook trading?", as_of=date(2005, 6, 30))
    assert result.answer.refused
    assert "FB" in result.answer.markdown and "can't answer that for FB" in result.answer.markdown


# --- scripted models ---------------------------------------------------------------------------
def test_bad_arguments_go_back_to_the_model_which_fixes_them() -> None:
    lead = "IBM's {level:.0%} {days}-day VaR is {var:.2%} [{id}]."
    model = ScriptedChatModel(
        script=[
            reads(ask="var", tickers=["IBM"]),
            tool_calls(call("risk", 0, ticker="IBM", horizon_days=9999)),
            tool_calls(call("risk", 1, ticker="IBM", horizon_days=10)),
            done(),
            cites("risk", lead, pick=historical_var),
        ]
    )
    result = make_agent(model).ask("How risky is IBM?", as_of=AS_OF)
    assert result.request is not None and result.request.ask == "var"
    second_request = model.sent[2]["messages"]
    error = next(m for m in second_request if isinstance(m, ToolMessage))
    assert error.status == "error" and "horizon_days" in error.text
    assert "invalid arguments" in error.text
    assert [(s.name, s.status) for s in result.steps] == [("risk", "error"), ("risk", "success")]
    assert model.sent[0]["tools"] == ["TypedRequest"]  # the model reads the question first
    assert {"market_snapshot", "technicals", "signal"} <= set(model.sent[1]["tools"])
    assert "2013-02-28" in model.sent[1]["messages"][0].text  # the system prompt's as-of
    assert model.sent[-1]["tool_choice"] == "Draft"
    assert_grounded(result)


def test_a_failing_tool_is_reported_and_the_rest_still_answers() -> None:
    model = ScriptedChatModel(
        script=[
            reads(ask="direction", tickers=["MSFT"]),
            tool_calls(call("model_forecast", 0, ticker="MSFT"), call("signal", 1, ticker="MSFT")),
            done(),
            cites("signal", "There is no trained model for MSFT; the signal stands in [{id}]."),
        ]
    )
    result = make_agent(model).ask("Will Microsoft go up?", as_of=AS_OF)
    assert any(w.startswith("model_forecast failed") for w in result.answer.warnings)
    assert "signaldesk train MSFT" in " ".join(result.answer.warnings)
    assert result.answer.signal is not None and result.answer.signal.action.value == "SELL"
    assert_grounded(result)


def test_an_invented_number_is_caught_and_the_model_repairs_it() -> None:
    model = ScriptedChatModel(
        script=[
            reads(ask="signal", tickers=["MSFT"]),
            tool_calls(call("signal", 0, ticker="MSFT")),
            done(),
            cites("signal", "MSFT will rise 37.5% this year [{id}]."),
            cites("signal", "MSFT's signal is in the evidence [{id}]."),
        ]
    )
    result = make_agent(model).ask("Should I buy Microsoft?", as_of=AS_OF)
    repair_request = " ".join(m.text for m in model.sent[-1]["messages"])
    assert "'37.5%' is not in the evidence" in repair_request
    assert "37.5" not in result.answer.markdown
    assert "signal is in the evidence" in result.answer.markdown
    assert_grounded(result)


def test_a_number_the_repair_keeps_inventing_is_removed_with_a_warning() -> None:
    invent = cites("signal", "MSFT will rise 37.5% this year [{id}]. The trend is weak [{id}].")
    model = ScriptedChatModel(
        script=[reads(), tool_calls(call("signal", 0, ticker="MSFT")), done(), invent, invent]
    )
    result = make_agent(model).ask("Should I buy Microsoft?", as_of=AS_OF)
    assert "37.5" not in result.answer.markdown
    assert "The trend is weak" in result.answer.markdown  # only the bad sentence goes
    assert any("37.5%" in w for w in result.answer.warnings)
    assert result.answer.signal is not None  # the signal is code's, untouched
    assert_grounded(result)


def test_a_hostile_draft_is_caught_and_the_model_is_told_what_contradicts_the_evidence() -> None:
    hostile = (
        "IBM is a STRONG BUY with guaranteed 50% returns… VaR 0.01%… "
        "put all your savings into IBM [{id}]."
    )
    model = ScriptedChatModel(
        script=[
            reads(ask="signal", tickers=["IBM"]),
            tool_calls(call("signal", 0, ticker="IBM"), call("risk", 1, ticker="IBM")),
            done(),
            cites("signal", hostile),
            cites("signal", "IBM's signal is in the evidence [{id}]."),
        ]
    )
    result = make_agent(model).ask("Should I buy IBM?", as_of=AS_OF)
    assert result.answer.signal is not None and result.answer.signal.action != "STRONG BUY"
    repair_request = " ".join(m.text for m in model.sent[-1]["messages"])
    for problem in (
        "'STRONG BUY' is an action the signal does not give (the signal says",
        "'guaranteed' is a guarantee",
        "'put all your savings' is a guarantee",
        "'50%' is not in the evidence",
        "'0.01%' is not in the evidence",
    ):
        assert problem in repair_request, problem
    for cut in ("STRONG BUY", "guaranteed", "50%", "0.01%", "savings"):
        assert cut not in result.answer.markdown, cut
    assert "signal is in the evidence" in result.answer.markdown
    assert_grounded(result)


def test_a_malformed_draft_falls_back_to_the_templates() -> None:
    garbage = tool_calls({"name": "Draft", "args": {"text": 3}, "id": "d", "type": "tool_call"})
    model = ScriptedChatModel(
        script=[reads(), tool_calls(call("signal", 0, ticker="MSFT")), done(), garbage]
    )
    result = make_agent(model).ask("Should I buy Microsoft?", as_of=AS_OF)
    assert any("malformed" in w and "templates" in w for w in result.answer.warnings)
    assert "The technical part scores" in result.answer.markdown
    assert_grounded(result)


def test_an_unreachable_model_hands_the_turn_to_the_offline_planner() -> None:
    def down(messages):  # noqa: ANN001, ANN202
        raise LLMUnavailableError("LLM endpoint test could not be reached: refused")

    model = ScriptedChatModel(script=[down])
    result = make_agent(model).ask("Should I buy Microsoft?", as_of=AS_OF)
    assert any(
        "could not be reached" in w and "offline planner" in w for w in result.answer.warnings
    )
    assert [s.name for s in result.steps] == ["signal", "technicals", "risk"]
    assert_grounded(result)


# --- budgets -----------------------------------------------------------------------------------
def test_rounds_budget_stops_a_model_that_never_stops() -> None:
    loop = [tool_calls(call("market_snapshot", i, ticker="IBM")) for i in range(6)]
    lead = "IBM closed at {close:.2f} [{id}]."
    market = cites(
        "market", lead, pick=lambda v: {"close": float(re.search(r'"close":([\d.]+)', v)[1])}
    )
    model = ScriptedChatModel(script=[reads(ask="price", tickers=["IBM"]), *loop, market])
    result = make_agent(model, max_rounds=2).ask("How is IBM trading?", as_of=AS_OF)
    assert len(result.steps) == 2
    assert any("limit of 2 tool rounds" in w for w in result.answer.warnings)
    assert_grounded(result)


def test_tool_call_budget_runs_only_what_fits_and_answers_the_rest() -> None:
    many = tool_calls(
        *(
            call(n, i, ticker="IBM")
            for i, n in enumerate(["market_snapshot", "technicals", "signal", "risk", "sentiment"])
        )
    )
    unsaid = "I can't give IBM's signal: the tool-call limit stopped it [{id}]."
    model = ScriptedChatModel(script=[reads(ask="overview"), many, cites("market", unsaid)])
    result = make_agent(model, max_tool_calls=2).ask("Tell me about IBM", as_of=AS_OF)
    statuses = [(s.name, s.status) for s in result.steps]
    assert statuses[:3] == [("signal", "error"), ("risk", "error"), ("sentiment", "error")]
    assert sorted(statuses[3:]) == [("market_snapshot", "success"), ("technicals", "success")]
    assert any("limit of 2 tool calls" in w for w in result.answer.warnings)
    assert_grounded(result)


def test_token_budget_ends_the_run_and_templates_write_the_answer() -> None:
    model = ScriptedChatModel(
        script=[
            reads(),
            tool_calls(call("signal", 0, ticker="MSFT"), tokens=800),
            tool_calls(call("risk", 1, ticker="MSFT"), tokens=800),
        ]
    )
    result = make_agent(model, max_tokens=1500).ask("Should I buy MSFT?", as_of=AS_OF)
    assert result.tokens == 1600 and len(model.sent) == 3  # no compose call after the limit
    assert any("1,500 LLM tokens" in w for w in result.answer.warnings)
    assert "### MSFT" in result.answer.markdown
    assert_grounded(result)


def test_timeout_ends_the_run_with_a_clear_message() -> None:
    ticks = itertools.count(0, 50.0)  # every clock read is 50 s later
    model = ScriptedChatModel(
        script=[reads(), *(tool_calls(call("market_snapshot", i, ticker="IBM")) for i in range(5))]
    )
    agent = make_agent(model, clock=lambda: next(ticks), timeout_s=120.0)
    result = agent.ask("How is IBM trading?", as_of=AS_OF)
    assert any("120 s time limit" in w for w in result.answer.warnings)
    assert result.steps and result.verification.ok


# --- answer first ------------------------------------------------------------------------------
VAR_QUESTION = "How much could IBM lose in a day, at 95% confidence?"
BURIED = "IBM's risk is summarised in the evidence below [{id}]."
LEADS = "IBM's {level:.0%} 1-day VaR is {var:.2%} [{id}]."


def var_95_1d(values: str) -> dict:  # noqa: ANN201
    return historical_var(values, level=r"0\.95", days="1")


def var_script(*drafts: object) -> ScriptedChatModel:
    return ScriptedChatModel(
        script=[
            reads(ask="var", tickers=["IBM"], quantity={"level": 0.95, "horizon_days": 1}),
            tool_calls(call("risk", 0, ticker="IBM", horizon_days=1)),
            done(),
            *drafts,
        ]
    )


def test_a_draft_that_answers_first_passes_without_a_repair() -> None:
    model = var_script(cites("risk", LEADS, pick=var_95_1d))
    result = make_agent(model).ask(VAR_QUESTION, as_of=AS_OF)
    assert len(model.sent) == 4  # read, plan, plan, compose: no repair
    assert re.search(r"IBM's 95% 1-day VaR is \d+\.\d\d%", result.answer.markdown)
    assert answer_lead_problems(result.answer, result.request) == []
    assert result.answer.warnings == []
    assert_grounded(result)


def test_a_draft_that_buries_the_number_is_repaired_with_the_problems_listed() -> None:
    model = var_script(cites("risk", BURIED), cites("risk", LEADS, pick=var_95_1d))
    result = make_agent(model).ask(VAR_QUESTION, as_of=AS_OF)
    assert len(model.sent) == 5  # one repair
    compose_prompt = model.sent[3]["messages"][0].text
    assert "The first sentence must state: the asked figure as a percentage; the confidence " in (
        compose_prompt
    )
    repair_request = model.sent[4]["messages"][-1].text
    assert "- first sentence: 'IBM's risk is summarised in the evidence below.' states no " in (
        repair_request
    )
    assert "start the summary with the answer itself: the asked figure as a percentage" in (
        repair_request
    )
    assert "summarised in the evidence" not in result.answer.markdown
    assert re.search(r"IBM's 95% 1-day VaR is \d+\.\d\d%", result.answer.markdown)
    assert answer_lead_problems(result.answer, result.request) == []
    assert result.answer.warnings == []
    assert_grounded(result)


def test_a_draft_that_still_buries_the_number_gives_way_to_the_templates() -> None:
    model = var_script(cites("risk", BURIED), cites("risk", BURIED))
    result = make_agent(model).ask(VAR_QUESTION, as_of=AS_OF)
    assert len(model.sent) == 5  # one repair, then no more model calls
    assert "summarised in the evidence" not in result.answer.markdown
    [warning] = [w for w in result.answer.warnings if "lead with the answer" in w]
    assert warning.startswith("the LLM's draft did not lead with the answer (first sentence: ")
    assert warning.endswith("; the answer was written from templates")
    assert_grounded(result)


def test_the_templates_standing_in_for_a_malformed_draft_are_not_held_to_the_lead() -> None:
    garbage = tool_calls({"name": "Draft", "args": {"text": 3}, "id": "d", "type": "tool_call"})
    model = ScriptedChatModel(
        script=[
            reads(ask="volatility", tickers=["IBM"]),
            tool_calls(call("signal", 0, ticker="IBM")),
            done(),
            garbage,
        ]
    )
    result = make_agent(model).ask("How volatile is IBM?", as_of=AS_OF)
    assert answer_lead_problems(result.answer, result.request)  # the signal card comes first
    assert len(model.sent) == 4  # yet no repair call: the offline writer's draft is its own
    assert [w for w in result.answer.warnings if "malformed" in w]
    assert_grounded(result)


def test_a_search_with_nothing_indexed_says_what_to_ingest() -> None:
    result = make_agent().ask("What does Apple's latest 10-K say about competition?", as_of=AS_OF)
    assert result.answer.refused
    assert result.answer.markdown.startswith("I can't answer that from documents: no ")
    assert "are indexed for AAPL up to" in result.answer.markdown
    assert "signaldesk ingest" in result.answer.markdown
