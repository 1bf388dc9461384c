"""Signals of many tickers at once: ``signals(ctx, tickers)`` gives, ticker by ticker, exactly
the evidence ``tools.signal.signal_evidence`` returns, or the error it raises.

Three steps:

1. per ticker (I/O), ``signal_inputs``: bars up to ``ctx.as_of``, checked for the technical
   score, then the sentiment part and the ML part, by the same functions and in the same order
   as the one-ticker path (so a ticker fails with the same error); the tickers with a trained
   model share one feature panel (``ToolContext.with_memo``) instead of building one each;
2. every ticker at once: technical scores (``quant.signals.batch``), regimes
   (``quant.regime.regime_labels``) and the volatility behind the position size;
3. per ticker: confluence, size and evidence, by the code the one-ticker path uses.

Point in time: ``ctx.bars`` never returns a bar after ``ctx.as_of``, and the quant steps cut at
``ctx.as_of`` again. An error of one ticker becomes that ticker's ``SignalFailure`` and never
stops the others; ``fixable`` tells errors the caller can fix (unknown ticker, too little
history: ``MODEL_FIXABLE``) from faults (a source down, a bug), which a caller may re-raise.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from data.bars import Bars
from quant.regime import market_regime, regime_labels
from quant.signals.batch import TechnicalInputs, technical_inputs, technical_scores
from quant.signals.confluence import Part
from quant.signals.technical import TechnicalScore
from tools.context import ToolContext
from tools.errors import MODEL_FIXABLE
from tools.evidence import Evidence
from tools.signal import (
    VOL_WINDOW,
    _check_account,
    _ml_part,
    _sentiment_part,
    _signal_of,
    _sizing,
    _volatility,
)

__all__ = [
    "SignalFailure",
    "SignalInputs",
    "SignalOutcome",
    "SignalResult",
    "signal_inputs",
    "signals",
    "signals_from_inputs",
]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class SignalInputs:
    """What one ticker's signal needs from I/O: its bars, checked technical inputs, and the
    sentiment and ML parts (with the forecast evidence behind the ML part, if any)."""

    ticker: str  # as asked; the bars carry the normalised symbol
    bars: Bars
    technical: TechnicalInputs
    sentiment: Part
    ml: Part
    forecast: Evidence | None


@dataclass(frozen=True, slots=True)
class SignalResult:
    """A ticker's signal: what ``signal_evidence`` returns for it."""

    ticker: str
    evidence: Evidence
    supporting: tuple[Evidence, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "ticker": self.ticker,
            "status": "ok",
            "evidence": self.evidence.model_dump(mode="json"),
            "supporting": [e.model_dump(mode="json") for e in self.supporting],
        }


@dataclass(frozen=True, slots=True)
class SignalFailure:
    """A ticker whose signal could not be computed: the error ``signal_evidence`` raises."""

    ticker: str
    error: Exception

    @property
    def fixable(self) -> bool:
        """An error the caller can fix (another ticker or date): ``MODEL_FIXABLE``."""
        return isinstance(self.error, MODEL_FIXABLE)

    @property
    def message(self) -> str:
        """The error's first line (its type name when it has no message)."""
        lines = [line.strip() for line in str(self.error).splitlines() if line.strip()]
        return lines[0] if lines else type(self.error).__name__

    def to_dict(self) -> dict[str, Any]:
        return {
            "ticker": self.ticker,
            "status": "failed",
            "error": self.message,
            "error_type": type(self.error).__name__,
            "fixable": self.fixable,
        }


SignalOutcome = SignalResult | SignalFailure


def _attempt(ticker: str, fn: Callable[[], T]) -> T | SignalFailure:
    try:
        return fn()
    except Exception as err:  # one ticker's error is its entry; the caller decides what to do
        return SignalFailure(ticker=ticker, error=err)


def signal_inputs(ctx: ToolContext, ticker: str) -> SignalInputs:
    """Step 1 for one ticker. Raises what ``signal_evidence`` raises before its arithmetic:
    data errors, ``InsufficientDataError``, errors of the sentiment or ML source. Give the
    tickers of a batch one ``ctx.with_memo()``: their ML parts then share one feature panel."""
    bars = ctx.bars(ticker)
    technical = technical_inputs(bars.frame, as_of=ctx.as_of, config=ctx.config)
    sentiment = _sentiment_part(ctx, bars.ticker)
    ml, forecast = _ml_part(ctx, bars.ticker)
    return SignalInputs(ticker, bars, technical, sentiment, ml, forecast)


def signals(
    ctx: ToolContext, tickers: Sequence[str], *, account_size: float | None = None
) -> list[SignalOutcome]:
    """The signal of every ticker at ``ctx.as_of``, in order: a ``SignalResult`` holding what
    ``signal_evidence(ctx, ticker, account_size=account_size)`` returns, or a ``SignalFailure``
    holding what it raises (an unknown ticker, too little history, ...).

    Raises ``ToolInputError`` for an unusable ``account_size`` (it concerns every ticker).
    """
    _check_account(account_size)
    ctx = ctx.with_memo()  # tickers with a model share one feature panel
    gathered = {t: _attempt(t, partial(signal_inputs, ctx, t)) for t in dict.fromkeys(tickers)}
    ready = [g for g in gathered.values() if isinstance(g, SignalInputs)]
    done = dict(
        zip(
            (g.ticker for g in ready),
            signals_from_inputs(ctx, ready, account_size=account_size),
            strict=True,
        )
    )
    out: list[SignalOutcome] = []
    for ticker in tickers:
        got = gathered[ticker]
        out.append(got if isinstance(got, SignalFailure) else done[ticker])
    return out


def signals_from_inputs(
    ctx: ToolContext, inputs: Sequence[SignalInputs], *, account_size: float | None = None
) -> list[SignalOutcome]:
    """Steps 2 and 3 for tickers whose inputs were gathered (``signal_inputs``), in order."""
    _check_account(account_size)
    techs = _technical_scores(ctx, inputs)
    closes = [item.bars.frame["close"] for item in inputs]
    regimes = regime_labels(closes, as_of=ctx.as_of)
    vols = _volatilities(closes)
    return [
        _attempt(item.ticker, partial(_result, ctx, item, tech, regime, vol, account_size))
        for item, tech, regime, vol in zip(inputs, techs, regimes, vols, strict=True)
    ]


def _result(
    ctx: ToolContext,
    item: SignalInputs,
    tech: TechnicalScore | Exception,
    regime: str | None,
    vol: float,
    account_size: float | None,
) -> SignalResult:
    if isinstance(tech, Exception):
        raise tech
    close = item.bars.frame["close"]
    if regime is None:  # too little history for a regime: the one-ticker path's error
        regime = market_regime(close, as_of=ctx.as_of).label
    evidence, supporting = _signal_of(
        ctx,
        item.bars,
        technical=tech,
        sentiment=item.sentiment,
        ml=item.ml,
        forecast=item.forecast,
        regime=regime,
        sizing=_sizing(close, item.ml, ctx.config.ml_horizon, volatility=vol),
        account_size=account_size,
    )
    return SignalResult(ticker=item.ticker, evidence=evidence, supporting=tuple(supporting))


def _technical_scores(
    ctx: ToolContext, inputs: Sequence[SignalInputs]
) -> list[TechnicalScore | Exception]:
    technical = [item.technical for item in inputs]
    try:
        return list(technical_scores(technical, config=ctx.config))
    except ValueError:  # a score that cannot be classified: find its ticker, spare the others
        return [_attempt_score(t, ctx) for t in technical]


def _attempt_score(technical: TechnicalInputs, ctx: ToolContext) -> TechnicalScore | Exception:
    try:
        return technical_scores([technical], config=ctx.config)[0]
    except ValueError as err:
        return err


def _volatilities(closes: Sequence[pd.Series]) -> list[float]:
    """``tools.signal._volatility`` of every series: one pandas reduction over the last
    ``VOL_WINDOW`` returns of all series with that many (the same kernel, column by column)."""
    n = VOL_WINDOW + 1
    long = [i for i, close in enumerate(closes) if len(close) >= n]
    out = [math.nan] * len(closes)
    if long:
        tails = pd.DataFrame(np.stack([closes[i].to_numpy()[-n:] for i in long], axis=1))
        # a ufunc on a DataFrame returns a DataFrame; numpy's stubs only know it returns an array
        logs: pd.DataFrame = np.log(tails)  # type: ignore[assignment]
        vol = (logs.diff().iloc[1:].std(ddof=1) * math.sqrt(252)).to_numpy()
        for i, v in zip(long, vol, strict=True):
            out[i] = float(v)
    for i, close in enumerate(closes):
        if len(close) < n:
            out[i] = _volatility(close)
    return out
