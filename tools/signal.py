"""The deterministic signal: confluence of technical, sentiment and ML parts, with regime and
size. The agent reports this signal; it never makes one up."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from data.bars import Bars
from quant.regime import market_regime
from quant.risk import kelly_fraction, kelly_position
from quant.signals.confluence import Part, Sizing, confluence
from quant.signals.technical import TechnicalScore, technical_score
from tools.context import ToolContext
from tools.evidence import Evidence, Window
from tools.forecast import NoModelError, forecast_evidence
from tools.runtime import ToolInputError

VOL_WINDOW = 60
MAX_ACCOUNT = 1e12


def _technical_part(tech: TechnicalScore) -> Part:
    return Part(
        tech.score,
        details={
            "action": tech.action.value,
            "bar_date": tech.bar_date,
            "components": {k: c.score for k, c in tech.components.items()},
        },
    )


def _sentiment_part(ctx: ToolContext, ticker: str) -> Part:
    if ctx.sentiment is None:
        return Part(None, reason="no news or call source configured")
    aggregate = ctx.sentiment(ticker, ctx.as_of)
    if aggregate is None:
        return Part(None, reason="no dated news or calls for this ticker up to the as-of date")
    return aggregate


def _ml_part(ctx: ToolContext, ticker: str) -> tuple[Part, Evidence | None]:
    try:
        forecast = forecast_evidence(ctx, ticker)
    except NoModelError as err:
        return Part(None, reason=str(err)), None
    v = forecast.values
    if v["verdict"] != "GO":
        return Part(
            None,
            reason=f"model NO-GO: {'; '.join(v['reasons'])}",
            details={"evidence": forecast.id},
        ), forecast
    if v["leak_suspected"]:
        return Part(
            None,
            reason="walk-forward accuracy above 70%: probable leak",
            details={"evidence": forecast.id},
        ), forecast
    return Part(
        v["prob_up"], details={"evidence": forecast.id, "horizon": v["horizon_days"]}
    ), forecast


def _volatility(close: pd.Series) -> float:
    """Annualised volatility of the last ``VOL_WINDOW`` daily log returns."""
    log_returns = np.log(close).diff().dropna()
    return float(log_returns.iloc[-VOL_WINDOW:].std(ddof=1) * math.sqrt(252))


def _sizing(close: pd.Series, ml: Part, horizon: int, *, volatility: float | None = None) -> Sizing:
    """Volatility (``volatility`` when already computed) and, with an ML part, the Kelly cap."""
    vol = _volatility(close) if volatility is None else volatility
    if not ml.available:
        return Sizing(volatility=vol)
    moves = close.pct_change(horizon).dropna().iloc[-500:]
    gains, losses = moves[moves > 0], -moves[moves < 0]
    if gains.empty or losses.empty:
        return Sizing(volatility=vol)
    kelly = kelly_fraction(win_prob=float(ml.value), payoff=float(gains.mean() / losses.mean()))
    return Sizing(volatility=vol, kelly_cap=kelly_position(kelly=kelly))


def _check_account(account_size: float | None) -> None:
    if account_size is not None and not (
        math.isfinite(account_size) and 0 < account_size <= MAX_ACCOUNT
    ):
        raise ToolInputError(
            f"account_size must be a positive amount up to {MAX_ACCOUNT:,.0f}, got {account_size}"
        )


def _position(account_size: float | None, position_size: float) -> dict[str, float]:
    """The suggested position in currency for ``account_size`` (none when it is not given)."""
    if account_size is None:
        return {}
    return {
        "account_size": float(account_size),
        "position_value": round(account_size * position_size, 2),
    }


def signal_evidence(
    ctx: ToolContext, ticker: str, *, account_size: float | None = None
) -> tuple[Evidence, list[Evidence]]:
    """The signal at ``ctx.as_of`` and the evidence behind its parts (forecast, if any).

    With ``account_size`` (currency), the values also hold ``account_size`` and
    ``position_value`` = account_size x position_size rounded to cents (negative for a sell:
    the amount to reduce or short); without it they are as before. ``tools.signal_batch``
    computes the same for many tickers at once.
    """
    _check_account(account_size)
    bars = ctx.bars(ticker)
    frame = bars.frame
    technical = technical_score(frame, as_of=ctx.as_of, config=ctx.config)
    sentiment = _sentiment_part(ctx, bars.ticker)
    ml, forecast = _ml_part(ctx, bars.ticker)
    regime = market_regime(frame["close"], as_of=ctx.as_of).label
    sizing = _sizing(frame["close"], ml, ctx.config.ml_horizon)
    return _signal_of(
        ctx,
        bars,
        technical=technical,
        sentiment=sentiment,
        ml=ml,
        forecast=forecast,
        regime=regime,
        sizing=sizing,
        account_size=account_size,
    )


def _signal_of(
    ctx: ToolContext,
    bars: Bars,
    *,
    technical: TechnicalScore,
    sentiment: Part,
    ml: Part,
    forecast: Evidence | None,
    regime: str,
    sizing: Sizing,
    account_size: float | None,
) -> tuple[Evidence, list[Evidence]]:
    """The signal evidence from its computed parts (shared by the one-ticker and batch paths)."""
    frame = bars.frame
    sig = confluence(
        as_of=ctx.as_of,
        technical=_technical_part(technical),
        sentiment=sentiment,
        ml=ml,
        config=ctx.config,
        sizing=sizing,
        regime=regime,
    )
    values = sig.to_dict() | {
        "config_fingerprint": ctx.config.fingerprint(),
        "thresholds": ctx.config.confluence_thresholds.model_dump(),
        "nominal_weights": ctx.config.confluence_weights.model_dump(),
    }
    sized = _position(account_size, sig.position_size)
    values |= sized
    absent = [f"{n} ({p.reason})" for n, p in sig.parts.items() if not p.available]
    evidence = Evidence.make(
        kind="signal",
        tickers=[bars.ticker],
        as_of=ctx.as_of,
        values=values,
        window=Window(start=frame.index[0].date(), end=frame.index[-1].date(), bars=len(frame)),
        source={
            "provider": bars.provenance.provider,
            "method": "confluence",
            "config": ctx.config.fingerprint(),
        },
        summary=(
            f"{bars.ticker} signal as of {ctx.as_of}: {sig.action.value}, score {sig.score:.3f}, "
            f"confidence {sig.confidence:.2f}, suggested position {sig.position_size:+.2%}"
            + (
                f" = {sized['position_value']:+,.2f} of an account of {sized['account_size']:,.2f}"
                if sized
                else ""
            )
            + "; "
            f"regime {regime}; parts used: "
            + ", ".join(
                f"{n} {p.score:.3f} x {sig.weights[n]:.2f}"
                for n, p in sig.parts.items()
                if p.available
            )
            + (f"; absent: {'; '.join(absent)}" if absent else "")
            + "."
        ),
    )
    return evidence, [e for e in (forecast,) if e is not None]
