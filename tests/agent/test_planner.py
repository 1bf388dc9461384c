"""The offline planner's policy: which tools a question gets, with arguments the tools accept."""

from __future__ import annotations

from datetime import date

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from agent.planner import OfflinePlanner, parse_conversation, plan_calls
from agent.question import parse_question
from tools.registry import TOOLS, TOOLS_BY_NAME

TODAY = date(2026, 11, 22)
KNOWN = frozenset({"AAPL", "FB", "GOOG", "IBM", "MSFT", "^GSPC"})


def plan(text: str) -> list[tuple[str, dict]]:
    return plan_calls(parse_question(text, today=TODAY, known_tickers=KNOWN))


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        (
            "Should I buy Microsoft?",
            [
                ("signal", {"ticker": "MSFT"}),
                ("technicals", {"ticker": "MSFT"}),
                ("risk", {"ticker": "MSFT", "horizon_days": 10}),
            ],
        ),
        ("What is IBM's 99% one-day VaR?", [("risk", {"ticker": "IBM", "horizon_days": 1})]),
        (
            "Compare AAPL and GOOG momentum",
            [("compare", {"tickers": ["AAPL", "GOOG"], "metric": "momentum"})],
        ),
        (
            "Which is riskier, IBM or MSFT?",
            [("compare", {"tickers": ["IBM", "MSFT"], "metric": "risk"})],
        ),
        ("What's Apple's RSI?", [("technicals", {"ticker": "AAPL"})]),
        ("How did the S&P 500 do?", [("market_snapshot", {"ticker": "^GSPC"})]),
        (
            "Backtest the buy and hold strategy on IBM since 2005",
            [("backtest", {"ticker": "IBM", "strategy": "buy_and_hold", "start_year": 2005})],
        ),
        (
            "Will Google go up over the next 20 days according to the model?",
            [  # the model's 20-day probability, and the signal in case no model is trained
                ("model_forecast", {"ticker": "GOOG", "horizon": 20}),
                ("signal", {"ticker": "GOOG"}),
            ],
        ),
        ("What is the sentiment on Facebook?", [("sentiment", {"ticker": "FB"})]),
        (
            "What did Apple list as risk factors in its 2010 10-K?",
            [
                (
                    "search_filings",
                    {
                        # the section named and nothing else: what risk factors are read for
                        "query": "risks could adversely affect our business results competition",
                        "ticker": "AAPL",
                        "k": 5,
                        "section": "Item 1A",
                        "form": "10-K",
                        "fiscal_year": 2010,
                    },
                )
            ],
        ),
        (
            "What did management say on the Microsoft earnings call?",
            [
                (
                    "search_calls",
                    {
                        "query": "What did management say on the Microsoft earnings call?",
                        "ticker": "MSFT",
                        "k": 5,
                    },
                )
            ],
        ),
        (
            "Any news headlines about chips?",
            [("news", {"query": "chips", "k": 5})],  # the topic asked about, not the question
        ),
    ],
)
def test_questions_get_the_tools_they_need(question: str, expected: list) -> None:
    assert plan(question) == expected


@pytest.mark.parametrize(
    "question",
    [
        "Should I buy Microsoft?",
        "Compare IBM, MSFT and AAPL on risk",
        "Backtest the ML strategy on Apple",
        "What did IBM's 10-Q say about services?",
        "What is the 3-week VaR of Google and its sentiment and news?",
    ],
)
def test_planned_arguments_pass_the_tools_own_schemas(question: str) -> None:
    for name, args in plan(question):
        TOOLS_BY_NAME[name].args_schema.model_validate(args)  # raises if the planner is wrong


def test_the_planner_emits_tool_calls_then_stops_once_tools_answered() -> None:
    planner = OfflinePlanner(today=TODAY, known_tickers=KNOWN).bind_tools(TOOLS)
    first = planner.invoke([HumanMessage("What was IBM's closing price?")])
    assert isinstance(first, AIMessage)
    assert [(c["name"], c["args"]) for c in first.tool_calls] == [
        ("market_snapshot", {"ticker": "IBM"})
    ]
    assert first.tool_calls[0]["id"].startswith("call_")
    reply = ToolMessage(
        "[E-market-IBM-20130228-00000000] ...", tool_call_id=first.tool_calls[0]["id"]
    )
    assert (
        planner.invoke([HumanMessage("What was IBM's closing price?"), first, reply]).tool_calls
        == []
    )


def test_follow_ups_are_read_with_the_earlier_questions() -> None:
    messages = [
        HumanMessage("Should I buy Microsoft?"),
        AIMessage("..."),
        HumanMessage("and its VaR?"),
    ]
    q = parse_conversation(messages, today=TODAY, known_tickers=KNOWN)
    assert q is not None and q.tickers == ("MSFT",) and q.is_follow_up
    assert plan_calls(q) == [("risk", {"ticker": "MSFT", "horizon_days": 1})]  # a 1-day VaR


def test_binding_without_the_needed_tools_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="needs the tools"):
        OfflinePlanner(today=TODAY, known_tickers=KNOWN).bind_tools(TOOLS[:3])
