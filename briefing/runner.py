"""Run a briefing: every ticker's brief (concurrently, each with a time limit), the portfolio
panel over the covered tickers, and what changed since the previous briefing.

A ticker that fails (its data source down, too little history, a timeout) is reported in the
briefing with the reason and never stops the others; so is a portfolio that cannot be built.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import partial

from agent.compose import stale_ends
from agent.ledger import Ledger
from agent.runner import Agent
from briefing._pool import Outcome, run_each
from briefing.changes import DocumentSource, what_changed
from briefing.models import BriefingReport, PortfolioPanel, TickerBrief
from briefing.numbers import run_numbers
from briefing.portfolio import portfolio_panel
from briefing.ticker import brief_ticker, briefing_question
from briefing.track import track_lines
from briefing.watchlist import Watchlist
from core import metrics, tracing
from data.errors import DataError
from quant.risk import InsufficientDataError, RiskInputError
from tools.context import ToolContext

__all__ = ["NUMBERS_ONLY", "BriefingPlan", "run_briefing", "thread_id_for"]

log = logging.getLogger(__name__)

NUMBERS_ONLY = "none (numbers only, no explanations)"


def thread_id_for(watchlist: Watchlist, as_of: date, ticker: str) -> str:
    """The chat thread of a ticker's explanation: stable for (watchlist, as-of, ticker)."""
    digest = hashlib.sha256(watchlist.key.encode()).hexdigest()[:8]
    return f"brief-{as_of:%Y%m%d}-{digest}-{ticker}"


@dataclass(frozen=True)
class BriefingPlan:
    """How to run: workers, the per-ticker limit, and whether explanations keep their threads
    (a replay keeps none: its calls are stored, its conversations are not)."""

    workers: int = 4
    ticker_timeout_s: float = 180.0
    keep_threads: bool = True
    stale_after_days: int = 7  # price data this many calendar days older than as-of: stale


def _failed(ticker: str, outcome: Outcome[TickerBrief], timeout_s: float) -> TickerBrief:
    if outcome.kind == "timeout":
        error = f"no answer within {timeout_s:g} s (the ticker's time limit)"
        return TickerBrief(
            ticker=ticker,
            status="timeout",
            error=error,
            question=briefing_question(ticker),
            elapsed_s=outcome.seconds,
        )
    err = outcome.error
    assert err is not None
    message = str(err).strip().splitlines()[0] if str(err).strip() else ""
    if not isinstance(err, DataError):
        log.error("briefing ticker failed", exc_info=err, extra={"ticker": ticker})
    return TickerBrief(
        ticker=ticker,
        status="failed",
        error=f"{type(err).__name__}: {message}" if message else type(err).__name__,
        question=briefing_question(ticker),
        elapsed_s=outcome.seconds,
    )


def run_briefing(
    agent: Agent | None,
    ctx: ToolContext,
    *,
    watchlist: Watchlist,
    plan: BriefingPlan = BriefingPlan(),
    previous: BriefingReport | None = None,
    documents: DocumentSource | None = None,
    on_ticker: Callable[[TickerBrief], None] | None = None,
    run_id: str | None = None,
) -> BriefingReport:
    """The briefing of ``watchlist`` at ``ctx.as_of`` (see the module docstring); with
    ``agent`` None, the numbers only (signals, risk, portfolio) without explanations, the
    signals of all tickers computed at once (``briefing.numbers``). Each run is a ``briefing``
    span and counts into the briefing metrics (``core.metrics``)."""
    started = time.perf_counter()
    with tracing.span(
        "briefing",
        {
            "signaldesk.watchlist": watchlist.key,
            "signaldesk.as_of": ctx.as_of.isoformat(),
            "signaldesk.tickers": len(watchlist.tickers),
        },
    ) as span:
        try:
            report = _run(
                agent,
                ctx,
                watchlist=watchlist,
                plan=plan,
                previous=previous,
                documents=documents,
                on_ticker=on_ticker,
                run_id=run_id,
                started=started,
            )
        except Exception:
            metrics.BRIEFING_RUNS.labels("failed").inc()
            metrics.BRIEFING_SECONDS.observe(time.perf_counter() - started)
            raise
        covered = len(report.covered)
        failed = len(report.tickers) - covered
        status = "complete" if report.complete else "incomplete"
        metrics.BRIEFING_RUNS.labels(status).inc()
        metrics.BRIEFING_SECONDS.observe(report.elapsed_s)
        metrics.BRIEFING_TICKERS.labels("ok").inc(covered)
        metrics.BRIEFING_TICKERS.labels("failed").inc(failed)
        span.set_attribute("signaldesk.status", status)
        span.set_attribute("signaldesk.failed_tickers", failed)
        return report


def _run(
    agent: Agent | None,
    ctx: ToolContext,
    *,
    watchlist: Watchlist,
    plan: BriefingPlan,
    previous: BriefingReport | None,
    documents: DocumentSource | None,
    on_ticker: Callable[[TickerBrief], None] | None,
    run_id: str | None,
    started: float,
) -> BriefingReport:
    as_of = ctx.as_of
    briefs: dict[str, TickerBrief] = {}

    def done(ticker: str, outcome: Outcome[TickerBrief]) -> None:
        brief = outcome.value if outcome.kind == "ok" else None
        briefs[ticker] = brief or _failed(ticker, outcome, plan.ticker_timeout_s)
        if on_ticker is not None:
            on_ticker(briefs[ticker])

    if agent is None:
        run_numbers(
            ctx,
            watchlist.tickers,
            workers=plan.workers,
            timeout_s=plan.ticker_timeout_s,
            on_done=done,
        )
    else:
        run_each(
            watchlist.tickers,
            partial(_explained, agent, ctx, watchlist, plan),
            workers=plan.workers,
            timeout_s=plan.ticker_timeout_s,
            on_done=done,
        )
    lines, track_error = track_lines(ctx, watchlist.tickers)  # one read for every ticker
    ordered = [
        briefs[t].model_copy(update={"track_record": lines.get(t)}) for t in watchlist.tickers
    ]
    panel, panel_error = _portfolio(ctx, watchlist, ordered)
    changes = (
        None
        if previous is None
        else what_changed(previous, ordered, as_of=as_of, documents=documents)
    )
    stale = {
        t: end
        for b in ordered
        if b.status == "ok"
        for t, end in stale_ends(
            Ledger(b.evidence), as_of, after=timedelta(days=plan.stale_after_days)
        ).items()
        if t == b.ticker
    }
    stale_notes = [
        f"{t}: the latest bar is {end}, {(as_of - end).days} days before the as-of date {as_of}"
        for t, end in stale.items()
    ]
    return BriefingReport(
        watchlist_key=watchlist.key,
        watchlist=list(watchlist.tickers),
        weights=watchlist.weight_of(),
        as_of=as_of,
        created_at=datetime.now(UTC),
        model=NUMBERS_ONLY if agent is None else agent.model_label,
        tickers=ordered,
        portfolio=panel,
        portfolio_error=panel_error,
        changes=changes,
        warnings=[f"{b.ticker}: {b.error}" for b in ordered if b.status != "ok"]
        + stale_notes
        + ([track_error] if track_error else []),
        elapsed_s=time.perf_counter() - started,
        run_id=run_id,
        stale=stale,
    )


def _explained(
    agent: Agent, ctx: ToolContext, watchlist: Watchlist, plan: BriefingPlan, ticker: str
) -> TickerBrief:
    """One ticker's brief with the agent's explanation, on its own thread."""
    thread = thread_id_for(watchlist, ctx.as_of, ticker)
    agent.forget(thread)  # a re-run replaces the thread, as it replaces the briefing
    brief = brief_ticker(agent, ctx, ticker=ticker, as_of=ctx.as_of, thread_id=thread)
    if not plan.keep_threads:
        agent.forget(thread)
        brief = brief.model_copy(update={"thread_id": None})
    return brief


def _portfolio(
    ctx: ToolContext, watchlist: Watchlist, briefs: list[TickerBrief]
) -> tuple[PortfolioPanel | None, str | None]:
    """The panel over the covered tickers, or why it could not be built."""
    covered = [b.ticker for b in briefs if b.status == "ok"]
    excluded = {b.ticker: b.error or b.status for b in briefs if b.status != "ok"}
    try:
        closes = {t: ctx.bars(t).frame["close"] for t in covered}
        panel = portfolio_panel(
            closes,
            weights=watchlist.weight_of(),
            as_of=ctx.as_of,
            excluded=excluded,
            seed=ctx.seed,
        )
    except (DataError, InsufficientDataError, RiskInputError) as err:
        return None, str(err).strip().splitlines()[0]
    return panel, None
