"""The numbers-only briefing (no agent): every ticker's signal computed at once.

Three steps, each ticker keeping its own time limit and its own errors:

1. per ticker, on the pool: the signal's inputs (bars, sentiment, ML part;
   ``tools.signal_batch.signal_inputs``): the I/O, which may hang or fail for one ticker;
2. once, for every ticker that got its inputs: the technical scores, regimes, sizes and
   evidence (``signals_from_inputs``), vectorised across tickers;
3. per ticker, on the pool: the brief (risk, prices) around that signal (``numbers_brief``).

The briefs are those the one-ticker path (``brief_ticker(None, ...)``) gives.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from functools import partial

from briefing._pool import Outcome, run_each
from briefing.models import TickerBrief
from briefing.ticker import numbers_brief
from tools.context import ToolContext
from tools.errors import MODEL_FIXABLE
from tools.signal_batch import (
    SignalFailure,
    SignalInputs,
    SignalOutcome,
    signal_inputs,
    signals_from_inputs,
)

__all__ = ["run_numbers"]


def _gather(ctx: ToolContext, ticker: str) -> SignalInputs | SignalFailure:
    """The ticker's inputs; a model-fixable error (too little history) is kept for its brief,
    any other error raises (the pool reports it as the ticker's failure)."""
    try:
        return signal_inputs(ctx, ticker)
    except MODEL_FIXABLE as err:
        return SignalFailure(ticker=ticker, error=err)


def run_numbers(
    ctx: ToolContext,
    tickers: Sequence[str],
    *,
    workers: int,
    timeout_s: float,
    on_done: Callable[[str, Outcome[TickerBrief]], None],
) -> None:
    """Every ticker's numbers-only brief (see the module docstring); ``on_done`` gets each
    ticker's outcome once: a brief, an error or a timeout, as ``run_each`` reports them."""
    ctx = ctx.with_memo()  # tickers with a model share one feature panel
    gathered = run_each(tickers, partial(_gather, ctx), workers=workers, timeout_s=timeout_s)
    ready: dict[str, SignalInputs | SignalFailure] = {}
    for ticker in tickers:
        outcome = gathered[ticker]
        if outcome.kind == "ok" and outcome.value is not None:
            ready[ticker] = outcome.value
        else:
            on_done(ticker, Outcome(outcome.kind, error=outcome.error, seconds=outcome.seconds))
    inputs = [g for g in ready.values() if isinstance(g, SignalInputs)]
    started = time.perf_counter()
    computed = dict(zip((i.ticker for i in inputs), signals_from_inputs(ctx, inputs), strict=True))
    share = (time.perf_counter() - started) / max(len(inputs), 1)

    def brief(ticker: str) -> TickerBrief:
        got = ready[ticker]
        signal: SignalOutcome = got if isinstance(got, SignalFailure) else computed[ticker]
        earlier = gathered[ticker].seconds + (share if isinstance(got, SignalInputs) else 0.0)
        return numbers_brief(ctx, ticker, signal=signal, started=time.perf_counter() - earlier)

    run_each(list(ready), brief, workers=workers, timeout_s=timeout_s, on_done=on_done)
