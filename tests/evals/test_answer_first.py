"""The answer's first sentence: Markdown stripped, headings and rows alone, abbreviations and
decimals kept inside the sentence."""

from __future__ import annotations

import pytest

from evals.answer_first import first_named, first_sentence, is_decline, says


@pytest.mark.parametrize(
    ("markdown", "sentence"),
    [
        ("### MSFT: BUY (as of 2012-06-29)\n\nThe score is 0.61.", "MSFT: BUY (as of 2012-06-29)"),
        ("# Heading with closing hashes ##\nBody.", "Heading with closing hashes"),
        (
            "IBM's 99% 21-day VaR is 3.84% [E-risk-1]. The CVaR is 5.1%.",
            "IBM's 99% 21-day VaR is 3.84% [E-risk-1].",
        ),
        (
            "The VaR is 3.84%. [E-risk-1] [E-risk-2] Next.",
            "The VaR is 3.84%. [E-risk-1] [E-risk-2]",
        ),
        ("**Yes**: AAPL is *overbought* (RSI 74.2). More.", "Yes: AAPL is overbought (RSI 74.2)."),
        (
            "Apple Inc. returned 12.5% vs. 3.1% for the index. Then.",
            "Apple Inc. returned 12.5% vs. 3.1% for the index.",
        ),
        (
            "Sales in the U.S. grew 8.2% in fiscal 2010. Abroad.",
            "Sales in the U.S. grew 8.2% in fiscal 2010.",
        ),
        ("See e.g. the MACD at 1.59 today. Second.", "See e.g. the MACD at 1.59 today."),
        ("- first bullet. Still the bullet\n- second", "first bullet."),
        ("| ticker | VaR |\n|---|---|\n| IBM | 3.8% |", "ticker VaR"),
        ("\n\n---\n\n> Quoted answer here! Then more.", "Quoted answer here!"),
        ("No. IBM is not overbought.", "No."),
        ("Is it? Yes it is.", "Is it?"),
        ("A line that wraps\nonto the next line. Next.", "A line that wraps onto the next line."),
        ("No final punctuation", "No final punctuation"),
        (
            "The ratio is 1.2 vs the 3.4 of [the index](http://x.test). Next.",
            "The ratio is 1.2 vs the 3.4 of the index.",
        ),
        ("It fell 3. Then it rose.", "It fell 3."),
        (
            "rsi_14 is 55.58 and `bb_bandwidth` is 0.0476. Next.",
            "rsi_14 is 55.58 and bb_bandwidth is 0.0476.",
        ),
        ("", ""),
    ],
)
def test_first_sentence(markdown: str, sentence: str) -> None:
    assert first_sentence(markdown) == sentence


def test_says_whole_words_only_and_any_case() -> None:
    sentence = "AAPL is in a bull regime; the signal is STRONG_BUY."
    assert says(sentence, "bull") and says(sentence, "strong buy") and says(sentence, "aapl")
    assert not says(sentence, "bear") and not says(sentence, "BUY now") and not says(sentence, "")
    assert not says("the bullish case", "bull") and not says("knowledge", "no")
    assert says("Yes, it did.", "yes") and says("S&P 500 fell", "S&P 500")


def test_first_named_reads_symbols_and_names() -> None:
    tickers = ["IBM", "MSFT"]
    assert first_named("Microsoft is riskier than IBM.", tickers) == "MSFT"
    assert first_named("IBM is riskier than MSFT.", tickers) == "IBM"
    assert first_named("Neither.", tickers) is None
    assert first_named("The S&P 500 beat Google.", ["GOOG", "^GSPC"]) == "^GSPC"
    assert first_named("^GSPC beat GOOG.", ["GOOG", "^GSPC"]) == "^GSPC"


def test_a_decline_says_it_cannot_or_is_the_stated_reason() -> None:
    assert is_decline("I can't forecast an exact price for AAPL.", reason=None)
    assert is_decline("Tesla is not covered by the bundled data.", reason=None)
    reason = "That question asks about 2014-01-01, after the as-of date 2013-03-01. I can ..."
    assert is_decline(
        "That question asks about 2014-01-01, after the as-of date 2013-03-01.", reason=reason
    )
    assert not is_decline("AAPL: BUY (as of 2012-06-29)", reason="Some other reason.")
    assert not is_decline("", reason="")
