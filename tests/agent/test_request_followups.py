"""The typed request for forecasts named by their model, signal comparisons, a follow-up over
"that period", and a filing figure's year (a fiscal year, never the as-of date)."""

from __future__ import annotations

from datetime import date

import pytest

from agent.question import ParsedQuestion, parse_question

TODAY = date(2026, 12, 7)
KNOWN = frozenset({"AAPL", "FB", "GOOG", "IBM", "MSFT", "^GSPC"})


def parse(text: str, history: ParsedQuestion | None = None) -> ParsedQuestion:
    return parse_question(text, today=TODAY, history=history, known_tickers=KNOWN, classify=None)


@pytest.mark.parametrize(
    "text",
    [
        "What does the model predict for IBM over the next 20 days?",
        "What is the ML forecast for AAPL one day ahead?",
        "what's the xgboost model's prediction for msft next week",
        "Give me the model forecast for Google",
    ],
)
def test_a_forecast_named_by_its_model_is_a_direction_question(text: str) -> None:
    assert parse(text).ask == "direction"


@pytest.mark.parametrize(
    "text",
    ["Has the model held up out of sample on IBM?", "How accurate are the model's predictions?"],
)
def test_the_models_record_stays_a_record_question(text: str) -> None:
    assert parse(text).ask == "model_record"


@pytest.mark.parametrize(
    "text",
    [
        "Compare the signals for Apple and IBM: which is stronger?",
        "Apple vs IBM ratings, which is stronger",
    ],
)
def test_stronger_signals_compare_signals_not_momentum(text: str) -> None:
    q = parse(text)
    assert q.ask == "compare" and q.quantity.metric == "signal"


@pytest.mark.parametrize(
    "follow",
    ["and its max drawdown over that period?", "what was the volatility over the same period?"],
)
def test_that_period_is_the_window_of_the_question_before(follow: str) -> None:
    first = parse("How did Apple do over the last year?")
    assert first.quantity.period is not None and first.quantity.period.lookback_days == 365
    q = parse(follow, history=first)
    assert q.quantity.period == first.quantity.period and q.tickers == ("AAPL",)


def test_without_that_period_a_drawdown_follow_up_looks_ahead() -> None:
    first = parse("How did Apple do over the last year?")
    assert parse("and how much could it fall from here?", history=first).quantity.period is None


@pytest.mark.parametrize(
    "text", ["apples net sales in 2008 per the 10k", "Apple's revenue in 2009 from its 10-K"]
)
def test_a_filing_figures_year_is_a_fiscal_year_not_the_as_of_date(text: str) -> None:
    q = parse(text)
    assert q.ask == "filing_figure" and q.as_of is None
    assert q.scope is not None and q.scope.fiscal_years


def test_a_figure_asked_as_of_a_day_keeps_that_day() -> None:
    q = parse("Apple's net sales in fiscal 2009 as of 2010-06-30")
    assert q.ask == "filing_figure" and q.as_of == date(2010, 6, 30)


@pytest.mark.parametrize(
    "text", ["How many IBM shares for 10k euros?", "Position size on IBM with $10k to invest"]
)
def test_an_amount_of_10k_is_money_not_a_10_k_form(text: str) -> None:
    q = parse(text)
    assert q.ask == "position_size" and q.forms == () and "filings" not in q.intents


def test_after_a_backtest_its_drawdown_is_asked_of_that_backtest() -> None:
    first = parse("backtest a 50/200 sma crossover on ibm from 2005 to 2010, did it beat holding?")
    q = parse("what about max drawdown for both?", history=first)
    assert q.ask == "backtest" and q.quantity.metric == "max_drawdown"
    assert q.quantity.strategy == "sma_cross" and q.tickers == ("IBM",)
    other = parse("and Apple's drawdown in 2008?", history=first)  # a new company and window
    assert other.ask == "drawdown"


def test_one_more_company_and_which_of_them_compares_both() -> None:
    first = parse("buy, sell or hold msft?")
    q = parse("and same question for ibm, which looks better?", history=first)
    assert q.tickers == ("MSFT", "IBM") and q.ask == "compare" and q.quantity.metric == "signal"
    assert parse("what about IBM?", history=first).tickers == ("IBM",)  # no "which": just IBM
