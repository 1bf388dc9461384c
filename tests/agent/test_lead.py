"""The answer's first sentence answers the question in its own terms, for every ask: the asked
number with its level, horizon or period, the yes/no, the which, bull or bear; and every number
of the assembled answer verifies against the ledger (``agent.verifier``)."""

from __future__ import annotations

import copy
import dataclasses
import re
from datetime import date
from typing import Any

import pytest

from agent.answer import Answer
from agent.compose import assemble
from agent.lead import lead_sentence
from agent.ledger import Ledger
from agent.offline_writer import template_draft
from agent.question import ParsedQuestion
from agent.request import Ask, DocScope, Quantity, Verdict
from agent.verifier import verify
from data.providers.bundled import BundledProvider
from data.service import MarketData
from quant.sentiment.aggregate import ticker_sentiment
from quant.sentiment.lexicon import LexiconScorer
from retrieval.types import NewsItem
from tools.backtest import backtest_evidence
from tools.compare import compare_evidence
from tools.context import ToolContext
from tools.evidence import Evidence, Window
from tools.market import market_snapshot_evidence
from tools.period import period_evidence
from tools.risk import risk_evidence
from tools.sentiment import sentiment_evidence
from tools.signal import signal_evidence
from tools.technicals import technicals_evidence

AS_OF = date(2012, 6, 29)


@pytest.fixture(scope="module")
def ctx() -> ToolContext:
    return ToolContext(as_of=AS_OF, market=MarketData([BundledProvider()]))


def question(
    text: str, ask: Ask, *, tickers: tuple[str, ...] = ("AAPL",), **fields: Any
) -> ParsedQuestion:
    return ParsedQuestion(
        text=text, normalized=" ".join(text.lower().split()), tickers=tickers, ask=ask, **fields
    )


def first_sentence(markdown: str) -> str:
    """The first sentence after stripping Markdown markup (a heading line is one sentence)."""
    text = re.sub(r"^[ \t]*(?:#{1,6}[ \t]+|[-*+][ \t]+|>[ \t]*)", "", markdown, flags=re.M)
    line = text.replace("**", "").replace("|", " ").strip().split("\n")[0]
    return re.split(r"(?<=[.!?])\s+", line)[0]


def answer(
    evidence: list[Evidence],
    q: ParsedQuestion,
    *,
    failed: tuple[str, ...] = (),
    parameters: tuple[float, ...] = (),
) -> tuple[str, Answer]:
    """(the first sentence, the answer) of the offline writer, after checking it verifies;
    parameters: the numbers the turn's tool calls were given."""
    ledger = Ledger(evidence)
    draft = template_draft(ledger, question=q, as_of=AS_OF, failed=failed)
    out = assemble(
        draft, question=q.text, tickers=list(q.tickers), as_of=AS_OF, ledger=ledger, ask=q.ask
    )
    result = verify(out, ledger, parameters=parameters)
    assert result.ok, result.problems()
    return first_sentence(out.markdown), out


def remade(ev: Evidence, **values: Any) -> Evidence:
    """``ev`` with some values changed (a state the bundled data does not show on AS_OF)."""
    changed = copy.deepcopy(ev.values) | values
    return Evidence.make(
        kind=ev.kind, tickers=ev.tickers, as_of=ev.as_of, values=changed, window=ev.window
    )


# --- risk ---------------------------------------------------------------------------------
def test_var_at_the_level_and_horizon_asked(ctx: ToolContext) -> None:
    risk = risk_evidence(ctx, "IBM", horizons=(1, 21))
    q = question(
        "What could IBM lose over a month at 99%?",
        "var",
        tickers=("IBM",),
        quantity=Quantity(level=0.99, horizon_days=21),
    )
    first, out = answer([risk], q)
    row = next(
        r
        for r in risk.values["results"]
        if (r["method"], r["level"], r["horizon_days"]) == ("historical", 0.99, 21)
    )
    assert first.startswith(f"IBM's 99% 21-day VaR is {row['var']:.2%} by historical simulation")
    assert f"CVaR {row['cvar']:.2%}" in first and "2012-06-29" in first
    assert "###" not in out.markdown and out.markdown.count(f"{row['var']:.2%}") == 1
    plain = question("What is IBM's VaR?", "var", tickers=("IBM",))
    first, _ = answer([risk], plain)
    assert first.startswith("IBM's 95% 1-day VaR is")


def test_expected_shortfall_is_named_so_and_a_level_not_computed_is_said(ctx: ToolContext) -> None:
    risk = risk_evidence(ctx, "IBM", horizons=(1, 5))
    q = question(
        "IBM's expected shortfall over a week",
        "cvar",
        tickers=("IBM",),
        quantity=Quantity(horizon_days=5),
    )
    first, _ = answer([risk], q)
    assert first.startswith("IBM's 95% 5-day expected shortfall (CVaR) is")
    odd = q.model_copy(update={"quantity": Quantity(level=0.9, horizon_days=5)})
    first, out = answer([risk], odd)
    assert first.startswith("IBM's 95% 5-day expected shortfall (CVaR)")
    assert "The level asked for is not one the risk tool computes" in out.markdown


def test_volatility_drawdown_and_return_over_a_period(ctx: ToolContext) -> None:
    year = period_evidence(
        ctx, "AAPL", start=date(2011, 1, 1), end=date(2011, 12, 31), label="2011"
    )
    v = year.values
    first, _ = answer([year], question("How volatile was AAPL in 2011?", "volatility"))
    assert first.startswith(
        "AAPL's realised volatility over 2011 (2011-01-03 to 2011-12-30) was "
        f"{v['volatility_annual']:.1%} annualised"
    )
    first, _ = answer([year], question("AAPL's return in 2011?", "return"))
    assert first.startswith(
        f"AAPL returned {v['return']:+.1%} over 2011, from {v['start_close']:.2f} on 2010-12-31 "
        f"to {v['end_close']:.2f} on 2011-12-30"
    )
    last = period_evidence(ctx, "AAPL", lookback_days=365, label="the last year")
    first, _ = answer([last], question("AAPL's drawdown over the last year?", "drawdown"))
    assert first.startswith(
        f"AAPL's worst drawdown over the last year ({last.values['start_date']} to 2012-06-29) "
        f"was {last.values['max_drawdown']:.1%}"
    )


def test_volatility_and_drawdown_without_a_window_come_from_the_risk_evidence(
    ctx: ToolContext,
) -> None:
    risk = risk_evidence(ctx, "AAPL", horizons=(1,))
    first, _ = answer([risk], question("How volatile is AAPL?", "volatility"))
    vol = risk.values["volatility_annual"]
    assert first.startswith(f"AAPL's annualised volatility is {vol:.1%}")
    first, _ = answer([risk], question("How much could AAPL fall?", "drawdown"))
    median = risk.values["drawdown"]["quantiles"]["0.5"]
    assert first.startswith("Looking ahead, the bootstrap puts AAPL's median worst drawdown")
    assert f"at {median:.1%}" in first


# --- market ---------------------------------------------------------------------------------
def test_price_trailing_return_and_range(ctx: ToolContext) -> None:
    market = market_snapshot_evidence(ctx, "AAPL")
    v = market.values
    first, _ = answer([market], question("What is AAPL trading at right now?", "price"))
    assert first.startswith(f"AAPL closed at {v['close']:.2f} on 2012-06-29")
    first, _ = answer([market], question("How has AAPL done?", "return"))
    assert first.startswith(f"AAPL returned {v['return_20d']:+.2%} over the last 20 trading days")
    assert f"{v['return_250d']:+.2%} over 250 to 2012-06-29" in first  # month, quarter and year
    first, _ = answer([market], question("What's AAPL's 52-week high?", "range"))
    assert f"52-week high is {v['high_52w']:.2f}" in first and "low" not in first
    first, _ = answer([market], question("AAPL's 52-week range?", "range"))
    assert f"{v['high_52w']:.2f}" in first and f"52-week low is {v['low_52w']:.2f}" in first


# --- technicals -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("metric", "expected"),
    [
        ("bb_bandwidth", "AAPL's Bollinger band width is {bb_bandwidth:.4f} of the middle band"),
        ("rsi_14", "AAPL's RSI(14) is {rsi_14:.1f} on 2012-06-29"),
        ("sma_50", "AAPL's SMA50 is {sma_50:.2f} on 2012-06-29, with the close at"),
        ("macd", "AAPL's MACD is {macd:.3f}, below its signal line {macd_signal:.3f}"),
        ("atr_14", "AAPL's ATR(14) is {atr_14:.2f}"),
        ("sma_100", "The technicals do not compute the moving average asked for"),
    ],
)
def test_the_indicator_asked(ctx: ToolContext, metric: str, expected: str) -> None:
    tech = technicals_evidence(ctx, "AAPL")
    q = question(f"AAPL {metric}?", "indicator", quantity=Quantity(metric=metric))
    first, _ = answer([tech], q)
    assert first.startswith(expected.format(**tech.values["indicators"]))


def test_overbought_and_oversold_are_yes_or_no(ctx: ToolContext) -> None:
    tech = technicals_evidence(ctx, "AAPL")
    ind = tech.values["indicators"]
    over = Verdict(kind="yes_no", predicate="overbought")
    first, _ = answer([tech], question("Is AAPL overbought?", "overbought", verdict=over))
    assert first.startswith(f"No -- AAPL is not overbought: RSI(14) is {ind['rsi_14']:.1f}")
    assert "seventy or more" in first and f"%b is {ind['bb_pct_b']:.2f}" in first
    hot = remade(tech, indicators=ind | {"rsi_14": 74.2, "bb_pct_b": 1.05})
    first, _ = answer([hot], question("Is AAPL overbought?", "overbought", verdict=over))
    assert first.startswith("Yes -- AAPL is overbought: RSI(14) is 74.2")
    assert "above the upper band" in first
    under = Verdict(kind="yes_no", predicate="oversold")
    first, _ = answer([tech], question("Is AAPL oversold?", "overbought", verdict=under))
    assert first.startswith("No -- AAPL is not oversold") and "thirty or less" in first


def test_trend_questions_are_yes_or_no(ctx: ToolContext) -> None:
    tech = technicals_evidence(ctx, "AAPL")
    ind, close = tech.values["indicators"], tech.values["close"]
    above = Verdict(kind="yes_no", predicate="above sma_200")
    first, _ = answer([tech], question("Is AAPL above its 200-day?", "trend", verdict=above))
    assert first == (
        f"Yes -- AAPL closed at {close:.2f} on 2012-06-29, above its SMA200 of "
        f"{ind['sma_200']:.2f} [{tech.id}]."
    )
    down = Verdict(kind="yes_no", predicate="downtrend")
    first, _ = answer([tech], question("Is AAPL in a downtrend?", "trend", verdict=down))
    assert first.startswith("No -- AAPL closed at")
    cross = Verdict(kind="yes_no", predicate="death cross")
    first, _ = answer([tech], question("Death cross on AAPL?", "trend", verdict=cross))
    assert first.startswith(f"No -- AAPL's SMA50 is {ind['sma_50']:.2f}, above its SMA200")


def test_regime_is_bull_bear_or_neither(ctx: ToolContext) -> None:
    verdict = Verdict(kind="bull_bear", predicate="bull or bear")
    for ticker, as_of, expected in (
        ("AAPL", AS_OF, "Neither bull nor bear -- the regime model reads AAPL as choppy"),
        ("GOOG", AS_OF, "Bear -- the regime model reads GOOG as bear as of 2012-06-29"),
    ):
        at = dataclasses.replace(ctx, as_of=as_of)
        sig, _ = signal_evidence(at, ticker)
        tech = technicals_evidence(at, ticker)
        q = question(f"Is {ticker} in a bull or bear regime?", "regime", tickers=(ticker,))
        first, out = answer([sig, tech], q.model_copy(update={"verdict": verdict}))
        assert first.startswith(expected)
        assert out.markdown.index(f"### {ticker}") > out.markdown.index(expected)


# --- signal ---------------------------------------------------------------------------------
def test_signal_and_overview_lead_with_the_signal_block(ctx: ToolContext) -> None:
    sig, _ = signal_evidence(ctx, "MSFT")
    asks: tuple[Ask, ...] = ("signal", "overview")
    for ask in asks:
        first, _ = answer([sig], question("Should I buy MSFT?", ask, tickers=("MSFT",)))
        assert first == "MSFT: BUY (as of 2012-06-29)"
    q = question("MSFT?", "signal", tickers=("MSFT",))
    assert lead_sentence(q, Ledger([sig]), as_of=AS_OF) is None


def test_position_size_in_currency_for_an_account(ctx: ToolContext) -> None:
    sig, _ = signal_evidence(ctx, "MSFT")
    size = sig.values["position_size"]
    sized = remade(sig, account_size=50_000.0, position_value=round(50_000 * size, 2))
    q = question(
        "How much of a $50,000 account should go into MSFT?",
        "position_size",
        tickers=("MSFT",),
        quantity=Quantity(account_size=50_000.0, currency="USD"),
    )
    first, out = answer([sized], q)
    assert first.startswith(
        f"For a $50,000 account the signal sizes MSFT at ${50_000 * size:,.2f} ({size:+.2%} of "
        "the portfolio; the signal is BUY)"
    )
    assert out.markdown.index("### MSFT: BUY") > out.markdown.index("For a $50,000")
    short = remade(sized, action="SELL", position_size=-0.0088, position_value=-440.0)
    assert answer([short], q)[0].startswith("For a $50,000 account the signal sizes MSFT at -$440")
    first, _ = answer([sig], q.model_copy(update={"quantity": Quantity()}))
    assert first.startswith(f"The signal sizes MSFT at {size:+.2%} of the portfolio")


def test_why_explains_the_drivers_without_the_signal_block(ctx: ToolContext) -> None:
    sig, _ = signal_evidence(ctx, "MSFT")
    th = sig.values["thresholds"]
    first, out = answer([sig], question("Why?", "why", tickers=("MSFT",)))
    assert first.startswith(
        f"MSFT reads BUY because its confluence score, {sig.values['score']:.2f}, is between the "
        f"BUY threshold {th['buy']:.2f} and the STRONG BUY threshold {th['strong_buy']:.2f}"
    )
    assert "###" not in out.markdown and "|" not in out.markdown
    assert (
        "The technical part scores" in out.markdown and "Within the technical part" in out.markdown
    )


# --- backtest, model, forecast --------------------------------------------------------------
@pytest.fixture(scope="module")
def backtest(ctx: ToolContext) -> Evidence:
    return backtest_evidence(ctx, "AAPL", start=None, strategy="technical")


def test_backtest_against_buy_and_hold_on_the_metric_asked_with_costs(backtest: Evidence) -> None:
    wf, bh = backtest.values["walk_forward"], backtest.values["baselines"]["buy_and_hold"]
    q = question(
        "What was the technical strategy's Sharpe on AAPL against buy and hold, after costs?",
        "backtest",
        quantity=Quantity(
            metric="sharpe", strategy="technical", baseline="buy_and_hold", costs=True
        ),
    )
    first, out = answer([backtest], q)
    assert first.startswith(
        f"The technical strategy on AAPL trailed buy and hold on Sharpe: {wf['sharpe']:.2f} "
        f"against {bh['sharpe']:.2f}"
    )
    assert "backtest on AAPL charges costs of 0.15% of traded notional per side" in out.markdown
    costs = q.model_copy(
        update={
            "text": "And the costs?",
            "normalized": "and the costs?",
            "quantity": Quantity(metric="costs", costs=True),
        }
    )
    first, _ = answer([backtest], costs)
    assert first.startswith(
        "The technical backtest on AAPL charges costs of 0.15% of traded notional per side"
    )
    q = q.model_copy(update={"quantity": Quantity(strategy="technical")})
    first, _ = answer([backtest], q)
    assert f"on annual return: {wf['annual_return']:.1%} a year against" in first


def test_model_record_says_whether_the_model_held_up(backtest: Evidence) -> None:
    record = {
        "n": 2867,
        "accuracy": 0.5549,
        "baseline_accuracy": 0.5755,
        "auc": 0.49,
        "verdict": "NO-GO",
        "leak_suspected": False,
        "reasons": [],
    }
    ml = remade(backtest, strategy="ml", ml_record=record)
    q = question("Has the model held up out of sample on AAPL?", "model_record")
    first, _ = answer([ml], q)
    assert first.startswith(
        "No -- the ML model has not held up out of sample on AAPL: its walk-forward hit rate is "
        f"55.5% against {0.5755:.1%} for always guessing the majority class, over 2,867 scored "
        "predictions"
    )
    good = remade(ml, ml_record=record | {"accuracy": 0.61, "verdict": "GO"})
    first, _ = answer([good], q)
    assert first.startswith("Yes -- the ML model has held up")


def _forecast(horizon: int, prob: float) -> Evidence:
    return Evidence.make(
        kind="forecast",
        tickers=["MSFT"],
        as_of=AS_OF,
        values={
            "prob_up": prob,
            "prob_down": 1 - prob,
            "horizon_days": horizon,
            "verdict": "NO-GO",
            "leak_suspected": False,
            "walk_forward": {"accuracy": 0.512, "baseline_accuracy": 0.534},
            "folds": 9,
            "row_date": "2012-06-29",
        },
        window=Window(start=date(2010, 1, 4), end=AS_OF, bars=600),
    )


def test_direction_gives_the_models_chance_or_says_there_is_no_model(ctx: ToolContext) -> None:
    sig, _ = signal_evidence(ctx, "MSFT")
    up = Verdict(kind="up_down", predicate="up")
    q = question(
        "Will MSFT go up tomorrow?",
        "direction",
        tickers=("MSFT",),
        verdict=up,
        quantity=Quantity(horizon_days=1),
    )
    first, _ = answer([_forecast(1, 0.5312), sig], q)
    assert first.startswith(
        "The 1-day model puts the chance MSFT closes higher on the next trading day at 53%"
    )
    first, out = answer([sig], q, failed=("model_forecast",), parameters=(1,))
    assert first.startswith(
        f"There is no 1-day model for MSFT trained by {sig.as_of}, so I can't give a probability"
        " that it goes up (train one with `signaldesk train MSFT`); the research signal is BUY"
    )
    assert "model_forecast tool could not answer" not in out.markdown
    down = q.model_copy(update={"verdict": Verdict(kind="up_down", predicate="down")})
    first, _ = answer([_forecast(1, 0.5312), sig], down)  # "will it fall?": the chance it falls
    assert first.startswith("The 1-day model puts the chance MSFT closes lower on the next")
    assert " at 47%" in first
    first, _ = answer([sig], down, failed=("model_forecast",), parameters=(1,))
    assert "can't give a probability that it falls" in first
    month = q.model_copy(update={"quantity": Quantity(horizon_days=21)})
    assert "no 20-day model" in answer([sig], month, parameters=(20,))[0]
    with pytest.raises(AssertionError):  # the horizon is the planner's parameter, no fact
        answer([sig], month)


# --- compare, sentiment, documents ------------------------------------------------------------
def test_compare_names_the_one(ctx: ToolContext) -> None:
    risk = compare_evidence(ctx, ["IBM", "MSFT"], "risk")
    rows = risk[0].values["by_ticker"]
    riskier = max(rows, key=lambda t: rows[t]["var_95_1d"])
    safer = min(rows, key=lambda t: rows[t]["var_95_1d"])
    which = Verdict(kind="which", predicate="riskier")
    q = question(
        "Which is riskier, IBM or MSFT?",
        "compare",
        tickers=("IBM", "MSFT"),
        verdict=which,
        quantity=Quantity(metric="risk"),
    )
    first, out = answer(risk, q)
    assert first.startswith(
        f"{riskier} is the riskier by 95% 1-day VaR: {rows[riskier]['var_95_1d']:.2%} against "
        f"{rows[safer]['var_95_1d']:.2%} for {safer}"
    )
    assert "| ticker |" in out.markdown  # the comparison table supports it
    safer_q = q.model_copy(update={"text": "Which is safer?", "normalized": "which is safer?"})
    first, _ = answer(risk, safer_q)
    assert first.startswith(f"{safer} is the safer")
    momentum = compare_evidence(ctx, ["AAPL", "MSFT"], "momentum")
    m = momentum[0].values["by_ticker"]
    stronger = max(m, key=lambda t: m[t]["return_250d"])
    q = question(
        "Compare the momentum of AAPL and MSFT",
        "compare",
        tickers=("AAPL", "MSFT"),
        verdict=Verdict(kind="which", predicate="better momentum"),
    )
    first, _ = answer(momentum, q)
    assert first.startswith(
        f"{stronger} has the stronger momentum by 250-day return: {m[stronger]['return_250d']:+.1%}"
    )
    signals = compare_evidence(ctx, ["IBM", "MSFT"], "signal")
    q = question(
        "Compare the signals of IBM and MSFT",
        "compare",
        tickers=("IBM", "MSFT"),
        verdict=Verdict(kind="which", predicate="stronger signal"),
    )
    first, _ = answer(signals, q)
    assert first.startswith("MSFT has the stronger signal: BUY at score")


def test_sentiment_score_and_sign(ctx: ToolContext) -> None:
    news = [
        NewsItem(
            id="n1",
            published=date(2012, 6, 25),
            tickers=("IBM",),
            title="IBM posts record profit and strong gains",
        ),
    ]

    def part(ticker: str, as_of: date):  # noqa: ANN202
        return ticker_sentiment(
            ticker=ticker, as_of=as_of, news=news, scorer=LexiconScorer()
        ).to_part()

    ev = sentiment_evidence(dataclasses.replace(ctx, sentiment=part), "IBM")
    q = question("What's the mood on IBM?", "sentiment", tickers=("IBM",))
    first, _ = answer([ev], q)
    assert first.startswith(
        f"IBM's news and call sentiment as of 2012-06-29 is {ev.values['score']:+.2f}, positive"
    )
    first, _ = answer([sentiment_evidence(ctx, "IBM")], q)
    assert first.startswith("There is no sentiment score for IBM")


def test_filing_figure_and_its_growth() -> None:
    ev = Evidence.make(
        kind="figure",
        tickers=["AAPL"],
        as_of=date(2011, 1, 31),
        values={
            "figure": "net_sales",
            "label": "Net sales",
            "unit": "USD millions",
            "by_year": {"2009": 42905.0, "2010": 65225.0},
            "growth": {"2009-2010": 65225.0 / 42905.0 - 1},
            "form": "10-K",
            "fiscal_year": 2010,
            "filed": "2010-10-27",
            "passage": "Net sales $ 65,225 $ 42,905",
        },
    )
    q = question("How much did Apple's net sales grow in fiscal 2010?", "filing_figure")
    ledger = Ledger([ev])
    draft = template_draft(ledger, question=q, as_of=date(2011, 1, 31))
    out = assemble(
        draft, question=q.text, tickers=["AAPL"], as_of=date(2011, 1, 31), ledger=ledger, ask=q.ask
    )
    assert verify(out, ledger).ok
    assert first_sentence(out.markdown).startswith(
        "AAPL's net sales (USD millions) were 65,225 in fiscal 2010, up 52.0% from 42,905 in "
        "fiscal 2009, from the 10-K filed 2010-10-27"
    )


def test_news_says_what_was_found_first() -> None:
    ev = Evidence.make(
        kind="news",
        tickers=["IBM"],
        as_of=AS_OF,
        values={"text": "IBM wins a large services contract.", "injection_suspected": False},
        window=Window(end=date(2012, 6, 20)),
        source={"document": "n1", "filed": "2012-06-20"},
    )
    first, out = answer([ev], question("Any news on IBM?", "news", tickers=("IBM",)))
    assert first == (
        "The most relevant news passage available by 2012-06-29, from IBM (available "
        f'2012-06-20), says: "IBM wins a large services contract." [{ev.id}].'
    )
    assert "> IBM wins a large services contract." in out.markdown


def test_a_yes_no_question_on_a_call_is_yes_when_the_topic_is_named() -> None:
    ev = Evidence.make(
        kind="call",
        tickers=["MSFT"],
        as_of=AS_OF,
        values={
            "text": "We had a strong quarter. Surface will ship with Windows 8 this fall.",
            "injection_suspected": False,
        },
        window=Window(end=date(2012, 6, 20)),
        source={"document": "c1", "filed": "2012-06-20"},
    )
    scope = DocScope(kind="call", topic="the Surface tablet")
    q = question("Did Microsoft talk about the Surface tablet on the call?", "call",
                 tickers=("MSFT",), scope=scope)  # fmt: skip
    first, _ = answer([ev], q)
    assert first.startswith(
        "Yes -- the earnings-call passages available by 2012-06-29 mention the Surface tablet: "
        'MSFT (available 2012-06-20) says "Surface will ship with Windows 8 this fall."'
    )
    other = q.model_copy(update={"scope": DocScope(kind="call", topic="dividends")})
    first, _ = answer([ev], other)
    assert first.startswith("The most relevant earnings-call passage") and "Yes" not in first


def test_filing_leads_with_what_the_filing_says() -> None:
    summary = [
        {"order": 0, "text": "Net sales rose 52% to $65.2 billion in 2010.", "score": 0.9},
        {"order": 1, "text": "Growth came from iPhone and iPad.", "score": 0.7},
    ]
    ev = Evidence.make(
        kind="filing",
        tickers=["AAPL"],
        as_of=date(2011, 1, 31),
        values={
            "text": " ".join(str(item["text"]) for item in summary),
            "injection_suspected": False,
            "summary": summary,
        },
        window=Window(end=date(2010, 10, 27)),
        source={"document": "d1", "form": "10-K", "fiscal_period": "FY2010",
                "section": "Item 7", "filed": "2010-10-27"},
    )  # fmt: skip
    q = question(
        "What does Apple's latest 10-K say about net sales growth?",
        "filing",
        scope=DocScope(kind="filing", form="10-K", latest=True, topic="net sales growth"),
    )
    ledger = Ledger([ev])
    draft = template_draft(ledger, question=q, as_of=date(2011, 1, 31), searched=["filing"])
    out = assemble(
        draft,
        question=q.text,
        tickers=["AAPL"],
        as_of=date(2011, 1, 31),
        ledger=ledger,
        ask="filing",
    )
    assert verify(out, ledger).ok, verify(out, ledger).problems()
    assert first_sentence(out.markdown).startswith(
        "Apple's FY2010 10-K (filed 2010-10-27) says on net sales growth: \"Net sales rose 52%"
    )
    assert 'It also says: "Growth came from iPhone and iPad."' in out.markdown


def test_a_comparison_over_a_window_ranks_the_period_numbers(ctx: ToolContext) -> None:
    def year(t: str) -> Evidence:
        return period_evidence(ctx, t, start=date(2011, 1, 1), end=date(2011, 12, 31), label="2011")

    aapl, ibm = year("AAPL"), year("IBM")
    ret = {"AAPL": aapl.values["return"], "IBM": ibm.values["return"]}
    best, worst = sorted(ret, key=ret.get, reverse=True)  # type: ignore[arg-type]
    which = question(
        "Which did better in 2011, Apple or IBM?",
        "compare",
        tickers=("AAPL", "IBM"),
        verdict=Verdict(kind="which", predicate="higher return"),
        quantity=Quantity(metric="return"),
    )
    first, _ = answer([aapl, ibm], which)
    assert first.startswith(
        f"{best} did better over 2011, by return from 2010-12-31 to 2011-12-30: "
        f"{ret[best]:+.1%} against {ret[worst]:+.1%} for {worst}"
    )
    beat = which.model_copy(
        update={
            "text": "Did IBM beat Apple in 2011?",
            "tickers": ("IBM", "AAPL"),
            "verdict": Verdict(kind="yes_no", predicate="higher return"),
        }
    )
    assert answer([aapl, ibm], beat)[0].startswith("Yes -- " if best == "IBM" else "No -- ")
    lagged = beat.model_copy(update={"normalized": "did ibm underperform apple in 2011?"})
    first, _ = answer([aapl, ibm], lagged)
    assert first.startswith(("No -- " if best == "IBM" else "Yes -- ") + f"{worst} did worse")
    vol = {"AAPL": aapl.values["volatility_annual"], "IBM": ibm.values["volatility_annual"]}
    calmer = min(vol, key=vol.get)  # type: ignore[arg-type]
    q = which.model_copy(
        update={
            "normalized": "which was less volatile in 2011?",
            "verdict": Verdict(kind="which", predicate="more volatile"),
            "quantity": Quantity(metric="volatility"),
        }
    )
    assert answer([aapl, ibm], q)[0].startswith(f"{calmer} was the less volatile over 2011")


def test_a_comparison_with_one_company_left_says_there_is_no_ranking() -> None:
    ev = Evidence.make(
        kind="comparison",
        tickers=["GOOG", "FB"],
        as_of=AS_OF,
        values={
            "metric": "risk",
            "by_ticker": {
                "GOOG": {"var_95_1d": 0.021, "var_99_1d": 0.035, "volatility_annual": 0.3}
            },
            "unavailable": {"FB": "need at least 251 bars up to 2012-06-29, but only 30 are"},
        },
    )
    q = question("Which is riskier, GOOG or FB?", "compare", tickers=("GOOG", "FB"),
                 verdict=Verdict(kind="which", predicate="riskier"))  # fmt: skip
    first, _ = answer([ev], q)
    assert first.startswith(
        "Only GOOG can be compared as of 2012-06-29, so there is no ranking: FB is left out (need"
    )


def test_a_return_asked_after_costs_leads_with_the_return(backtest: Evidence) -> None:
    q = question(
        "What annual return did the technical strategy make on AAPL, after costs?",
        "backtest",
        quantity=Quantity(metric="costs", costs=True, strategy="technical"),
    )
    first, out = answer([backtest], q)
    assert first.startswith("The technical strategy on AAPL trailed buy and hold on annual return")
    assert "charges costs of 0.15%" in out.markdown


def test_call_without_a_topic_quotes_what_the_question_is_about() -> None:
    text = (
        "Microsoft fiscal year 2012 fourth quarter earnings call (a transcript). Chief Executive "
        "Officer: We are preparing the launch of Windows 8. Chief Financial Officer: Revenue rose "
        "in the business division."
    )
    ev = Evidence.make(
        kind="call",
        tickers=["MSFT"],
        as_of=AS_OF,
        values={"text": text, "injection_suspected": False},
        window=Window(end=date(2012, 6, 20)),
        source={"document": "c1", "filed": "2012-06-20"},
    )
    first, _ = answer([ev], question("MSFT call CFO comments", "call", tickers=("MSFT",)))
    assert 'says: "Chief Financial Officer: Revenue rose in the business division."' in first
    said = question("What did Microsoft management say on the call?", "call", tickers=("MSFT",))
    first, _ = answer([ev], said)
    assert 'says: "Chief Executive Officer: We are preparing the launch of Windows 8."' in first
