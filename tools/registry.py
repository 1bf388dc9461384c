"""The LangChain tools the agent may call: thin adapters over the evidence functions.

Each tool validates the model's arguments against a pydantic schema (tickers upper-cased; the
as-of date is never an argument: it comes from the run context, and a filing-date filter never
reaches past it), computes evidence at the run's
as-of date and returns ``(summary, artifact)``: a short text for the model, citing evidence ids,
and the list of Evidence dicts for the ledger, the UI and evals. Errors the model can fix come
back to it as a one-line tool error; system faults (data unavailable, database down) raise.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, Literal

from langchain_core.tools import BaseTool, StructuredTool, ToolException
from pydantic import BaseModel, Field, StringConstraints, ValidationError, field_validator

from tools.backtest import backtest_evidence
from tools.compare import Metric, compare_evidence
from tools.documents import NoIndexError, nothing_indexed, search_evidence
from tools.errors import MODEL_FIXABLE
from tools.evidence import Evidence
from tools.figures import FIGURES, figure_evidence
from tools.forecast import NoModelError, forecast_evidence
from tools.market import market_snapshot_evidence
from tools.period import period_evidence
from tools.risk import risk_evidence
from tools.runtime import ToolInputError, current_context
from tools.sentiment import sentiment_evidence
from tools.signal import signal_evidence
from tools.technicals import technicals_evidence
from tools.track_record import track_record_evidence

__all__ = ["MODEL_FIXABLE", "TOOLS", "TOOLS_BY_NAME", "market_snapshot_evidence"]

Ticker = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_upper=True, min_length=1, max_length=12),
    Field(description="Ticker symbol, e.g. MSFT, BRK-B or ^GSPC (case does not matter)."),
]
Query = Annotated[str, Field(min_length=2, max_length=500, description="What to look for.")]
K = Annotated[int, Field(ge=1, le=20, description="How many passages to return.")]


class TickerArgs(BaseModel):
    ticker: Ticker


class SignalArgs(TickerArgs):
    account_size: float | None = Field(
        None,
        gt=0,
        le=1e12,
        description="Account size in currency, to state the suggested position in currency.",
    )


class PeriodArgs(TickerArgs):
    start: date | None = Field(
        None,
        description="First calendar day of the window (YYYY-MM-DD), e.g. 2011-01-01 for 2011.",
    )
    end: date | None = Field(
        None,
        description="Last calendar day (YYYY-MM-DD), only with start; omit for up to the as-of "
        "date (a later end is clipped to it).",
    )
    lookback_days: int | None = Field(
        None,
        ge=1,
        le=36500,
        description="Instead of start: calendar days back from the as-of date (365 = last year).",
    )
    year_to_date: bool = Field(
        False, description="Instead of start: from 1 January of the as-of date's year."
    )
    amount: float | None = Field(
        None, gt=0, description="An amount invested at the start: what it grew to is given too."
    )


class ForecastArgs(TickerArgs):
    horizon: Literal[1, 5, 20] = Field(5, description="Trading days ahead: 1, 5 or 20.")


class BacktestArgs(TickerArgs):
    strategy: Literal["technical", "ml", "confluence", "buy_and_hold", "sma_cross"] = "confluence"
    start_year: int | None = Field(
        None, ge=1990, le=2100, description="First calendar year tested; omit for all history."
    )


class RiskArgs(TickerArgs):
    horizon_days: int = Field(10, ge=1, le=252, description="VaR horizon in trading days.")
    level: float | None = Field(
        None,
        gt=0.5,
        lt=1.0,
        description="An extra confidence level, e.g. 0.975 (95% and 99% are always computed).",
    )
    position_value: float | None = Field(
        None, gt=0, description="The amount held, in currency: VaR and CVaR as amounts too."
    )
    drawdown_days: int = Field(
        252, ge=5, le=252, description="Trading days ahead of the forward drawdown distribution."
    )


class TrackRecordArgs(BaseModel):
    ticker: Ticker | None = Field(
        None, description="The company whose calls to score; omit for every company's calls."
    )


class SearchArgs(BaseModel):
    query: Query
    ticker: Ticker | None = None
    k: K = 5


class FilingSearchArgs(SearchArgs):
    section: str | None = Field(None, description="Filing section, e.g. 'Item 1A' (risk factors).")
    form: Literal["10-K", "10-Q", "8-K"] | None = Field(None, description="Filing form.")
    fiscal_year: int | None = Field(
        None, ge=1990, le=2100, description="Fiscal year the filing reports on, e.g. 2010."
    )
    filed_after: date | None = Field(
        None, description="Only filings filed on or after this date (YYYY-MM-DD)."
    )
    filed_before: date | None = Field(
        None, description="Only filings filed on or before this date (YYYY-MM-DD)."
    )
    latest: bool = Field(
        False,
        description="Only the latest filing of the form (the 10-K when no form is given) "
        "filed by the as-of date: 'the latest 10-K', 'the most recent annual report'.",
    )
    subsection: str | None = Field(
        None,
        max_length=100,
        description="A heading inside the section, e.g. 'Competition' inside 'Item 1'.",
    )


class FigureArgs(TickerArgs):
    figure: str = Field(
        min_length=2,
        max_length=60,
        description=f"The table row to read: one of {', '.join(FIGURES)} (or its label, e.g. "
        "'Net sales', 'revenue').",
    )
    fiscal_years: list[int] = Field(
        default_factory=list,
        max_length=5,
        description="Fiscal years to read, e.g. [2009, 2010]; growth is given between them. "
        "Empty: the latest 10-K's fiscal year and the one before it.",
    )

    @field_validator("fiscal_years")
    @classmethod
    def _years(cls, years: list[int]) -> list[int]:
        if any(not 1990 <= y <= 2100 for y in years):
            raise ValueError("fiscal years must be between 1990 and 2100")
        return years


class CompareArgs(BaseModel):
    tickers: list[Ticker] = Field(min_length=2, max_length=5, description="2 to 5 tickers.")
    metric: Metric

    @field_validator("tickers")
    @classmethod
    def _distinct(cls, tickers: list[str]) -> list[str]:
        if len(set(tickers)) != len(tickers):
            raise ValueError("tickers must be distinct")
        return tickers


def _reply(evidence: list[Evidence], *, empty: str = "") -> tuple[str, list[dict[str, Any]]]:
    text = "\n".join(f"[{ev.id}] {ev.summary}" for ev in evidence) or empty
    return text, [ev.model_dump(mode="json") for ev in evidence]


def market_snapshot(ticker: str) -> tuple[str, list[dict[str, Any]]]:
    """Use for "how is X trading": last close, 1/5/20/60/250-day returns and the 52-week
    high/low at the session's as-of date. Returns a summary citing one market evidence id."""
    return _reply([market_snapshot_evidence(current_context(), ticker)])


def technicals(ticker: str) -> tuple[str, list[dict[str, Any]]]:
    """Use for chart/indicator questions: RSI, MACD, moving averages, Bollinger and 30+ other
    indicators, the technical score in [0, 1] with its action, and whether the weekly timeframe
    agrees. Returns a summary citing one technicals evidence id."""
    return _reply([technicals_evidence(current_context(), ticker)])


def signal(ticker: str, account_size: float | None = None) -> tuple[str, list[dict[str, Any]]]:
    """Use for "should I buy/sell X": the deterministic signal (STRONG BUY..STRONG SELL) from
    technicals, sentiment and the ML forecast, with score, confidence, suggested position (a
    fraction of the account) and regime. Give `account_size` when the user states one ("I have
    $50,000"): the position is then also given in currency. Quote its action; never invent one.
    Returns the signal evidence and its supports."""
    main, supporting = signal_evidence(current_context(), ticker, account_size=account_size)
    return _reply([main, *supporting])


def period_stats(
    ticker: str,
    start: date | None = None,
    end: date | None = None,
    lookback_days: int | None = None,
    year_to_date: bool = False,
    amount: float | None = None,
) -> tuple[str, list[dict[str, Any]]]:
    """Use for what X did over a past window: a calendar period's return ("in 2011", "in Q1
    2012", "year to date"), the realised max drawdown or realised volatility over a past window
    ("over the last year", "during 2008"), or a period's high and low. Give the window one way:
    start (with an optional end), lookback_days, or year_to_date. The return is measured from
    the last close before the window; with `amount`, what that sum invested at the start grew
    to. Not for forward risk (use risk). Returns one period evidence."""
    return _reply(
        [
            period_evidence(
                current_context(),
                ticker,
                start=start,
                end=end,
                lookback_days=lookback_days,
                year_to_date=year_to_date,
                amount=amount,
            )
        ]
    )


def model_forecast(ticker: str, horizon: int = 5) -> tuple[str, list[dict[str, Any]]]:
    """Use for "will X go up": the trained model's probability that X rises over `horizon`
    trading days, with its walk-forward record and go/no-go verdict. Fails when no model is
    trained; then answer without a forecast."""
    ctx = current_context()
    try:
        evidence = forecast_evidence(ctx, ticker, horizon=horizon)
    except NoModelError as err:
        if "signaldesk train" in str(err):
            raise
        raise NoModelError(
            f"{err}: no trained {ticker} model; one is trained with "
            f"`signaldesk train {ticker} --end {ctx.as_of} --horizons {horizon}`. "
            "Answer without a forecast."
        ) from err
    return _reply([evidence])


def backtest(
    ticker: str, strategy: str = "confluence", start_year: int | None = None
) -> tuple[str, list[dict[str, Any]]]:
    """Use for "how would strategy S have done on X": walk-forward backtest (costs and slippage
    included) of `strategy` against buy-and-hold and SMA-cross baselines, with the naive
    in-sample result for contrast. Slow (seconds to minutes). Returns one backtest evidence."""
    ctx = current_context()
    if start_year is not None and start_year >= ctx.as_of.year:
        raise ToolInputError(
            f"start_year {start_year} leaves no history before {ctx.as_of}: pick an earlier year"
        )
    start = date(start_year, 1, 1) if start_year is not None else None
    return _reply([backtest_evidence(ctx, ticker, start=start, strategy=strategy)])


def risk(
    ticker: str,
    horizon_days: int = 10,
    level: float | None = None,
    position_value: float | None = None,
    drawdown_days: int = 252,
) -> tuple[str, list[dict[str, Any]]]:
    """Use for risk questions: 95%/99% (and `level`) VaR and CVaR over 1 day and `horizon_days`
    (historical, normal, Cornish-Fisher, Monte Carlo, bootstrap), annual volatility and the
    drawdown distribution over `drawdown_days`; with `position_value`, the losses as amounts of
    that holding too.
    Returns a summary citing one risk evidence id."""
    horizons = (1,) if horizon_days == 1 else (1, horizon_days)
    levels = tuple(sorted({0.95, 0.99, *([level] if level is not None else [])}))
    ev = risk_evidence(
        current_context(),
        ticker,
        horizons=horizons,
        levels=levels,
        position_value=position_value,
        path_horizon=drawdown_days,
    )
    return _reply([ev])


def sentiment(ticker: str) -> tuple[str, list[dict[str, Any]]]:
    """Use for "what is the mood on X": news and earnings-call sentiment up to the as-of date,
    in [-1, 1], with the items that moved it most. Says so when nothing is dated to score."""
    return _reply([sentiment_evidence(current_context(), ticker)])


def _search(kind: Any, query: str, ticker: str | None, k: int, **filters: Any) -> Any:
    ctx = current_context()
    found = search_evidence(ctx, query, ticker=ticker, kinds=(kind,), k=k, **filters)
    if found:
        return _reply(found)
    try:
        why = nothing_indexed(ctx, kind=kind, ticker=ticker)
    except NoIndexError:  # no index at all: nothing of any kind was ingested
        who = f" for {ticker.upper()}" if ticker else ""
        why = f"no documents are indexed{who} up to {ctx.as_of}; ingest them with "
        why += "`signaldesk ingest folder DIR` or `signaldesk ingest edgar TICKER`"
    return _reply([], empty=why or f"No {kind} passages match {query!r} up to the as-of date.")


def search_filings(
    query: str,
    ticker: str | None = None,
    section: str | None = None,
    form: str | None = None,
    fiscal_year: int | None = None,
    filed_after: date | None = None,
    filed_before: date | None = None,
    k: int = 5,
    latest: bool = False,
    subsection: str | None = None,
) -> tuple[str, list[dict[str, Any]]]:
    """Use for what a company wrote in its 10-K/10-Q/8-K filings (risks, margins, segments),
    optionally one section ('Item 1A' risk factors, 'Item 7' MD&A) and a heading inside it
    ('Competition'), form, fiscal year or the latest filing, and filing dates. With `latest`
    or `fiscal_year` the passages come from one filing per company. Returns up to `k` cited
    passages available by the as-of date, one evidence id each, the most relevant sentences
    quoted as "key sentences". Not for numbers from tables: use filing_figure."""
    return _search(
        "filing",
        query,
        ticker,
        k,
        section=section,
        subsection=subsection,
        form=form,
        fiscal_year=fiscal_year,
        latest=latest,
        filed_after=filed_after,
        filed_before=filed_before,
    )


def filing_figure(
    ticker: str, figure: str, fiscal_years: list[int] | None = None
) -> tuple[str, list[dict[str, Any]]]:
    """Use for a number a 10-K reports in its tables (net sales/revenue, net income, cost of
    sales, gross margin, operating income, R&D) for given fiscal years, e.g. "Apple's net
    sales in 2009 and 2010" or "how much did revenue grow": reads the table cells of the
    latest 10-K filed by the as-of date that reports those years. Returns one figure evidence
    with the value per year, the growth between consecutive years and the table row. Without
    fiscal years ("last fiscal year"): the latest 10-K's year and the one before it."""
    return _reply([figure_evidence(current_context(), ticker, figure, fiscal_years or ())])


def search_calls(
    query: str, ticker: str | None = None, k: int = 5
) -> tuple[str, list[dict[str, Any]]]:
    """Use for what management said on earnings calls (guidance, tone, analyst questions).
    Returns up to `k` cited transcript passages available by the as-of date."""
    return _search("call", query, ticker, k)


def news(query: str, ticker: str | None = None, k: int = 5) -> tuple[str, list[dict[str, Any]]]:
    """Use for recent news about a company or topic. Returns up to `k` cited news passages
    published by the as-of date."""
    return _search("news", query, ticker, k)


def compare(tickers: list[str], metric: str) -> tuple[str, list[dict[str, Any]]]:
    """Use to compare 2-5 tickers side by side on one metric: "momentum" (20/60/250-day
    returns and RSI), "risk" (1-day 95%/99% historical VaR, annual volatility) or "signal"
    (action and score). Returns one comparison evidence plus the evidence it was taken from."""
    return _reply(compare_evidence(current_context(), tickers, metric))


def track_record(ticker: str | None = None) -> tuple[str, list[dict[str, Any]]]:
    """Use for how SignalDesk's OWN calls did ("how have your calls on IBM done?", "your track
    record", "how accurate have your signals been?"), not for how the company or a strategy
    did: the signal calls it recorded (chat, ask, briefing, API) up to the as-of date, per
    horizon (1, 5, 20 trading days): how many, how many resolved and pending, the hit rate over
    the last 100 resolved and over all, beside always-buy and momentum on the same calls.
    Zero counts when nothing is recorded or resolved yet. Returns one track_record evidence."""
    return _reply([track_record_evidence(current_context(), ticker)])


def _model_fixable(fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except MODEL_FIXABLE as err:
            raise ToolException(f"{fn.__name__} failed: {err}") from err

    return run


def _invalid_arguments(err: ValidationError | Any) -> str:
    problems = "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'arguments'}: {e['msg']}" for e in err.errors()
    )
    return f"invalid arguments: {problems}. Fix them and call the tool again."


def _make(fn: Callable[..., Any], schema: type[BaseModel]) -> BaseTool:
    return StructuredTool.from_function(
        func=_model_fixable(fn),
        name=fn.__name__,
        description=inspect.getdoc(fn),
        args_schema=schema,
        response_format="content_and_artifact",
        handle_tool_error=True,
        handle_validation_error=_invalid_arguments,
    )


TOOLS: list[BaseTool] = [
    _make(market_snapshot, TickerArgs),
    _make(period_stats, PeriodArgs),
    _make(technicals, TickerArgs),
    _make(signal, SignalArgs),
    _make(model_forecast, ForecastArgs),
    _make(backtest, BacktestArgs),
    _make(risk, RiskArgs),
    _make(sentiment, TickerArgs),
    _make(search_filings, FilingSearchArgs),
    _make(filing_figure, FigureArgs),
    _make(search_calls, SearchArgs),
    _make(news, SearchArgs),
    _make(compare, CompareArgs),
    _make(track_record, TrackRecordArgs),
]
TOOLS_BY_NAME: dict[str, BaseTool] = {t.name: t for t in TOOLS}
