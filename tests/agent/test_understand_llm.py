"""The LLM reads the question into the typed request: scripted models fill it for paraphrases,
and what they get wrong (garbage, invented tickers, future dates) leaves the offline parse."""

from __future__ import annotations

from datetime import date

from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

from agent.deps import deps_from_settings
from agent.llm import LLMUnavailableError
from agent.question import parse_question
from agent.request import Decline, Period, Quantity, Verdict
from agent.runner import Agent
from agent.understand_llm import TypedRequest, describe_previous, llm_request, merge, read_request
from core.settings import load_settings
from tests.agent.scripted import ScriptedChatModel, call, done, draft, reads, tool_calls

AS_OF = date(2013, 2, 28)
KNOWN = frozenset({"AAPL", "MSFT", "IBM", "GOOG", "FB"})


def offline(text: str):  # noqa: ANN201
    return parse_question(text, today=AS_OF, known_tickers=KNOWN, classify=None)


def read(text: str, *replies: object):  # noqa: ANN201
    model = ScriptedChatModel(script=list(replies))
    parsed, warning = llm_request(
        model, text=text, parsed=offline(text), history_text=None, as_of=AS_OF, known=KNOWN
    )
    return parsed, warning, model


def test_the_model_fills_the_request_for_a_paraphrase() -> None:
    text = "If things go badly for Microsoft, how much might I be down a month from now, 1-in-100?"
    reading = reads(
        ask="var",
        tickers=["MSFT"],
        quantity={"level": 0.99, "horizon_days": 21},
    )
    parsed, warning, model = read(text, reading)
    assert warning is None
    assert parsed.ask == "var" and parsed.tickers == ("MSFT",)
    assert parsed.quantity == Quantity(level=0.99, horizon_days=21)
    assert parsed.as_of is None and parsed.text == text  # "from now": the as-of date
    [sent] = model.sent
    assert sent["tools"] == ["TypedRequest"] and sent["tool_choice"] == "TypedRequest"
    system, human = sent["messages"]
    assert isinstance(system, SystemMessage) and isinstance(human, HumanMessage)
    assert human.text == text
    assert '"now", "right now", "currently"' in system.text and f"mean {AS_OF}" in system.text
    assert "AAPL, FB, GOOG, IBM, MSFT" in system.text


def test_the_model_reads_verdicts_scopes_and_declines() -> None:
    parsed, warning, _ = read(
        "Is Apple stretched to the upside at the moment?",
        reads(
            ask="overbought",
            tickers=["AAPL"],
            verdict={"kind": "yes_no", "predicate": "overbought"},
        ),
    )
    assert warning is None and parsed.verdict == Verdict(kind="yes_no", predicate="overbought")
    parsed, _, _ = read(
        "Just tell me exactly which stock to buy.",
        reads(decline={"reason": "what_to_buy", "offer": "the signal of a company you name"}),
    )
    assert parsed.decline == Decline(reason="what_to_buy", offer="the signal of a company you name")


def test_an_explicit_null_clears_the_parsers_reading_and_an_omitted_field_keeps_it() -> None:
    text = "Which is riskier, AAPL or IBM?"
    before = offline(text)
    assert before.verdict is not None
    parsed, _, _ = read(text, reads(ask="compare", verdict=None))
    assert parsed.verdict is None
    parsed, _, _ = read(text, reads(ask="compare"))
    assert parsed.verdict == before.verdict and parsed.tickers == before.tickers


def test_garbage_or_a_refusal_leaves_the_offline_parse_with_a_warning() -> None:
    text = "Should I buy IBM?"
    refusal = AIMessage(content="I'm sorry, I can't help with that.")
    parsed, warning, _ = read(text, refusal)
    assert parsed == offline(text)
    assert warning == (
        "the LLM's reading of the question was malformed (it did not call TypedRequest); "
        "the offline parse was used"
    )
    bad = reads(ask="buy it now", tickers=["IBM"])
    parsed, warning, _ = read(text, bad)
    assert parsed == offline(text)
    assert warning is not None and "ask: Input should be" in warning
    wrong_tool = tool_calls(call("signal", ticker="IBM"))
    parsed, warning, _ = read(text, wrong_tool)
    assert parsed == offline(text) and "did not call TypedRequest" in (warning or "")


def test_an_unreachable_endpoint_leaves_the_offline_parse_and_says_so() -> None:
    def down(messages):  # noqa: ANN001, ANN202
        raise LLMUnavailableError("LLM endpoint test timed out: read timeout")

    model = ScriptedChatModel(script=[down])
    text = "Should I buy IBM?"
    out = read_request(
        model, text=text, parsed=offline(text), history_text=None, as_of=AS_OF, known=KNOWN
    )
    assert out.parsed == offline(text) and out.reply is None
    assert out.unavailable == "LLM endpoint test timed out: read timeout"
    assert out.warning == "LLM endpoint test timed out: read timeout; the offline parse was used"


def test_a_hallucinated_ticker_is_dropped() -> None:
    text = "How is the Redmond software giant doing compared with the electric car maker?"
    parsed, warning, _ = read(text, reads(ask="compare", tickers=["MSFT", "TSLA"]))
    assert parsed.tickers == ("MSFT",)
    assert warning == (
        "the model named TSLA, which the question does not name and the data does not cover: "
        "dropped"
    )


def test_a_marked_unknown_ticker_stays_unknown_and_is_not_called_invented() -> None:
    text = "Should I buy $XYZQ?"
    parsed, warning, _ = read(text, reads(ask="signal", tickers=["XYZQ"]))
    assert parsed.tickers == () and "XYZQ" in parsed.unknown_tickers and warning is None


def test_a_future_date_is_rejected() -> None:
    text = "What was IBM's VaR back then?"
    parsed, warning, _ = read(text, reads(ask="var", tickers=["IBM"], as_of="2031-01-02"))
    assert parsed.as_of is None and parsed.ask == "var"
    assert warning == "the model's date 2031-01-02 is after the as-of date 2013-02-28: ignored"


def test_a_past_date_is_taken_and_an_unparseable_one_is_not() -> None:
    text = "IBM's risk when 2011 closed?"
    parsed, warning, _ = read(text, reads(ask="var", tickers=["IBM"], as_of="2011-12-31"))
    assert parsed.as_of == date(2011, 12, 31) and warning is None and not parsed.future_date
    parsed, warning, _ = read(text, reads(ask="var", as_of="the end of 2011"))
    assert parsed.as_of == offline(text).as_of
    assert warning == "the model's date 'the end of 2011' is not a date: ignored"


def test_a_future_period_and_an_unfounded_future_decline_are_rejected() -> None:
    reading = TypedRequest.model_validate(
        {
            "ask": "return",
            "quantity": {"period": {"start": "2014-01-01", "end": "2014-12-31", "label": "2014"}},
            "decline": {"reason": "future_date"},
        }
    )
    parsed, warnings = merge(offline("How did GOOG do?"), reading, as_of=AS_OF, known=KNOWN)
    assert parsed.ask == "return" and parsed.quantity.period is None
    assert parsed.decline is None
    assert warnings == [
        "the model's period 2014 starts after the as-of date (2013-02-28): dropped",
        "the model declined a future date, but the question names none after 2013-02-28: "
        "not declined",
    ]
    past = Period(start=date(2011, 1, 1), end=date(2011, 12, 31), label="2011")
    reading = TypedRequest(ask="return", quantity=Quantity(period=past))
    parsed, warnings = merge(offline("How did GOOG do in 2011?"), reading, as_of=AS_OF, known=())
    assert parsed.quantity.period == past and warnings == []


def test_a_future_decline_stands_when_the_question_names_a_later_date() -> None:
    text = "What will Apple close at on 2031-01-02?"
    parsed, _, _ = read(text, reads(ask="price", decline={"reason": "exact_price"}))
    assert parsed.decline == Decline(reason="exact_price")
    reading = TypedRequest(as_of="2031-01-02", decline=Decline(reason="future_date"))
    parsed, warnings = merge(offline("Apple then?"), reading, as_of=AS_OF, known=KNOWN)
    assert parsed.decline == Decline(reason="future_date")
    assert warnings == ["the model's date 2031-01-02 is after the as-of date 2013-02-28: ignored"]


def test_the_previous_turn_is_described_for_a_follow_up() -> None:
    assert describe_previous(None) is None
    previous = offline("Should I buy Microsoft as of 2012-06-29?")
    text = describe_previous(previous)
    assert text is not None and "Should I buy Microsoft" in text
    assert "tickers=MSFT" in text and "as_of=2012-06-29" in text


# --- in the graph ------------------------------------------------------------------------------
def test_the_graph_plans_from_the_models_reading_and_charges_its_tokens() -> None:
    reading = reads(ask="var", tickers=["IBM"], quantity={"level": 0.99, "horizon_days": 21})
    reading.usage_metadata = {"input_tokens": 40, "output_tokens": 10, "total_tokens": 50}
    answer = draft("I can't say IBM's VaR at that level and horizon from this evidence.")
    plan = tool_calls(call("risk", ticker="IBM", horizon_days=21))
    model = ScriptedChatModel(script=[reading, plan, done(), answer])
    agent = Agent(deps_from_settings(load_settings(), model=model))
    result = agent.ask(
        "Worst case for Big Blue over the next month, one in a hundred?", as_of=AS_OF
    )
    assert result.request is not None and result.request.ask == "var"
    assert result.request.quantity == Quantity(level=0.99, horizon_days=21)
    assert result.request.tickers == ("IBM",)
    assert result.tokens >= 50
    plan_prompt = model.sent[1]["messages"][0].text
    assert "Tickers the user named: IBM." in plan_prompt
    compose_prompt = model.sent[3]["messages"][0].text
    assert "What the question asks (read from it): ask: var; companies: IBM; quantity: " in (
        compose_prompt
    )
    assert "The first sentence must state: the asked figure as a percentage; the confidence " in (
        compose_prompt
    )
    assert len(model.sent) == 4 and result.verification.ok  # a decline leads: no repair


def test_in_the_graph_an_unreachable_endpoint_hands_the_whole_turn_to_the_offline_planner() -> None:
    def down(messages):  # noqa: ANN001, ANN202
        raise LLMUnavailableError("LLM endpoint test could not be reached: refused")

    model = ScriptedChatModel(script=[down])
    agent = Agent(deps_from_settings(load_settings(), model=model))
    result = agent.ask("Should I buy Microsoft?", as_of=AS_OF)
    assert len(model.sent) == 1  # the plan step does not try the endpoint again
    assert result.answer.warnings[:1] == [
        "LLM endpoint test could not be reached: refused; the offline planner answered instead"
    ]
    assert [s.name for s in result.steps][:1] == ["signal"] and result.verification.ok


def test_a_reading_without_a_decline_clears_a_judged_decline_but_not_one_by_rule() -> None:
    base = offline("What is IBM's VaR?")
    judged = base.model_copy(update={"decline": Decline(reason="unsupported")})
    reading = TypedRequest(ask="var", tickers=["IBM"])
    parsed, warnings = merge(judged, reading, as_of=AS_OF, known=KNOWN)
    assert parsed.decline is None and warnings == []
    ruled = base.model_copy(update={"decline": Decline(reason="bad_level", detail="150%")})
    parsed, _ = merge(ruled, reading, as_of=AS_OF, known=KNOWN)
    assert parsed.decline == Decline(reason="bad_level", detail="150%")
