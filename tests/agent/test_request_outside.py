"""The typed request for questions found by trying an outside set: a trend asked without a
yes/no, how far a price stands from its peak, data the product does not hold, symbols typed in
lower case and a misspelt company, "N month returns", since the first day's close, and a
strategy no backtest implements."""

from __future__ import annotations

import pytest

from agent.plan_table import request_calls
from tests.agent.test_request_followups import parse


def test_a_trend_asked_without_yes_or_no_gets_no_yes_no_verdict() -> None:
    assert parse("trend for IBM? up down sideways").verdict is None
    assert parse("Which way is MSFT trending?").verdict is None
    asked = parse("Is goog in an uptrend? above the 200d?").verdict
    assert asked is not None and asked.kind == "yes_no" and asked.predicate == "above sma_200"


@pytest.mark.parametrize(
    "text",
    [
        "How far had the S&P 500 fallen from its peak as of today?",
        "how far is AAPL off its high?",
        "How much is IBM below its 52-week high?",
    ],
)
def test_how_far_from_the_peak_is_the_realised_drawdown_from_the_years_best_close(
    text: str,
) -> None:
    q = parse(text)
    assert q.ask == "drawdown" and q.quantity.metric == "from_peak"
    calls = request_calls(q)
    assert calls is not None and [name for name, _ in calls] == ["market_snapshot"]


def test_how_far_it_could_fall_stays_forward_risk() -> None:
    q = parse("How much could IBM fall from its peak over the next year?")
    assert q.ask == "drawdown" and q.quantity.metric is None
    assert [name for name, _ in request_calls(q) or []] == ["risk"]


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("what's IBM's P/E ratio and dividend yield", "a P/E ratio and a dividend yield"),
        ("Market cap of Apple?", "market capitalisation"),
        ("implied volatility on MSFT options", "options data"),
        ("short interest in GOOG", "short interest"),
    ],
)
def test_data_the_product_does_not_hold_is_declined_by_name(text: str, detail: str) -> None:
    q = parse(text)
    assert q.decline is not None and q.decline.reason == "no_data" and q.decline.detail == detail
    assert request_calls(q) == []


def test_a_price_target_is_still_an_exact_price_decline() -> None:
    q = parse("Give me a price target for IBM.")
    assert q.decline is not None and q.decline.reason == "exact_price"


@pytest.mark.parametrize(("text", "ticker"), [("nvda rsi?", "NVDA"), ("tsla vs aapl?", "TSLA")])
def test_a_well_known_symbol_in_lower_case_is_not_covered(text: str, ticker: str) -> None:
    q = parse(text)
    assert ticker in q.unknown_tickers
    assert q.decline is not None and q.decline.reason == "unknown_company"


def test_lower_case_words_that_are_symbols_stay_words() -> None:
    q = parse("What does it cost to shop around for a spot on IBM?")
    assert q.unknown_tickers == () and q.tickers == ("IBM",)


def test_a_misspelt_apple_is_apple_and_apply_is_a_word() -> None:
    assert parse("how did aple do in 2007").tickers == ("AAPL",)
    assert parse("I want to apply a stop loss on IBM, what's the ATR?").tickers == ("IBM",)


def test_n_month_returns_are_a_window_and_a_ranking_over_it() -> None:
    q = parse("compare aapl msft ibm goog 6 month returns, rank them")
    assert q.ask == "compare" and q.quantity.metric == "return"
    assert q.quantity.period is not None and q.quantity.period.lookback_days == 182
    assert [name for name, _ in request_calls(q) or []] == ["period_stats"] * 4


@pytest.mark.parametrize(
    "text",
    [
        "FB has been crushed since the IPO... how much is it down from its first day close",
        "how much has FB fallen since its IPO?",
        "FB is down how much since the IPO?",
    ],
)
def test_how_much_it_is_down_since_the_listing_is_that_windows_return(text: str) -> None:
    q = parse(text)
    assert q.ask == "return" and q.quantity.period is not None
    assert q.quantity.period.label and "ipo" in q.quantity.period.label.lower()
    assert [name for name, _ in request_calls(q) or []] == ["period_stats"]


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("does RSI mean reversion actually work on IBM? backtest it since 2008", "RSI"),
        ("How did the MACD crossover strategy work on AAPL?", "MACD"),
        ("backtest a bollinger band breakout system on MSFT", "Bollinger"),
    ],
)
def test_a_strategy_no_backtest_implements_runs_the_closest_and_is_named(
    text: str, named: str
) -> None:
    q = parse(text)
    assert q.ask == "backtest" and q.quantity.strategy == "technical"
    assert q.quantity.unsupported_strategy and named in q.quantity.unsupported_strategy
    assert request_calls(q) is not None


def test_the_sma_crossover_is_a_strategy_we_run() -> None:
    q = parse("backtest the SMA crossover on MSFT")
    assert q.quantity.strategy == "sma_cross" and q.quantity.unsupported_strategy is None


@pytest.mark.parametrize(
    ("text", "section"),
    [
        ("What does Microsoft's 10-K say about competition risk?", "Item 1A"),
        ("What are Apple's main risks per its annual report?", "Item 1A"),
        ("What does the 10-K say about foreign currency risk?", "Item 7A"),
        ("Describe Apple's business per its annual filing", "Item 1"),
    ],
)
def test_a_risk_named_by_its_topic_is_the_risk_factors_section(text: str, section: str) -> None:
    q = parse(text)
    assert q.ask == "filing" and q.scope is not None and q.scope.section == section


def test_a_figures_growth_in_one_year_reads_that_year_and_the_one_before() -> None:
    q = parse("How much did Apple's net sales grow in fiscal 2012?")
    assert q.ask == "filing_figure" and q.scope is not None
    assert q.scope.fiscal_years == (2011, 2012)
    assert parse("Apple's net sales in fiscal 2012").scope.fiscal_years == (2012,)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "metric", "lookback"),
    [
        ("what was msft's best month in 2011", "best_month", None),
        ("IBM's worst month over the last year?", "worst_month", 365),
        ("best month for apple", "best_month", 365),  # no window: the past year
    ],
)
def test_the_best_or_worst_month_is_a_window_of_monthly_returns(
    text: str, metric: str, lookback: int | None
) -> None:
    q = parse(text)
    assert q.ask == "return" and q.quantity.metric == metric
    assert q.quantity.period is not None and q.quantity.period.lookback_days == lookback
    assert [name for name, _ in request_calls(q) or []] == ["period_stats"]


def test_var_for_an_amount_held_carries_the_amount() -> None:
    q = parse("If I hold $100k of MSFT, what's my 99% 10-day value at risk and expected shortfall?")
    assert q.ask in ("var", "cvar") and q.quantity.level == 0.99 and q.quantity.horizon_days == 10
    assert q.quantity.account_size == 100_000 and q.quantity.currency == "USD"


@pytest.mark.parametrize(
    ("text", "ask", "calls"),
    [
        ("gimme ibm's numbers", "overview", ["signal", "technicals", "risk", "market_snapshot"]),
        ("how bad did msft get in the 08 crash", "drawdown", ["period_stats"]),
        ("did the 200 day hold as support for IBM", "trend", ["technicals"]),
        ("trend strength on ibm? adx?", "indicator", ["technicals"]),
        (
            "what does your model think aapl does over the next 5 days",
            "direction",
            ["model_forecast", "signal"],
        ),
        ("what's the downside on GOOG over a month?", "var", ["risk"]),
        ("how choppy has aapl been lately", "volatility", ["period_stats"]),
        ("How did the S&P do in 2009 vs apple", "compare", ["period_stats", "period_stats"]),
        ("rank the big tech names by risk", "compare", ["compare"]),
        ("was 2007 a good year for google?", "return", ["period_stats"]),
    ],
)
def test_outside_phrasings_get_the_ask_and_tools_they_need(
    text: str, ask: str, calls: list[str]
) -> None:
    q = parse(text)
    assert q.ask == ask
    assert [name for name, _ in request_calls(q) or []] == calls


def test_what_an_amount_invested_would_be_worth_is_that_windows_return_on_it() -> None:
    q = parse("what would 10k in apple in jan 2009 be worth by end of 2012")
    assert q.ask == "return" and q.forms == () and q.quantity.account_size == 10_000
    assert request_calls(q) == [
        (
            "period_stats",
            {"ticker": "AAPL", "start": "2009-01-01", "end": "2012-12-31", "amount": 10_000},
        )
    ]


def test_the_08_crash_is_2008_and_a_support_question_is_above_that_average() -> None:
    q = parse("how bad did msft get in the 08 crash")
    assert q.quantity.period is not None and q.quantity.period.label == "2008"
    support = parse("did the 200 day hold as support for IBM").verdict
    assert support is not None and support.predicate == "above sma_200"


def test_a_stated_tail_over_a_quarter_is_var_and_a_forward_drawdown_keeps_its_horizon() -> None:
    q = parse("how much could I lose holding the S&P for a quarter, worst 5% case")
    assert q.ask == "var" and q.quantity.level == 0.95 and q.quantity.horizon_days == 63
    dd = parse("Drawdown risk for AAPL from here, a realistic worst case over the next 6 months?")
    assert request_calls(dd) == [
        ("risk", {"ticker": "AAPL", "horizon_days": 1, "drawdown_days": 126})
    ]


def test_analyst_estimates_are_declined_and_a_group_of_names_is_every_stock() -> None:
    q = parse("what's the consensus eps estimate for goog next quarter")
    assert q.decline is not None and q.decline.reason == "no_data"
    assert parse("rank the big tech names by risk").tickers == ("AAPL", "FB", "GOOG", "IBM", "MSFT")


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        (
            "What did apple say about risk from competition in the latest 10-K?",
            "risk from competition",
        ),
        ("What did the CFO say on the call about iPad sales?", "iPad sales"),
        ("Any news headlines about chips?", "chips"),
        ("What did management say on the Microsoft earnings call?", None),
    ],
)
def test_a_short_topic_word_is_a_topic_and_a_ticker_is_not(text: str, topic: str | None) -> None:
    q = parse(text)
    assert q.scope is not None and q.scope.topic == topic


def test_how_accurate_that_model_has_been_is_its_record() -> None:
    first = parse("what does your model think aapl does over the next 5 days")
    assert parse("how accurate has that model actually been?", history=first).ask == "model_record"


@pytest.mark.parametrize(
    ("text", "brief"),
    [
        ("Give me a one-line verdict on IBM", True),
        ("tl;dr is apple overbought?", True),
        ("IBM 99% VaR, just the number", True),
        ("Should I buy IBM?", False),
        ("What was the line of business of IBM per its 10-K?", False),
    ],
)
def test_asking_for_a_short_answer_is_understood(text: str, brief: bool) -> None:
    assert parse(text).brief is brief
