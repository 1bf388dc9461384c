"""Lead sentences for questions found by trying an outside set: how far from the peak, MACD
bullish or bearish, two moving averages at once, inside or outside the Bollinger bands, and a
strategy no backtest implements (said first, then the closest one's result)."""

from __future__ import annotations

from datetime import date

import pytest

from agent.lead import lead_sentence
from agent.ledger import Ledger
from agent.request import Quantity
from data.providers.bundled import BundledProvider
from data.service import MarketData
from tests.agent.test_lead import AS_OF, answer, question, remade
from tools.backtest import backtest_evidence
from tools.context import ToolContext
from tools.market import market_snapshot_evidence
from tools.period import period_evidence
from tools.risk import risk_evidence
from tools.technicals import technicals_evidence


@pytest.fixture(scope="module")
def ctx() -> ToolContext:
    return ToolContext(as_of=AS_OF, market=MarketData([BundledProvider()]))


def test_how_far_from_the_peak_is_the_close_against_the_years_best_close(
    ctx: ToolContext,
) -> None:
    market = market_snapshot_evidence(ctx, "IBM")
    v = market.values
    assert v["drawdown_from_peak_52w"] == pytest.approx(v["close"] / v["close_high_52w"] - 1)
    assert v["close_high_52w"] <= v["high_52w"]  # a close, not the intraday high
    q = question(
        "How far is IBM off its high?",
        "drawdown",
        tickers=("IBM",),
        quantity=Quantity(metric="from_peak"),
    )
    first, _ = answer([market], q)
    assert first.startswith(
        f"IBM closed at {v['close']:.2f} on 2012-06-29, {v['drawdown_from_peak_52w']:+.1%} from "
        f"its highest close of the past 52 weeks, {v['close_high_52w']:.2f} on "
        f"{v['close_high_date_52w']}"
    )


def test_macd_bullish_or_bearish_says_which(ctx: ToolContext) -> None:
    tech = technicals_evidence(ctx, "MSFT")
    ind = tech.values["indicators"]
    q = question(
        "MACD on msft - bullish or bearish?",
        "indicator",
        tickers=("MSFT",),
        quantity=Quantity(metric="macd"),
    )
    word = "Bullish" if ind["macd"] > ind["macd_signal"] else "Bearish"
    assert answer([tech], q)[0].startswith(f"{word} -- MSFT's MACD is {ind['macd']:.3f}")


def test_two_moving_averages_named_are_both_answered(ctx: ToolContext) -> None:
    tech = technicals_evidence(ctx, "IBM")
    ind, close = tech.values["indicators"], tech.values["close"]
    q = question(
        "Where is IBM trading relative to its 50 and 200 day moving averages?",
        "indicator",
        tickers=("IBM",),
        quantity=Quantity(metric="sma_50"),
    )
    first, _ = answer([tech], q)
    side = {k: "above" if close > ind[k] else "below" for k in ("sma_50", "sma_200")}
    assert first.startswith(
        f"IBM closed at {close:.2f} on 2012-06-29, {side['sma_50']} its SMA50 of "
        f"{ind['sma_50']:.2f} and {side['sma_200']} its SMA200 of {ind['sma_200']:.2f}"
    )


@pytest.mark.parametrize(
    ("asked", "pct_b", "expected"),
    [
        ("is it outside the bands", 0.4, "No -- "),
        ("is it outside the bands", 1.2, "Yes -- "),
        ("is it inside the bollinger bands", 0.4, "Yes -- "),
        ("is it below its lower bollinger band", -0.1, "Yes -- "),
        ("is it above the upper band", -0.1, "No -- "),
    ],
)
def test_inside_or_outside_the_bands_is_yes_or_no(
    ctx: ToolContext, asked: str, pct_b: float, expected: str
) -> None:
    tech = technicals_evidence(ctx, "GOOG")
    ind = tech.values["indicators"] | {"bb_pct_b": pct_b}
    tech = remade(tech, indicators=ind)
    q = question(
        f"bollinger bands for GOOG? {asked}",
        "indicator",
        tickers=("GOOG",),
        quantity=Quantity(metric="bb_pct_b"),
    )
    first, _ = answer([tech], q)
    where = (
        "inside the bands"
        if 0 <= pct_b <= 1
        else "above the upper band"
        if pct_b > 1
        else "below the lower band"
    )
    assert first.startswith(f"{expected}GOOG closed at") and where in first


def test_a_strategy_no_backtest_implements_is_said_first(ctx: ToolContext) -> None:
    ev = backtest_evidence(ctx, "IBM", start=None, strategy="technical")
    q = question(
        "does RSI mean reversion work on IBM?",
        "backtest",
        tickers=("IBM",),
        quantity=Quantity(strategy="technical", unsupported_strategy="an RSI mean-reversion"),
        verdict=None,
    )
    first, _ = answer([ev], q)
    assert first.startswith(
        "I don't backtest an RSI mean-reversion strategy; the closest one I run is the "
        "technical strategy: the technical strategy on IBM"
    )


def test_the_best_month_of_a_window_is_named_with_its_return(ctx: ToolContext) -> None:
    year = period_evidence(
        ctx, "MSFT", start=date(2011, 1, 1), end=date(2011, 12, 31), label="2011"
    )
    v = year.values
    assert v["best_month"] == "October 2011" and v["worst_month"] == "September 2011"
    q = question(
        "what was msft's best month in 2011",
        "return",
        tickers=("MSFT",),
        quantity=Quantity(metric="best_month"),
    )
    first, _ = answer([year], q)
    assert first.startswith(
        f"MSFT's best month over 2011 was October 2011, when it returned "
        f"{v['best_month_return']:+.1%}; the whole period returned {v['return']:+.1%}"
    )


def test_var_for_an_amount_held_states_the_loss_in_money(ctx: ToolContext) -> None:
    ev = risk_evidence(ctx, "MSFT", horizons=(1, 10), levels=(0.95, 0.99), position_value=100_000)
    row = next(
        r
        for r in ev.values["results"]
        if r["method"] == "historical" and r["level"] == 0.99 and r["horizon_days"] == 10
    )
    assert row["var_amount"] == pytest.approx(row["var"] * 100_000)
    q = question(
        "If I hold $100k of MSFT, what's my 99% 10-day VaR?",
        "var",
        tickers=("MSFT",),
        quantity=Quantity(level=0.99, horizon_days=10, account_size=100_000, currency="USD"),
    )
    first, _ = answer([ev], q)
    assert first.startswith(f"MSFT's 99% 10-day VaR is {row['var']:.2%}")
    assert f"a loss of ${row['var_amount']:,.2f} on $100,000 held" in first


def test_var_at_a_level_other_than_95_or_99_is_computed_at_that_level(ctx: ToolContext) -> None:
    ev = risk_evidence(ctx, "IBM", horizons=(1,), levels=(0.95, 0.975, 0.99))
    q = question("IBM's 97.5% VaR?", "var", tickers=("IBM",), quantity=Quantity(level=0.975))
    lead = lead_sentence(q, Ledger([ev]), as_of=AS_OF)
    assert lead is not None and lead.text.startswith("IBM's 97.5% 1-day VaR is")
    first, out = answer([ev], q)
    assert "nearest" not in out.markdown.lower()


def test_where_the_bollinger_bands_are_gives_the_bands(ctx: ToolContext) -> None:
    tech = technicals_evidence(ctx, "GOOG")
    ind = tech.values["indicators"]
    q = question(
        "where are the bollinger bands on goog",
        "indicator",
        tickers=("GOOG",),
        quantity=Quantity(metric="bb_pct_b"),
    )
    assert answer([tech], q)[0].startswith(
        f"GOOG's Bollinger bands on 2012-06-29: upper {ind['bb_upper']:.2f}, middle "
        f"{ind['bb_middle']:.2f}, lower {ind['bb_lower']:.2f}"
    )


def test_an_amount_invested_over_a_window_is_what_it_became(ctx: ToolContext) -> None:
    ev = period_evidence(ctx, "AAPL", start=date(2009, 1, 1), end=date(2011, 12, 31), amount=10_000)
    v = ev.values
    assert v["amount_end"] == pytest.approx(10_000 * (1 + v["return"]))
    q = question(
        "what would 10k in apple in jan 2009 be worth by end of 2011",
        "return",
        quantity=Quantity(account_size=10_000),
    )
    first, _ = answer([ev], q)
    assert f"so $10,000 invested at the start became ${v['amount_end']:,.2f}" in first


def test_a_brief_answer_is_the_sentence_that_answers_and_keeps_its_reasons(
    ctx: ToolContext,
) -> None:
    from agent.compose import assemble
    from agent.offline_writer import template_draft
    from agent.verifier import verify
    from tools.signal import signal_evidence

    sig, _ = signal_evidence(ctx, "IBM")
    risk = risk_evidence(ctx, "IBM", horizons=(1,), levels=(0.95, 0.99))
    for evidence, q in (
        ([sig], question("Give me a one-line verdict on IBM", "signal", tickers=("IBM",))),
        (
            [risk],
            question(
                "IBM 99% VaR, just the number",
                "var",
                tickers=("IBM",),
                quantity=Quantity(level=0.99),
            ),
        ),
    ):
        ledger = Ledger(evidence)
        draft = template_draft(ledger, question=q, as_of=AS_OF, failed=())
        out = assemble(
            draft,
            question=q.text,
            tickers=["IBM"],
            as_of=AS_OF,
            ledger=ledger,
            ask=q.ask,
            brief=True,
        )
        assert verify(out, ledger).ok
        body = out.markdown.split("\n\n")
        assert "**Why**" not in out.markdown and "| part |" not in out.markdown
        assert out.reasons == draft.reasons  # the structured answer keeps them
        assert body[0].startswith("IBM: " if q.ask == "signal" else "IBM's 99% 1-day VaR is")


def test_beside_a_signal_the_technical_score_carries_no_action_of_its_own(
    ctx: ToolContext,
) -> None:
    """One vocabulary: "MSFT: SELL" and "the technical score is 0.41 (HOLD)" in one answer read
    as two verdicts; beside the signal the score is given without its own label."""
    from tools.signal import signal_evidence

    sig, _ = signal_evidence(ctx, "MSFT")
    tech = technicals_evidence(ctx, "MSFT")
    q = question("Should I buy MSFT?", "signal", tickers=("MSFT",))
    _, out = answer([sig, tech], q)
    action = tech.values["technical"]["action"]
    assert f"technical score is {tech.values['technical']['score']:.2f} ({action})" not in (
        out.markdown
    )
    assert "the action shown is the confluence signal's" in out.markdown
    alone = question("Show me MSFT's technicals", "indicator", tickers=("MSFT",))
    _, out = answer([tech], alone)
    assert f"({action})" in out.markdown  # the technicals alone keep their own verdict
