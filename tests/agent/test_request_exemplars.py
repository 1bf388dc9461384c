"""The MiniLM exemplar classifier (agent._exemplars) on held-out paraphrases, alone and through
``parse_question`` (rules first). Skipped where the embedding model cannot load."""

from __future__ import annotations

from datetime import date
from typing import get_args

import pytest

from agent._exemplars import EXEMPLARS, ExemplarClassifier
from agent.question import ParsedQuestion, parse_question
from agent.request import Ask

KNOWN = frozenset({"AAPL", "MSFT", "IBM", "GOOG", "FB", "^GSPC"})
TODAY = date(2013, 2, 28)


def parse(text: str) -> ParsedQuestion:
    return parse_question(text, today=TODAY, known_tickers=KNOWN, classify=None)


def test_exemplars_cover_every_ask() -> None:
    assert set(EXEMPLARS) == set(get_args(Ask))
    assert all(len(v) >= 8 for v in EXEMPLARS.values())


# Held-out paraphrases, written before the classifier was first run on them; none is an
# exemplar. The classifier alone (no rules) is scored on them: 38/50 on the first run (nearest
# exemplar), 44/50 after the switch to centroids (chosen by leave-one-out on the exemplars).
HELD_OUT: tuple[tuple[str, Ask], ...] = (
    ("give me the lowdown on this company", "overview"),
    ("what's your take on this name overall", "overview"),
    ("is it time to load up on the shares", "signal"),
    ("would you get out of this stock", "signal"),
    ("how large should my stake be", "position_size"),
    ("how much cash should I commit to this", "position_size"),
    ("what is a share going for", "price"),
    ("last traded price please", "price"),
    ("what kind of gains did it deliver in 2012", "return"),
    ("how has it performed over the past quarter", "return"),
    ("what were the year's extremes for the price", "range"),
    ("how close is it to the top of its yearly range", "range"),
    ("what does the relative strength reading say", "indicator"),
    ("value of the exponential moving average", "indicator"),
    ("has the stock become too expensive after the rally", "overbought"),
    ("is the selling overdone", "overbought"),
    ("is the price heading higher over time", "trend"),
    ("did the short average cross above the long one", "trend"),
    ("are we in a bullish or bearish phase", "regime"),
    ("what kind of market environment is this", "regime"),
    ("what's the most I'd lose on 99 out of 100 days", "var"),
    ("how much money is at risk over ten days", "var"),
    ("when losses exceed the VaR, how big are they on average", "cvar"),
    ("how ugly do the worst days get", "cvar"),
    ("how erratic are the price moves", "volatility"),
    ("how wild is the ride with this stock", "volatility"),
    ("how deep was the worst slide", "drawdown"),
    ("what was the largest fall from a high", "drawdown"),
    ("simulate the momentum strategy on past data", "backtest"),
    ("would the rules-based approach have made money", "backtest"),
    ("does the machine learning model beat chance", "model_record"),
    ("how often were the model's calls correct", "model_record"),
    ("is it headed higher by Friday", "direction"),
    ("will the shares be lower a month from now", "direction"),
    ("what do the management's comments in the annual report say about risks", "filing"),
    ("what does the annual filing disclose about competitors", "filing"),
    ("how big were sales last fiscal year", "filing_figure"),
    ("what profit did the company report", "filing_figure"),
    ("what did the chief executive tell analysts", "call"),
    ("what was discussed with analysts last quarter", "call"),
    ("what's been reported about the company lately", "news"),
    ("any recent developments in the press", "news"),
    ("is the coverage favourable", "sentiment"),
    ("are investors optimistic about it", "sentiment"),
    ("which of the two is the safer bet", "compare"),
    ("stack these two up against each other", "compare"),
    ("what's the reason for that", "why"),
    ("why do you think so", "why"),
    ("what are you good for", "capabilities"),
    ("what sort of things can I ask", "capabilities"),
)


@pytest.fixture(scope="module")
def classifier() -> ExemplarClassifier:
    try:
        from retrieval.embeddings import SentenceTransformerEmbedder

        return ExemplarClassifier(SentenceTransformerEmbedder())
    except Exception as err:  # noqa: BLE001 - the model is optional here
        pytest.skip(f"embedding model unavailable: {err}")


def test_classifier_on_held_out_paraphrases(classifier: ExemplarClassifier) -> None:
    """Accuracy on held-out phrasings (a wrong ask counts against it; None counts as a miss)."""
    right = sum(classifier.classify(text) == ask for text, ask in HELD_OUT)
    assert right / len(HELD_OUT) >= 0.6, f"{right}/{len(HELD_OUT)}"


def test_classifier_is_deterministic(classifier: ExemplarClassifier) -> None:
    text = "how wild is the ride with this stock"
    assert classifier.classify(text) == classifier.classify(text)


# End-to-end sets (rules + classifier through parse_question). HELD_OUT_2 was written before it
# was first run (35/50 then; 42/50 after the centroid classifier and masking company names,
# changes chosen on the exemplars, not on it). HELD_OUT_3 was written after those changes and
# before its first run (49/50). "why" rows are asked after "Should I buy IBM?".
HELD_OUT_2: tuple[tuple[str, Ask], ...] = (
    ("Run me through where Apple stands overall", "overview"),
    ("IBM, your general read?", "overview"),
    ("Is Microsoft a good pickup here?", "signal"),
    ("Time to dump my Google shares?", "signal"),
    ("With 25k to deploy, how much goes into IBM?", "position_size"),
    ("What weight should Apple get in a $200,000 portfolio?", "position_size"),
    ("What's a share of Microsoft cost?", "price"),
    ("Give me IBM's most recent quote", "price"),
    ("What did Google shares deliver during 2010?", "return"),
    ("Percentage move in Apple over the past year", "return"),
    ("Microsoft's 12-month high and low", "range"),
    ("What's the ceiling Apple hit in 2012?", "range"),
    ("Where does IBM's RSI stand?", "indicator"),
    ("Apple's 20-day simple moving average value", "indicator"),
    ("Has Google gotten ahead of itself?", "overbought"),
    ("Is selling in Microsoft exhausted?", "overbought"),
    ("Is the longer-term direction for IBM still upward?", "trend"),
    ("Did Apple's 50-day cross its 200-day?", "trend"),
    ("Are we in a bull phase for Google?", "regime"),
    ("Which market state is Microsoft in?", "regime"),
    ("IBM: worst one-day loss at 95% confidence", "var"),
    ("How much capital is at risk in Apple over a week?", "var"),
    ("How bad is an average day in Google's worst 5%?", "cvar"),
    ("Microsoft's ES at 99%", "cvar"),
    ("How jittery is IBM's price?", "volatility"),
    ("What's Apple's annualized standard deviation?", "volatility"),
    ("How far underwater did Google get in 2008 from its high?", "drawdown"),
    ("Deepest slump for Microsoft over the last two years", "drawdown"),
    ("Paper-trade the confluence signal on IBM since 2009", "backtest"),
    ("Had I followed the technical rules on Apple, how would I have fared?", "backtest"),
    ("Does the machine-learning model have real predictive power for Google?", "model_record"),
    ("How well have the ML forecasts for Microsoft done historically?", "model_record"),
    ("Odds that IBM is higher in a week?", "direction"),
    ("Will Apple end tomorrow in the green?", "direction"),
    ("What are Apple's main risk factors per its filing?", "filing"),
    ("What does Microsoft's annual report say about competitors?", "filing"),
    ("Apple's fiscal 2011 net income", "filing_figure"),
    ("By how much did Apple's revenue rise between fiscal 2009 and 2010?", "filing_figure"),
    ("What did Microsoft's executives tell analysts about cloud?", "call"),
    ("Any remarks from IBM's CFO on the last call?", "call"),
    ("What's new with Google in the papers?", "news"),
    ("Latest stories on Apple", "news"),
    ("Is the tone around Microsoft upbeat?", "sentiment"),
    ("How positive is the chatter on IBM?", "sentiment"),
    ("Apple or Google: which carries more risk?", "compare"),
    ("Rank IBM and Microsoft by momentum", "compare"),
    ("How so?", "why"),
    ("What's the reasoning?", "why"),
    ("What are your features?", "capabilities"),
    ("What kinds of things do you analyse?", "capabilities"),
)


HELD_OUT_3: tuple[tuple[str, Ask], ...] = (
    ("Microsoft in a nutshell?", "overview"),
    ("Can you look into Google for me", "overview"),
    ("Do you rate IBM a buy here?", "signal"),
    ("Would you hold or exit Apple at this point?", "signal"),
    ("I have $75,000; what should my Microsoft position be?", "position_size"),
    ("How much of a 40k account belongs in Google?", "position_size"),
    ("What was IBM's last closing value?", "price"),
    ("Apple stock price please", "price"),
    ("How did Microsoft's shares perform in 2009?", "return"),
    ("Google's percentage gain since the start of 2011", "return"),
    ("What was Apple's low point in the past 52 weeks?", "range"),
    ("IBM's peak closing price during 2010", "range"),
    ("Current MACD for Google?", "indicator"),
    ("Give me Microsoft's average true range", "indicator"),
    ("Is Apple looking overheated?", "overbought"),
    ("Has IBM been oversold lately?", "overbought"),
    ("Is Google holding above its 50-day line?", "trend"),
    ("Is Microsoft in a downtrend right now?", "trend"),
    ("Would you call this a bear regime for Apple?", "regime"),
    ("Bullish or bearish regime on IBM?", "regime"),
    ("What's a 95% one-day VaR on Google?", "var"),
    ("How much could I lose on Microsoft over the next week?", "var"),
    ("What's the CVaR for IBM over ten days?", "cvar"),
    ("If Apple has a really bad day, how big is the average loss beyond the VaR?", "cvar"),
    ("How volatile has Google been over the past 6 months?", "volatility"),
    ("Does Microsoft swing a lot?", "volatility"),
    ("What was IBM's max drawdown in 2011?", "drawdown"),
    ("How much could Apple fall from its peak?", "drawdown"),
    ("How did the SMA crossover strategy do on Google since 2008?", "backtest"),
    ("Did the technical strategy beat buy and hold on Microsoft after costs?", "backtest"),
    ("How has the ML model held up out of sample on IBM?", "model_record"),
    ("Is the forecasting model reliable for Apple?", "model_record"),
    ("Will Google rise tomorrow?", "direction"),
    ("What's the probability Microsoft is up over the next month?", "direction"),
    ("What does Apple's most recent 10-K say about the supply chain?", "filing"),
    ("Summarize the legal proceedings in Microsoft's annual report", "filing"),
    ("What were Apple's net sales in fiscal 2009?", "filing_figure"),
    ("How much did Apple's gross margin change from 2010 to 2011?", "filing_figure"),
    ("What did Apple's CEO say about iPhone demand on the earnings call?", "call"),
    ("Highlights from Microsoft's last conference call", "call"),
    ("What are the latest headlines on IBM?", "news"),
    ("Anything in the news about Google?", "news"),
    ("What's the sentiment around Apple?", "sentiment"),
    ("Is the mood on Microsoft positive or negative?", "sentiment"),
    ("Which has the stronger signal, IBM or Google?", "compare"),
    ("Compare Apple and Microsoft on risk", "compare"),
    ("why is that?", "why"),
    ("explain the call", "why"),
    ("What can you help me with?", "capabilities"),
    ("What do you know how to do?", "capabilities"),
)


@pytest.mark.parametrize(("cases", "floor"), [("2", 0.8), ("3", 0.9)])
def test_paraphrases_end_to_end(classifier: ExemplarClassifier, cases: str, floor: float) -> None:
    rows = HELD_OUT_2 if cases == "2" else HELD_OUT_3
    signal = parse("Should I buy IBM?")
    right = 0
    for text, ask in rows:
        history = signal if ask == "why" else None
        q = parse_question(
            text, today=TODAY, history=history, known_tickers=KNOWN, classify=classifier.classify
        )
        right += q.ask == ask
    assert right / len(rows) >= floor, f"{right}/{len(rows)}"
