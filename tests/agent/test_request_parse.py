"""The typed request (agent.request) as the question parser fills it: ask, quantity, verdict,
document scope and decline, across paraphrases (rules only, so these tests never load a model),
and follow-ups (the exemplar classifier: test_request_exemplars.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from agent._grammar import fix_typos
from agent.question import ParsedQuestion, parse_question
from agent.request import Ask, Period

KNOWN = frozenset({"AAPL", "MSFT", "IBM", "GOOG", "FB", "^GSPC"})
TODAY = date(2013, 2, 28)


def _p(start: date, end: date) -> Period:
    return Period(start=start, end=end)


def parse(text: str, *, history: ParsedQuestion | None = None) -> ParsedQuestion:
    return parse_question(text, today=TODAY, history=history, known_tickers=KNOWN, classify=None)


@pytest.mark.parametrize(
    "text",
    [
        "What's Apple's price right now?",
        "Is IBM overbought currently?",
        "Microsoft's RSI at the moment",
        "How's Google looking today?",
        "Is Apple a buy at present?",
        "What's IBM's VaR these days?",
        "Where does MSFT stand as things stand?",
        "Should I buy Apple now?",
    ],
)
def test_relative_time_is_the_turns_as_of_date(text: str) -> None:
    assert parse(text).as_of is None and parse(text).decline is None


@pytest.mark.parametrize(
    ("text", "ask"),
    [
        ("Where is Microsoft trading?", "price"),
        ("What did IBM close at?", "price"),
        ("Apple's share price", "price"),
        ("IBM 52-week low", "range"),
        ("What was the lowest close for Google in 2012?", "range"),
        ("Give me Apple's MACD", "indicator"),
        ("What's the average true range on IBM?", "indicator"),
        ("Is Microsoft oversold?", "overbought"),
        ("Has Apple run too far?", "overbought"),
        ("Is Google trending lower?", "trend"),
        ("Is IBM in a bear market?", "regime"),
        ("How much might I lose on Apple in a bad week?", "var"),
        ("IBM value-at-risk at 99%", "var"),
        ("What's the tail loss for Microsoft?", "cvar"),
        ("Average loss beyond VaR for AAPL", "cvar"),
        ("How much does IBM swing?", "volatility"),
        ("Peak-to-trough drop for Apple since 2010", "drawdown"),
        ("How would an SMA crossover have done on IBM?", "backtest"),
        ("What did trading costs do to the strategy on MSFT?", "backtest"),
        ("Is the model any good for Google?", "model_record"),
        ("What's the track record of the model's predictions on IBM?", "model_record"),
        ("What are the chances Apple rises tomorrow?", "direction"),
        ("How many shares of IBM should I buy with $20k?", "position_size"),
        ("What's your outlook on Microsoft?", "signal"),
        # the briefing's question: the signal asked first, more asked after it
        ("Should I buy AAPL? Give the signal, its technical picture and its risk.", "signal"),
        ("Should I sell IBM given its RSI?", "signal"),
        ("Thoughts on AAPL?", "overview"),
        ("What did Apple's CFO say about margins?", "call"),
        ("Latest headlines for IBM", "news"),
        ("What's the mood around Google?", "sentiment"),
        ("Which is safer, IBM or Microsoft?", "compare"),
        ("Did Google beat the market over the past three months?", "compare"),
        ("Did Apple underperform IBM in 2012?", "compare"),
        ("What questions can I ask you?", "capabilities"),
        ("Item 1A of Apple's annual report", "filing"),
        ("Apple's research and development spending in fiscal 2011", "filing_figure"),
    ],
)
def test_asks_by_rules(text: str, ask: Ask) -> None:
    assert parse(text).ask == ask


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("What was Apple's return in 2011?", _p(date(2011, 1, 1), date(2011, 12, 31))),
        ("IBM performance during calendar 2010", _p(date(2010, 1, 1), date(2010, 12, 31))),
        ("How did Microsoft do in Q3 2012?", _p(date(2012, 7, 1), date(2012, 9, 30))),
        ("Apple's return in the second quarter of 2011", _p(date(2011, 4, 1), date(2011, 6, 30))),
        ("IBM return for March 2010", _p(date(2010, 3, 1), date(2010, 3, 31))),
        ("How much has Google gained since 2010?", Period(start=date(2010, 1, 1))),
        ("MSFT return between 2009 and 2011", _p(date(2009, 1, 1), date(2011, 12, 31))),
        ("MSFT return from 2011 to 2009", _p(date(2009, 1, 1), date(2011, 12, 31))),
        ("Apple's gain over the past 6 months", Period(lookback_days=182)),
        ("IBM's return over the last three weeks", Period(lookback_days=21)),
        ("Microsoft's YTD return", Period(year_to_date=True)),
        ("How has Apple done so far this year?", Period(year_to_date=True)),
        ("Realised volatility of IBM over the last year", Period(lookback_days=365)),
        ("Worst drawdown for Apple in 2008", _p(date(2008, 1, 1), date(2008, 12, 31))),
    ],
)  # fmt: skip
def test_periods(text: str, period: Period) -> None:
    q = parse(text)
    got = q.quantity.period
    assert got is not None and got.model_copy(update={"label": ""}) == period
    assert q.as_of is None  # the window is not an as-of date


def test_a_separate_as_of_date_stays_beside_the_period() -> None:
    q = parse("IBM's return in 2011, as of 2012-06-29")
    assert q.as_of == date(2012, 6, 29) and q.quantity.period is not None
    assert q.quantity.period.label == "2011"
    assert parse("Should I buy IBM in 2011?").as_of == date(2011, 12, 31)  # no period asked


def test_forward_drawdown_has_no_period() -> None:
    q = parse("How far could Apple fall from its peak?")
    assert (q.ask, q.quantity.period) == ("drawdown", None)


@pytest.mark.parametrize(
    ("text", "ask", "level", "horizon"),
    [
        ("IBM's 99% VaR", "var", 0.99, None),
        ("What's the monthly VaR for Apple at 95%?", "var", 0.95, 21),
        ("Apple's possible loss over a month", "var", None, 21),
        ("MSFT one-week value at risk", "var", None, 5),
        ("How much could I lose on Google tomorrow?", "var", None, 1),
        ("IBM 10-day 97.5% expected shortfall", "cvar", 0.975, 10),
        ("CVaR for Apple at the 1% level", "cvar", 0.99, None),
        ("Microsoft's 99 percent VaR over the next quarter", "var", 0.99, 63),
    ],
)
def test_var_quantity(text: str, ask: str, level: float | None, horizon: int | None) -> None:
    q = parse(text)
    assert (q.ask, q.quantity.level, q.quantity.horizon_days, q.decline) == (
        ask,
        level,
        horizon,
        None,
    )


@pytest.mark.parametrize(
    ("text", "reason", "detail"),
    [
        ("IBM VaR at 150% confidence", "bad_level", "150%"),
        ("Apple CVaR at 30% confidence", "bad_level", "30%"),
        ("What's the 10-year VaR for Apple?", "bad_horizon", "2520 trading days"),
        ("0-day VaR for IBM", "bad_horizon", "0 trading days"),
        ("What will Apple's price be next Friday?", "exact_price", ""),
        ("Give me a price target for IBM", "exact_price", ""),
        ("Where will Microsoft close tomorrow?", "exact_price", ""),
        ("Tell me exactly what to buy", "what_to_buy", ""),
        ("Which stock should I buy?", "what_to_buy", ""),
        ("Should I put my life savings into Apple?", "advice", ""),
        ("Is Netflix a buy?", "unknown_company", "NFLX"),
        ("What's Tesla's RSI?", "unknown_company", "TSLA"),
        ("Should I buy Coca-Cola?", "unknown_company", "KO"),
        ("How volatile is JPMorgan?", "unknown_company", "JPM"),
        ("What's the RSI?", "no_company", ""),
        ("What's the weather in Paris?", "unsupported", ""),
        ("Should I buy Apple as of 2014-06-30?", "future_date", "2014-06-30"),
    ],
)
def test_declines(text: str, reason: str, detail: str) -> None:
    decline = parse(text).decline
    assert decline is not None and (decline.reason, decline.detail) == (reason, detail)
    assert decline.offer  # says what can be done instead


def test_going_up_is_a_direction_not_a_price_decline() -> None:
    q = parse("Will Apple go up tomorrow?")
    assert (q.ask, q.decline, q.quantity.horizon_days) == ("direction", None, 1)
    assert q.verdict is not None and (q.verdict.kind, q.verdict.predicate) == ("up_down", "up")
    week = parse("Probability Microsoft falls next week")
    assert week.quantity.horizon_days == 5 and week.verdict is not None
    assert week.verdict.predicate == "down"
    assert parse("Will IBM rise over the next month?").quantity.horizon_days == 20


@pytest.mark.parametrize(
    ("text", "kind", "predicate"),
    [
        ("Is Apple overbought?", "yes_no", "overbought"),
        ("Is IBM too hot right now?", "yes_no", "overbought"),
        ("Is MSFT washed out?", "yes_no", "oversold"),
        ("Is Google above its 200-day moving average?", "yes_no", "above sma_200"),
        ("Is IBM trading under the 50-day SMA?", "yes_no", "below sma_50"),
        ("Did Apple have a death cross?", "yes_no", "death cross"),
        ("Is Microsoft in a downtrend?", "yes_no", "downtrend"),
        ("Bull or bear for IBM?", "bull_bear", "bull or bear"),
        ("Which is riskier, Apple or Google?", "which", "riskier"),
        ("Which of IBM and MSFT has more momentum?", "which", "better momentum"),
        ("Is Apple or Microsoft the stronger signal?", "which", "stronger signal"),
        ("Which is more volatile, FB or GOOG?", "which", "more volatile"),
    ],
)
def test_verdicts(text: str, kind: str, predicate: str) -> None:
    v = parse(text).verdict
    assert v is not None and (v.kind, v.predicate) == (kind, predicate)


@pytest.mark.parametrize(
    ("text", "metric"),
    [
        ("Apple's RSI", "rsi_14"),
        ("IBM MACD histogram", "macd_hist"),
        ("Microsoft's 50-day moving average", "sma_50"),
        ("Google SMA(200)", "sma_200"),
        ("Apple's 12-day EMA", "ema_12"),
        ("How wide are IBM's Bollinger bands?", "bb_bandwidth"),
        ("Bollinger bandwidth for MSFT", "bb_bandwidth"),
        ("Apple's %b", "bb_pct_b"),
        ("IBM ATR", "atr_14"),
        ("ADX for Google", "adx_14"),
    ],
)
def test_indicator_metric(text: str, metric: str) -> None:
    q = parse(text)
    assert (q.ask, q.quantity.metric) == ("indicator", metric)


@pytest.mark.parametrize(
    ("text", "fields"),
    [
        ("Backtest the technical strategy on IBM since 2008",
         {"strategy": "technical", "period": Period(start=date(2008, 1, 1), label="since 2008")}),
        ("How would buy and hold have done on Apple?", {"strategy": "buy_and_hold"}),
        ("Sharpe of the strategy compared with buy and hold for MSFT",
         {"metric": "sharpe", "baseline": "buy_and_hold", "strategy": None}),
        ("How did the ML model strategy do on Google?", {"strategy": "ml"}),
        ("What did the strategy cost in fees on IBM?", {"costs": True, "metric": "costs"}),
        ("Did the SMA crossover beat buy and hold on Apple?",
         {"strategy": "sma_cross", "baseline": "buy_and_hold"}),
    ],
)  # fmt: skip
def test_backtest_quantity(text: str, fields: dict[str, Any]) -> None:
    q = parse(text)
    assert q.ask == "backtest"
    assert {k: getattr(q.quantity, k) for k in fields} == fields


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("Position size for Apple with a $50,000 account", 50000.0, "USD"),
        ("How much should I put into IBM with $50k?", 50000.0, "USD"),
        ("How much of my 50,000 dollars should go into MSFT?", 50000.0, "USD"),
        ("How much should I invest in Google from a €20,000 portfolio?", 20000.0, "EUR"),
        ("Position size on IBM for a 1.5 million portfolio", 1_500_000.0, None),
    ],
)
def test_account_size(text: str, amount: float, currency: str | None) -> None:
    q = parse(text)
    assert (q.ask, q.quantity.account_size, q.quantity.currency) == (
        "position_size",
        amount,
        currency,
    )


@pytest.mark.parametrize(
    ("text", "ask", "scope"),
    [
        ("What does Apple's latest 10-K say about competition?", "filing",
         {"form": "10-K", "latest": True, "topic": "competition", "fiscal_year": None}),
        ("Risk factors in Microsoft's 2010 10-K", "filing",
         {"section": "Item 1A", "fiscal_year": 2010, "latest": False}),
        ("Summarize the MD&A of IBM's most recent annual report", "filing",
         {"section": "Item 7", "latest": True}),
        ("What were Apple's net sales in fiscal 2010?", "filing_figure",
         {"figure": "net_sales", "fiscal_years": (2010,)}),
        ("How much did Apple's total net sales grow from 2009 to 2010?", "filing_figure",
         {"figure": "net_sales", "fiscal_years": (2009, 2010)}),
        ("Microsoft's revenue in FY2011", "filing_figure", {"figure": "net_sales"}),
        ("Apple net income 2010 10-K", "filing_figure", {"figure": "net_income"}),
        ("What was Apple's cost of sales in fiscal 2011?", "filing_figure",
         {"figure": "cost_of_sales"}),
        ("Apple's R&D expense in its 2010 annual report", "filing_figure",
         {"figure": "research_and_development"}),
        ("Operating income in IBM's latest 10-K", "filing_figure",
         {"figure": "operating_income", "latest": True}),
    ],
)  # fmt: skip
def test_filing_scope(text: str, ask: str, scope: dict[str, Any]) -> None:
    q = parse(text)
    assert q.ask == ask and q.scope is not None and q.scope.kind == "filing"
    assert {k: getattr(q.scope, k) for k in scope} == scope


def test_follow_ups() -> None:
    first = parse("Should I buy IBM as of June 2012?")
    why = parse("Why?", history=first)
    assert (why.ask, why.tickers, why.as_of) == ("why", ("IBM",), date(2012, 6, 30))
    netflix = parse("what about Netflix?", history=first)
    assert netflix.tickers == () and netflix.unknown_tickers == ("NFLX",)
    assert netflix.decline is not None and netflix.decline.reason == "unknown_company"
    vol = parse("and its volatility?", history=first)
    assert (vol.ask, vol.tickers) == ("volatility", ("IBM",))
    var = parse("IBM's 99% 10-day VaR")
    later = parse("what about at the end of 2011?", history=var)
    assert (later.ask, later.as_of, later.quantity.level) == ("var", date(2011, 12, 31), 0.99)
    level = parse("and at 95%?", history=var)
    assert (level.ask, level.quantity.level, level.quantity.horizon_days) == ("var", 0.95, 10)
    msft = parse("how about Microsoft?", history=var)
    assert (msft.ask, msft.tickers, msft.quantity.horizon_days) == ("var", ("MSFT",), 10)


def test_an_open_universe_tries_unknown_companies() -> None:
    q = parse("Should I buy Tesla?").trying_unknown()
    assert q.tickers == ("TSLA",) and q.decline is None


def test_the_classifier_is_consulted_only_when_the_rules_are_unsure() -> None:
    calls: list[str] = []

    def spy(text: str) -> Ask | None:
        calls.append(text)
        return "volatility"

    sure = parse_question("Is AAPL overbought?", today=TODAY, known_tickers=KNOWN, classify=spy)
    assert sure.ask == "overbought" and calls == []
    vague = parse_question(
        "How bumpy has the ride been for IBM?", today=TODAY, known_tickers=KNOWN, classify=spy
    )
    assert vague.ask == "volatility" and calls == ["How bumpy has the ride been for it?"]  # masked


@pytest.mark.parametrize(
    ("text", "ask", "tickers"),
    [
        ("is microsfot oversold?", "overbought", ("MSFT",)),
        ("facebok volatilty", "volatility", ("FB",)),
        ("googles drawdwon since 2010", "drawdown", ("GOOG",)),
        ("IBM expeted shortfall at 99%", "cvar", ("IBM",)),
        ("apples revenue in fiscal 2010", "filing_figure", ("AAPL",)),
    ],
)
def test_one_typo_spellings(text: str, ask: str, tickers: tuple[str, ...]) -> None:
    q = parse(text)
    assert (q.ask, q.tickers) == (ask, tickers)


def test_a_loss_over_a_long_horizon_is_the_forward_drawdown() -> None:
    assert parse("How much could IBM drop over the next two years?").ask == "drawdown"
    assert parse("How much could IBM drop tomorrow?").ask == "var"
    long_var = parse("IBM's 2-year VaR")
    assert long_var.ask == "var" and long_var.decline is not None
    assert long_var.decline.reason == "bad_horizon"


def test_a_period_after_today_is_a_future_date() -> None:
    q = parse("What was Apple's return in 2015?")
    assert q.decline is not None and (q.decline.reason, q.decline.detail) == (
        "future_date",
        "2015",
    )


def test_borrowing_to_buy_is_advice() -> None:
    q = parse("Should I borrow money to buy Microsoft?")
    assert q.decline is not None and q.decline.reason == "advice"


def test_a_back_reference_is_a_follow_up() -> None:
    signal = parse("Is IBM a buy as of 2011-06-30?")
    drivers = parse("what's behind that?", history=signal)
    assert (drivers.ask, drivers.tickers, drivers.as_of) == ("why", ("IBM",), date(2011, 6, 30))
    backtest = parse("Backtest the technical strategy on Apple")
    fees = parse("how much did fees take out of it?", history=backtest)
    assert (fees.ask, fees.tickers, fees.quantity.costs) == ("backtest", ("AAPL",), True)
    assert fees.quantity.strategy == "technical"


@pytest.mark.parametrize(
    ("text", "level", "horizon"),
    [
        ("whats the 10 day VaR for gogle at 99", 0.99, 10),
        ("IBM value at risk at 95, one week", 0.95, 5),
        ("Microsoft VaR, 99 confidence, over a month", 0.99, 21),
        ("What's Apple's 99 percent VaR?", 0.99, None),
        ("IBM's VaR at the 97.5 level", 0.975, None),
        ("Give me the 95th percentile VaR for MSFT", 0.95, None),
        ("On a bad day (1 in 100), how much could Apple drop?", 0.99, 1),
        ("What's a one-in-a-hundred loss for Google in a bad week?", 0.99, 5),
        ("How much could IBM drop on a really bad day, 1 in 20?", 0.95, 1),
        ("A 1-in-20-day loss for Microsoft", 0.95, None),
    ],
)
def test_var_level_without_a_percent_sign(text: str, level: float, horizon: int | None) -> None:
    q = parse(text)
    assert (q.ask, q.quantity.level, q.quantity.horizon_days) == ("var", level, horizon)
    assert q.var_level == level and q.decline is None


@pytest.mark.parametrize(
    "text", ["IBM's VaR at 10 days", "Apple's VaR if it trades at 60 dollars", "IBM 99 day VaR"]
)
def test_a_bare_number_that_is_no_level(text: str) -> None:
    assert parse(text).quantity.level is None


@pytest.mark.parametrize(
    ("text", "ask", "period"),
    [
        ("Max drawdown of MSFT between 2009-01-01 and 2010-12-31?", "drawdown",
         _p(date(2009, 1, 1), date(2010, 12, 31))),
        ("IBM's return from 2010-03-15 to 2011-06-30", "return",
         _p(date(2010, 3, 15), date(2011, 6, 30))),
        ("Apple volatility 2011-01-01 through 2011-06-30", "volatility",
         _p(date(2011, 1, 1), date(2011, 6, 30))),
        ("Google drawdown from 2009 to 2010", "drawdown", _p(date(2009, 1, 1), date(2010, 12, 31))),
        ("Microsoft's worst drawdown 2009-2010", "drawdown",
         _p(date(2009, 1, 1), date(2010, 12, 31))),
        ("IBM return between 2009 and 2011", "return", _p(date(2009, 1, 1), date(2011, 12, 31))),
        ("How volatile was Apple in 2008 through 2009?", "volatility",
         _p(date(2008, 1, 1), date(2009, 12, 31))),
        ("IBM's drawdown since 2009-06-01", "drawdown", Period(start=date(2009, 6, 1))),
    ],
)  # fmt: skip
def test_date_ranges(text: str, ask: Ask, period: Period) -> None:
    q = parse(text)
    got = q.quantity.period
    assert q.ask == ask and got is not None
    assert got.model_copy(update={"label": ""}) == period  # a range, never "since 2009"
    assert q.as_of is None  # the range's dates are not an as-of date


@pytest.mark.parametrize(
    "text",
    [
        "How has Facebook done since its IPO?",
        "FB's return since listing",
        "How much has Facebook gained since it went public?",
        "Facebook performance since inception",
    ],
)
def test_since_the_ipo_starts_before_the_data(text: str) -> None:
    q = parse(text)
    assert (q.ask, q.tickers) == ("return", ("FB",))
    assert q.quantity.period == Period(start=date(1900, 1, 1), label="since its IPO")


@pytest.mark.parametrize(
    ("text", "ask", "tickers"),
    [
        ("apple newz", "news", ("AAPL",)),
        ("nwes on IBM", "news", ("IBM",)),
        ("any nws about Microsoft?", "news", ("MSFT",)),
        ("Google neews today", "news", ("GOOG",)),
        ("wich has the better momentum, IBM or Apple?", "compare", ("IBM", "AAPL")),
    ],
)
def test_short_typos(text: str, ask: Ask, tickers: tuple[str, ...]) -> None:
    q = parse(text)
    assert (q.ask, q.tickers) == (ask, tickers)
    assert "news" in q.intents or ask != "news"


def test_a_short_typo_in_capitals_may_be_a_ticker() -> None:
    assert fix_typos("NWS newz") == "NWS news"
    assert fix_typos("the new vol") == "the new vol"  # near-misses of short words are left


@pytest.mark.parametrize(
    "text",
    [
        "What were Apple's high and low over the last 52 weeks?",
        "IBM's past 12 months high and low",
        "Microsoft's trading range over the past year",
    ],
)
def test_a_trailing_year_range_is_the_52_week_window(text: str) -> None:
    q = parse(text)
    assert (q.ask, q.quantity.period) == ("range", None)
    assert parse("IBM's high and low over the past 6 months").quantity.period == Period(
        lookback_days=182, label="past 6 months"
    )  # any other window is computed


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("wich is more risky googl or facebok", "which"),
        ("Which is riskiest: IBM, Apple or Microsoft?", "which"),
        ("Compare the riskiness of IBM and MSFT", "which"),
        ("Does Apple carry more risk than IBM?", "yes_no"),
        ("Is Google a safer stock than Facebook?", "yes_no"),
    ],
)
def test_every_form_of_risky_compares_risk(text: str, kind: str) -> None:
    q = parse(text)
    assert (q.ask, q.quantity.metric) == ("compare", "risk")
    assert q.verdict is not None and (q.verdict.kind, q.verdict.predicate) == (kind, "riskier")


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("does apple's 10-K mention supply chain risks?", "supply chain risks"),
        ("Is competition discussed in the latest 10-K?", "competition"),
        ("Are currency risks mentioned in IBM's annual report?", "currency risks"),
        ("Does Microsoft's 10-K talk about piracy?", "piracy"),
    ],
)
def test_a_yes_no_filing_question_names_its_topic(text: str, topic: str) -> None:
    q = parse(text)
    assert q.ask == "filing" and q.scope is not None and q.scope.topic == topic
    assert q.verdict is not None
    assert (q.verdict.kind, q.verdict.predicate) == ("yes_no", f"mentions {topic}")
    assert parse("What does Apple's 10-K say about competition?").verdict is None  # not yes/no


@pytest.mark.parametrize(
    ("first", "then", "metric", "predicate"),
    [
        ("Should I buy Apple?", "compare it with IBM", "signal", "stronger signal"),
        ("What's the outlook for Apple?", "how does it compare to Microsoft?", "signal",
         "stronger signal"),
        ("What's Apple's 99% VaR?", "compare it with IBM", "risk", "riskier"),
        ("How deep was IBM's drawdown in 2008?", "compare that with Microsoft", "risk", "riskier"),
        ("What was Apple's return in 2011?", "compare it with IBM", "return", "higher return"),
        ("How volatile is Google?", "compare it against Apple", "volatility", "more volatile"),
    ],
)  # fmt: skip
def test_a_follow_up_comparison_compares_what_was_asked(
    first: str, then: str, metric: str, predicate: str
) -> None:
    before = parse(first)
    q = parse(then, history=before)
    assert (q.ask, q.tickers) == ("compare", (*before.tickers, q.tickers[-1]))
    assert q.quantity.metric == metric
    assert q.verdict is not None and (q.verdict.kind, q.verdict.predicate) == ("which", predicate)
    if before.quantity.period is not None:
        assert q.quantity.period == before.quantity.period  # over the same window
    said = parse("compare its momentum with Facebook", history=before)  # a metric said wins
    assert said.quantity.metric == "momentum"


@pytest.mark.parametrize(
    "text",
    [
        "what's up with ibm these days?",
        "how's IBM looking?",
        "anything on IBM?",
        "How is Microsoft doing lately?",
    ],
)
def test_a_casual_question_about_a_company_is_an_overview(text: str) -> None:
    called: list[str] = []

    def classify(t: str) -> Ask | None:
        called.append(t)
        return "news"  # the classifier is not asked: nothing but a company is said

    q = parse_question(text, today=TODAY, known_tickers=KNOWN, classify=classify)
    assert (q.ask, q.decline, q.unsupported) == ("overview", None, False)
    assert len(q.tickers) == 1 and not called
