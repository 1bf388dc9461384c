from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agent.question import ParsedQuestion, missing_symbols, parse_question

KNOWN = frozenset({"AAPL", "MSFT", "IBM", "GOOG", "FB", "^GSPC"})
TODAY = date(2013, 2, 28)


def parse(text: str, *, history: ParsedQuestion | None = None) -> ParsedQuestion:
    return parse_question(
        text, today=TODAY, history=history, known_tickers=KNOWN, classify=None
    )  # rules only: the exemplar classifier is tested in test_request_parse.py


@pytest.mark.parametrize(
    ("text", "tickers", "unknown"),
    [
        ("Should I buy Microsoft?", ("MSFT",), ()),
        ("What is IBM's 99% one-day VaR at the end of 2011?", ("IBM",), ()),
        ("Compare AAPL and GOOG momentum", ("AAPL", "GOOG"), ()),
        ("Is $msft cheap? And msft's RSI?", ("MSFT",), ()),
        ("What did International Business Machines file?", ("IBM",), ()),
        ("Google vs Alphabet vs Facebook vs Meta", ("GOOG", "FB"), ()),
        ("How did the S&P 500 do in 2008?", ("^GSPC",), ()),
        ("Did Apple beat the market?", ("AAPL", "^GSPC"), ()),
        ("^GSPC versus the index", ("^GSPC",), ()),
        ("Apple's outlook, then Microsoft's", ("AAPL", "MSFT"), ()),
        ("Should I buy XYZQ?", (), ()),  # unmarked: a candidate, not a ticker (see below)
        ("Is $ZZ worth buying?", (), ("ZZ",)),
        ("I want the CEO's view on EPS, RSI, MACD and VaR in USD for FY Q4", (), ()),
        ("What's the ETF AND OR VS question?", (), ()),
        ("SHOULD I BUY APPLE", ("AAPL",), ()),  # shouting is not a list of symbols
        ("is it all over now for ibm?", ("IBM",), ()),  # "it", "all", "now" are words
        ("What did Apple list as risk factors in its 2010 10-K? And MD&A?", ("AAPL",), ()),
        ("What's the market price of Apple?", ("AAPL",), ()),
    ],
)
def test_tickers_in_order_of_mention(text: str, tickers: tuple, unknown: tuple) -> None:
    q = parse(text)
    assert (q.tickers, q.unknown_tickers) == (tickers, unknown)


@pytest.mark.parametrize(
    ("text", "tickers", "unknown", "unmarked"),
    [
        ("What were Apple's COGS in FY2010?", ("AAPL",), (), ()),
        (
            "Apple's EPS, EBITDA and GAAP vs non-GAAP margin, YoY, in Q3 and Q4 FY10",
            ("AAPL",),
            (),
            (),
        ),
        ("Did the CEO or CFO of MSFT comment on ROE, ROA, IPO or SEC probes?", ("MSFT",), (), ()),
        ("What is IBM's ASP and ARPU trend, in USD?", ("IBM",), (), ()),
        ("Is $ZZAA worth buying?", (), ("ZZAA",), ()),
        ("What about ticker XYZQ?", (), ("XYZQ",), ()),
        ("Compare symbol ABCD with AAPL", ("AAPL",), ("ABCD",), ()),
        ("What did Apple say about the WXYZ program?", ("AAPL",), (), ("WXYZ",)),
        ("Should I buy XYZQ?", (), (), ("XYZQ",)),
        ("What were COGS in FY2010?", (), (), ()),
    ],
)
def test_only_known_or_marked_words_are_tickers(
    text: str, tickers: tuple, unknown: tuple, unmarked: tuple
) -> None:
    q = parse(text)
    assert (q.tickers, q.unknown_tickers, q.unmarked_symbols) == (tickers, unknown, unmarked)


def test_an_unmarked_word_does_not_inherit_the_previous_company() -> None:
    ibm = parse("What is IBM's 99% VaR?")
    other = parse("and XYZQ?", history=ibm)
    assert (other.tickers, other.unmarked_symbols) == ((), ("XYZQ",))
    cogs = parse("And its COGS?", history=ibm)
    assert cogs.tickers == ("IBM",) and cogs.unmarked_symbols == ()


def test_a_name_the_data_layer_lacks_is_unknown() -> None:
    q = parse_question("Should I buy Apple?", today=TODAY, known_tickers={"msft"})
    assert (q.tickers, q.unknown_tickers) == ((), ("AAPL",))


@pytest.mark.parametrize(
    ("text", "as_of"),
    [
        ("Signal for IBM as of 2012-06-29", date(2012, 6, 29)),
        ("Apple on 2012-06-29", date(2012, 6, 29)),
        ("Apple on June 29, 2012", date(2012, 6, 29)),
        ("RSI for Apple as of June 2012", date(2012, 6, 30)),
        ("RSI for Apple as of Feb 2012", date(2012, 2, 29)),
        ("IBM VaR at the end of 2011", date(2011, 12, 31)),
        ("IBM VaR end of 2011", date(2011, 12, 31)),
        ("IBM VaR year-end 2011", date(2011, 12, 31)),
        ("How did the S&P 500 do in 2008?", None),  # a return over 2008: quantity.period
        ("Should I buy the S&P 500 in 2008?", date(2008, 12, 31)),
        ("Apple in Q3 2012", date(2012, 9, 30)),
        ("Apple in the third quarter of 2012", date(2012, 9, 30)),
        ("Apple 1Q 2010", date(2010, 3, 31)),
        ("Apple mid-2012", date(2012, 6, 30)),
        ("Should I buy Apple today?", None),  # the turn's as-of date, never the clock
        ("What's the signal for Apple now?", None),
        ("Will Apple go up next year?", None),  # future wording, not a date
        ("What did Apple list as risk factors in its 2010 10-K?", None),  # a fiscal year
        ("Apple on 2012-02-30", None),  # not a calendar day
        ("Should I buy Apple?", None),
    ],
)
def test_as_of(text: str, as_of: date | None) -> None:
    q = parse(text)
    assert q.as_of == as_of
    assert not q.future_date


def test_a_date_after_today_is_kept_and_flagged() -> None:
    q = parse("Is Apple a buy as of 2014-06-30?")
    assert (q.as_of, q.future_date) == (date(2014, 6, 30), True)
    assert not parse("Is Apple a buy as of 2013-02-28?").future_date


@pytest.mark.parametrize(
    ("text", "intents"),
    [
        ("Should I buy Microsoft?", {"signal"}),
        ("Is Apple bullish or bearish?", {"signal"}),
        ("Will Apple go up next year?", {"signal"}),
        ("What is IBM's 99% one-day VaR at the end of 2011?", {"risk"}),
        ("What was Apple's max drawdown and volatility?", {"risk"}),
        ("Compare AAPL and GOOG momentum", {"compare", "technicals"}),
        ("Is Apple or Microsoft the better buy?", {"compare", "signal"}),
        ("IBM RSI, MACD, Bollinger bands and the 50-day moving average", {"technicals"}),
        ("What did Apple list as risk factors in its 2010 10-K?", {"filings"}),
        ("What did management say on the earnings call?", {"calls"}),
        ("How did the strategy do in 2010?", {"backtest"}),
        ("Backtest the signal on IBM", {"backtest", "signal"}),
        ("What does the model forecast: the probability Apple rises?", {"forecast"}),
        ("What's the news sentiment on Google?", {"news", "sentiment"}),
        ("How did the S&P 500 do in 2008?", {"price"}),
        ("What was Apple's closing price?", {"price"}),
        ("Explain why IBM is rated sell", {"why", "signal"}),
        ("What's the weather?", set()),
    ],
)
def test_intents(text: str, intents: set[str]) -> None:
    assert parse(text).intents == intents


@pytest.mark.parametrize(
    ("text", "advice", "unsupported"),
    [
        ("Should I put all my savings in Facebook, is it guaranteed?", True, False),
        ("Can't lose with Apple, right?", True, False),
        ("Should I put my retirement into IBM?", True, False),
        ("What's the weather?", False, True),
        ("Tell me a joke", False, True),
        ("Should I buy Microsoft?", False, False),
    ],
)
def test_advice_and_unsupported(text: str, advice: bool, unsupported: bool) -> None:
    q = parse(text)
    assert (q.advice_request, q.unsupported) == (advice, unsupported)


@pytest.mark.parametrize(
    ("text", "var_level", "horizon_days"),
    [
        ("What is IBM's 99% one-day VaR at the end of 2011?", 0.99, 1),
        ("IBM 95% 10-day value at risk", 0.95, 10),
        ("Apple weekly CVaR at 97.5%", 0.975, 5),
        ("Apple monthly volatility", None, 21),
        ("Apple's 50-day moving average", None, None),  # a window, not a horizon
        ("Did Apple rise 95% in 2009?", None, None),  # not a risk question
    ],
)
def test_risk_numbers(text: str, var_level: float | None, horizon_days: int | None) -> None:
    q = parse(text)
    assert (q.var_level, q.horizon_days) == (var_level, horizon_days)


@pytest.mark.parametrize(
    ("text", "forms", "fiscal_year", "k"),
    [
        ("What did Apple list as risk factors in its 2010 10-K?", ("10-K",), 2010, None),
        ("Top 3 risk factors in IBM's 10-Q for fiscal 2011", ("10-Q",), 2011, 3),
        ("Apple's annual report FY2009 vs its 10-Q", ("10-K", "10-Q"), 2009, None),
        ("Give me five risk factors from Google's filing", (), None, 5),
    ],
)
def test_filing_numbers(text: str, forms: tuple, fiscal_year: int | None, k: int | None) -> None:
    q = parse(text)
    assert (q.forms, q.fiscal_year, q.k) == (forms, fiscal_year, k)


def test_follow_ups_inherit_what_they_do_not_restate() -> None:
    ibm = parse("What is IBM's 99% one-day VaR at the end of 2011?")
    var = parse("and its VaR?", history=parse("Should I buy IBM as of June 2012?"))
    assert (var.tickers, var.as_of, var.intents) == (("IBM",), date(2012, 6, 30), {"risk"})
    assert var.is_follow_up

    msft = parse("what about Microsoft?", history=ibm)
    assert (msft.tickers, msft.as_of, msft.intents) == (("MSFT",), date(2011, 12, 31), {"risk"})
    assert (msft.var_level, msft.horizon_days, msft.is_follow_up) == (0.99, 1, True)

    level = parse("and at 95%?", history=ibm)
    assert (level.tickers, level.var_level, level.horizon_days) == (("IBM",), 0.95, 1)

    dated = parse("and in 2010?", history=ibm)
    assert (dated.tickers, dated.as_of) == (("IBM",), date(2010, 12, 31))

    both = parse("compare it with Microsoft", history=ibm)
    assert (both.tickers, both.intents) == (("IBM", "MSFT"), {"compare"})


def test_why_inherits_the_previous_question() -> None:
    signal = parse("Should I buy Apple as of 2012-06-29?")
    why = parse("why?", history=signal)
    assert (why.tickers, why.as_of, why.intents) == (
        ("AAPL",),
        date(2012, 6, 29),
        {"signal", "why"},
    )
    assert why.is_follow_up and not why.unsupported


def test_a_new_question_is_not_a_follow_up() -> None:
    ibm = parse("What is IBM's 99% one-day VaR at the end of 2011?")
    fresh = parse("Should I buy Microsoft?", history=ibm)
    assert (fresh.tickers, fresh.as_of, fresh.is_follow_up, fresh.var_level) == (
        ("MSFT",),
        None,
        False,
        None,
    )
    weather = parse("What's the weather?", history=ibm)
    assert (weather.tickers, weather.is_follow_up, weather.unsupported) == ((), False, True)


def test_normalized_and_frozen() -> None:
    q = parse("  Should I\tBUY   Microsoft?\n")
    assert q.normalized == "should i buy microsoft?"
    with pytest.raises(ValueError, match="frozen"):
        q.tickers = ("AAPL",)  # type: ignore[misc]


def test_deterministic() -> None:
    text = "Compare AAPL and GOOG momentum as of Q3 2012"
    assert parse(text) == parse(text)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=200), history=st.booleans())
def test_parse_never_raises(text: str, history: bool) -> None:
    previous = parse("What is IBM's 99% VaR at the end of 2011?") if history else None
    q = parse(text, history=previous)
    assert set(q.tickers) <= KNOWN and not set(q.unknown_tickers) & KNOWN


_NEAR_MISSES = (
    "apple IBM's $msft ^gspc S&P 500 the market 2012-02-30 June 2012 Q3 2012 mid-2012 end of 2011 "
    "in 2010 10-K 10-q FY09 fiscal 2011 top 3 five risk factors 99% 97.5% one-day ten-week "
    "monthly why? and compare vs VaR RSI guaranteed XYZQ ſept 2012 Q4 12"
)
_WORDS = st.sampled_from(_NEAR_MISSES.split())


@settings(max_examples=300, deadline=None)
@given(words=st.lists(_WORDS, max_size=12))
def test_parse_never_raises_on_near_misses(words: list[str]) -> None:
    q = parse(" ".join(words))
    assert q.future_date == (q.as_of is not None and q.as_of > TODAY)


@pytest.mark.parametrize(
    ("text", "missing"),
    [
        ("Compare AAPL with NFLX", ("NFLX",)),  # a comparison: NFLX stands where a ticker goes
        ("Should I buy XYZQ?", ("XYZQ",)),  # nothing else names a company
        ("Is $ZZAA worth buying?", ("ZZAA",)),
        ("What were Apple's COGS in FY2010?", ()),
        ("What did Apple say about the WXYZ program?", ()),
    ],
)
def test_missing_symbols_are_refused_or_tried(text: str, missing: tuple) -> None:
    assert missing_symbols(parse(text)) == missing
