"""The answer-first rule: the first sentence of an answer, and what it lacks for each ask."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from agent.answer import Answer
from agent.answer_first import (
    answer_lead_problems,
    first_sentence,
    lead_problems,
    lead_requirements,
)
from agent.question import ParsedQuestion
from agent.request import Decline, Quantity, Verdict

EID = "E-risk-IBM-20111230-0123abcd"


def request(**fields: Any) -> ParsedQuestion:
    return ParsedQuestion(text="q", normalized="q", **fields)


# --- the first sentence ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("### MSFT: BUY (as of 2012-06-29)\n\nConfluence score 0.61.",
         "MSFT: BUY (as of 2012-06-29)"),
        ("**IBM** fell 3.84% vs. the U.S. market. Then more.",
         "IBM fell 3.84% vs. the U.S. market."),
        ("Apple Inc. reported net sales of $65,225 million. Up 52%.",
         "Apple Inc. reported net sales of $65,225 million."),
        (
            f"- IBM's 99% 1-day VaR is 2.04% [{EID}]. Next.",
            f"IBM's 99% 1-day VaR is 2.04% [{EID}].",  # the citation stays with its sentence
        ),
        ("| part | score |\n|---|---|\n| technical | 0.52 |", "part score"),
        ("\n\nThe answer runs\nacross two lines! Then more", "The answer runs across two lines!"),
        ("No full stop at all", "No full stop at all"),
        ("_Yes_, it is overbought: RSI 74.2 (above 70).",
         "Yes, it is overbought: RSI 74.2 (above 70)."),
        ("", ""),
    ],
)  # fmt: skip
def test_first_sentence_strips_markup_and_keeps_decimals_and_abbreviations(
    markdown: str, expected: str
) -> None:
    assert first_sentence(markdown) == expected


def test_a_citation_supplies_neither_a_ticker_nor_a_number() -> None:
    q = request(ask="price", tickers=("IBM",))
    assert lead_problems(q, f"See the evidence [{EID}].")
    assert first_sentence(f"See the evidence [{EID}].") == f"See the evidence [{EID}]."


# --- what each ask needs -----------------------------------------------------------------------
VAR99_21 = {"ask": "var", "quantity": Quantity(level=0.99, horizon_days=21)}


@pytest.mark.parametrize(
    ("fields", "good", "bad"),
    [
        (VAR99_21, "IBM's 99% 21-day VaR is 9.41%.", "IBM's 99% VaR is in the table below."),
        (VAR99_21, "Over a month, IBM's 99 percent VaR is 9.41%.", "IBM's VaR is 9.41%."),
        ({"ask": "cvar", "quantity": Quantity(level=0.95, horizon_days=1)},
         "IBM's 95% one-day CVaR (expected shortfall) is 3.0%.", "IBM's 95% 1-day CVaR is shown."),
        ({"ask": "volatility"}, "AAPL's annualised volatility was 28.1% over 2011.",
         "AAPL was volatile in 2011."),
        ({"ask": "drawdown"}, "The realised max drawdown over the last year was -18.2%.",
         "The drawdown was large over 2012-01-01 to 2012-12-31."),
        ({"ask": "return"}, "GOOG returned +9.5% in 2012.", "GOOG rose in 2012."),
        ({"ask": "price"}, "IBM closed at 190.53 on 2013-02-28.", "IBM closed on 2013-02-28."),
        ({"ask": "indicator", "quantity": Quantity(metric="rsi_14")}, "MSFT's RSI(14) is 43.7.",
         "MSFT's RSI(14) is below."),
        ({"ask": "position_size", "quantity": Quantity(account_size=50_000, currency="USD")},
         "With a $50,000 account the suggested position is 1.2%, or $600.00.",
         "The suggested position is 1.2% of the portfolio."),
        ({"ask": "position_size"}, "The suggested position is +1.00% of the portfolio.",
         "The position is in the card."),
        ({"ask": "backtest", "quantity": Quantity(strategy="technical", metric="sharpe")},
         "Walk-forward with costs, the technical strategy had a Sharpe of 0.41 against 0.35 "
         "for buy and hold.", "The technical strategy was backtested in 2012."),
        ({"ask": "filing_figure"}, "Net sales rose 52% from 42,905 to 65,225 (USD millions).",
         "The 10-K for 2010 reports net sales."),
        ({"ask": "signal"}, "MSFT: SELL (as of 2013-02-28)", "Microsoft looks fine."),
        ({"ask": "overview"}, "IBM's signal is a HOLD.", "IBM is a large company."),
        ({"ask": "overbought", "verdict": Verdict(kind="yes_no", predicate="overbought")},
         "No, AAPL is not overbought: its RSI(14) is 48.2.", "AAPL's RSI(14) is 48.2."),
        ({"ask": "trend", "verdict": Verdict(kind="yes_no", predicate="above sma_200")},
         "Yes: IBM closed above its 200-day average.", "IBM closed at 190.53."),
        ({"ask": "compare", "tickers": ("AAPL", "IBM"),
          "verdict": Verdict(kind="which", predicate="riskier")},
         "AAPL is riskier than IBM: 28.1% against 18.0% annual volatility.",
         "Both companies carry risk."),
        ({"ask": "regime", "verdict": Verdict(kind="bull_bear", predicate="regime")},
         "MSFT is in a bear regime.", "The regime is shown below."),
        ({"ask": "direction", "verdict": Verdict(kind="up_down", predicate="up next week")},
         "The 5-day model gives a 54.2% probability that MSFT is up in a week.",
         "MSFT's signal is shown below."),
        ({"ask": "direction", "verdict": Verdict(kind="up_down", predicate="up tomorrow")},
         "There is no trained 1-day model for MSFT; the signal says SELL.",
         "MSFT's signal is shown below."),
        ({"ask": "var", "decline": Decline(reason="bad_level", detail="150%")},
         "I can't compute a VaR at 150% confidence: a level must lie between 50% and 100%.",
         "IBM's 95% VaR is 2.04%."),
        ({"decline": Decline(reason="unknown_company", detail="TSLA")},
         "Tesla (TSLA) is not covered by the data.", "Here is what I know."),
    ],
)  # fmt: skip
def test_each_ask_needs_its_answer_in_the_first_sentence(
    fields: dict[str, Any], good: str, bad: str
) -> None:
    q = request(**fields)
    assert lead_problems(q, good + " More evidence follows.") == []
    problems = lead_problems(q, bad + " The answer: 1.5%, yes, BUY, bull, up.")
    assert problems and all(p.startswith(f"first sentence: '{bad}'") for p in problems)


def test_a_percent_equal_to_the_level_is_not_the_answer() -> None:
    q = request(**VAR99_21)
    [problem] = lead_problems(q, "The 99% 21-day VaR is in the table.")
    assert "states no percentage" in problem and "(asked: var)" in problem


def test_a_missing_level_and_horizon_are_each_named() -> None:
    problems = lead_problems(request(**VAR99_21), "IBM's VaR is 9.41%.")
    assert ["confidence level" in p for p in problems] == [True, False]
    assert "does not name the horizon" in problems[1]


def test_a_decline_phrase_answers_a_request_the_tool_could_not_answer() -> None:
    q = request(ask="model_record")
    assert lead_problems(q, "I can't show a walk-forward record: no data before 2012.") == []


def test_nothing_is_required_without_a_typed_request_or_for_open_asks() -> None:
    assert lead_problems(request(), "Anything at all.") == []
    assert lead_problems(request(ask="filing"), "The 10-K discusses competition.") == []
    assert lead_requirements(request()) == []


def test_requirements_follow_the_same_table() -> None:
    assert lead_requirements(request(**VAR99_21)) == [
        "the asked figure as a percentage",
        "the confidence level",
        "the horizon",
    ]
    assert lead_requirements(request(ask="var", decline=Decline(reason="bad_level"))) == [
        "that this cannot be answered, and why"
    ]


def test_a_refused_answer_is_not_held_to_the_request() -> None:
    refused = Answer.refusal(question="q", as_of=date(2013, 2, 28), reason="Which company?")
    assert answer_lead_problems(refused, request(ask="price")) == []
    assert answer_lead_problems(refused, None) == []
