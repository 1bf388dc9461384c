"""The typed request: what a question asks, as data.

``agent.question.parse_question`` (rules, backed by MiniLM exemplars) or an LLM with structured
output fills it; the planner chooses tools and arguments from it; the writer's first sentence
answers it; the verifier and the "answers the question" eval metric check that first sentence
against it. It is part of ``ParsedQuestion`` (``ask``, ``quantity``, ``verdict``, ``scope``,
``decline``), so it travels in the LangGraph state and in ``ask --json``.

Relative periods are kept relative ("the last year" is ``lookback_days=365``, "this year" is
``year_to_date``): they are resolved against the turn's as-of date by the tool that computes
them, so a question asked "as of 2012-06-29" about "the last year" never reads the wall clock.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Ask", "Decline", "DeclineReason", "DocScope", "Period", "Quantity", "Verdict"]

Ask = Literal[
    "overview",  # a company named, nothing specific asked: the signal with its evidence
    "signal",  # should I buy / outlook / rating: the action, score, confidence, position
    "position_size",  # how much to put in (as a fraction, or in currency for an account size)
    "price",  # the last close (or the close on a date)
    "return",  # the return over a named or trailing period
    "range",  # the 52-week (or a period's) high and/or low
    "indicator",  # one named indicator's value: RSI, MACD, an SMA, the Bollinger width, ...
    "overbought",  # yes/no: overbought or oversold (RSI, %b)
    "trend",  # yes/no: up/down trend, above/below a moving average, golden/death cross
    "regime",  # bull or bear regime
    "var",  # value at risk at a level and horizon
    "cvar",  # expected shortfall (CVaR) at a level and horizon
    "volatility",  # annualised volatility (realised over a window)
    "drawdown",  # realised max drawdown over a past window, or the forward drawdown risk
    "backtest",  # how a strategy did/would have done: walk-forward with costs vs buy and hold
    "model_record",  # has the model held up out of sample: the walk-forward record
    "track_record",  # how SignalDesk's own recorded calls did (hit rate vs the baselines)
    "direction",  # will it go up (tomorrow, next week): the model's probability, or a decline
    "filing",  # what a filing says about a topic/section: an extractive summary, cited
    "filing_figure",  # a figure from a filing's tables (net sales, growth between years)
    "call",  # what management said on earnings calls
    "news",  # headlines/news about a company or topic
    "sentiment",  # the mood/tone: the sentiment score
    "compare",  # which of two or more companies is more X
    "why",  # explain the drivers of the previous answer
    "capabilities",  # what can you do
]

DeclineReason = Literal[
    "future_date",  # the question asks about a date after the as-of date / today
    "exact_price",  # an exact future price or price target
    "advice",  # personal advice, guarantees, life savings
    "what_to_buy",  # "tell me exactly what to buy": no pick without a company
    "bad_level",  # a VaR/CVaR confidence outside (50%, 100%), e.g. 150%
    "bad_horizon",  # a horizon the tools cannot compute (0 days, 10 years of VaR)
    "unknown_company",  # a company or ticker the data does not cover (Tesla, NFLX)
    "no_company",  # a company-specific ask with no company named or inherited
    "unsupported",  # nothing this product researches
    "no_data",  # a figure the data does not hold: P/E, dividend yield, market cap, options
]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Period(_Frozen):
    """A window of past bars. Exactly one way of saying it is set: absolute dates (``start`` and
    ``end``, e.g. calendar 2011 = 2011-01-01..2011-12-31; ``end`` None = up to the as-of date),
    ``lookback_days`` (calendar days back from the as-of date: "the last year" = 365, "past 6
    months" = 182), or ``year_to_date``."""

    start: date | None = None
    end: date | None = None
    lookback_days: int | None = Field(default=None, ge=1, le=36500)
    year_to_date: bool = False
    label: str = ""  # as the question said it: "2011", "the last year", "Q3 2012"


class Quantity(_Frozen):
    """The number asked for and what it depends on (every field optional)."""

    metric: str | None = None  # indicator key (rsi_14, bb_bandwidth, sma_50, macd), backtest
    # metric (sharpe, annual_return, max_drawdown, costs), compare metric (momentum, risk,
    # signal, volatility, return), or a filing figure (net_sales)
    level: float | None = None  # VaR/CVaR confidence as a fraction (0.99); may be invalid (1.5)
    horizon_days: int | None = None  # trading days ahead: VaR horizon, forecast horizon
    period: Period | None = None  # a past window: returns, realised drawdown, volatility, range
    account_size: float | None = None  # "with a $50,000 account", "if I hold $100k": money
    currency: str | None = None  # "USD" (from "$"), "EUR", ...
    strategy: str | None = None  # technical, ml, confluence, buy_and_hold, sma_cross
    # a strategy named that no backtest implements ("an RSI mean-reversion"); the closest runs
    # (``strategy``) and the answer says so first
    unsupported_strategy: str | None = None
    baseline: str | None = None  # what the strategy is held against ("buy_and_hold")
    costs: bool = False  # the question asks about trading costs


class Verdict(_Frozen):
    """A judgement the first sentence must state in the question's own terms."""

    kind: Literal["yes_no", "which", "bull_bear", "up_down"]
    predicate: str  # "overbought", "oversold", "above sma_200", "riskier", "better momentum"


class DocScope(_Frozen):
    """Which documents a filings/calls/news question is about."""

    kind: Literal["filing", "call", "news"]
    form: Literal["10-K", "10-Q", "8-K"] | None = None
    fiscal_year: int | None = None
    fiscal_years: tuple[int, ...] = ()  # a figure compared between years (growth 2009 -> 2010)
    latest: bool = False  # "the latest/most recent 10-K" as of the as-of date
    section: str | None = None  # "Item 1A", "Item 7", "Item 1"
    topic: str | None = None  # "competition", "net sales", "supply chain" (the query)
    figure: str | None = None  # a number read from the filing's tables: "net_sales"


class Decline(_Frozen):
    """Why the question is declined before any tool runs; ``offer`` says what can be done."""

    reason: DeclineReason
    detail: str = ""  # the offending value: "150%", "TSLA", "2030-01-01"
    offer: str = ""  # what the agent can answer instead
