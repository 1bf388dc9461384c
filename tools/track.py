"""The product's track record: its calls recorded once, resolved from market data when due,
and scored beside the always-buy and momentum baselines.

- ``record_calls(store, evidence, source=...)``: every entry point that shows a call (the
  briefing and its replay today; ``signal``, ``ask``, the chat and the API next) passes the
  evidence it showed. A ``signal`` evidence becomes one call per horizon of ``CALL_HORIZONS``;
  a ``forecast`` evidence one call at its own horizon, with its stated probability.
- ``resolve_due(store, market, as_of=...)``: fills the outcome of every call whose outcome bar
  exists in the data up to ``as_of`` (definitions: ``quant.track.outcomes``). Re-runnable; a
  filled outcome is final.
- ``track_record_at(store, as_of=...)``: ``quant.track.track_record`` over the calls as known on
  ``as_of``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
import pandas as pd
from sqlalchemy.engine import Connection

from data.errors import DataError
from data.service import MarketData
from data.store.predictions import NewCall, Outcome, PendingCall, PredictionStore
from quant.track import KEYS, TrackRecord, forward_outcomes, hits, track_record
from tools.evidence import Evidence

__all__ = [
    "CALL_HORIZONS",
    "LOOKBACK",
    "ResolveSummary",
    "calls_of",
    "record_calls",
    "resolve_due",
    "track_record_at",
]

# A signal is read at three horizons, in trading bars: the next session; 5, the configured
# horizon of the signal's ML part (``SignalConfig.ml_horizon``) and of its position sizing; and
# 20, about a month, the horizon of its slower parts (SMA 50/200, MACD). The same three as the
# decision calibration (``signaldesk eval calibrate``).
CALL_HORIZONS = (1, 5, 20)
LOOKBACK = 20  # bars of the momentum baseline's trailing return (``trailing_return_20``)


def _forecast_action(prob_up: float) -> str:
    if prob_up > 0.5:
        return "BUY"
    return "SELL" if prob_up < 0.5 else "HOLD"


def _signal_calls(
    ev: Evidence, *, source: str, horizons: Sequence[int], run_id: str | None
) -> list[NewCall]:
    values = ev.values
    return [
        NewCall(
            source=source,
            ticker=ev.tickers[0],
            as_of=ev.as_of,
            horizon_days=h,
            action=str(values["action"]),
            score=float(values["score"]),
            config_hash=str(values["config_fingerprint"]),
            run_id=run_id,
        )
        for h in horizons
    ]


def _forecast_call(
    ev: Evidence, *, source: str, config_hash: str | None, run_id: str | None
) -> NewCall:
    prob_up = float(ev.values["prob_up"])
    return NewCall(
        source=source,
        ticker=ev.tickers[0],
        as_of=ev.as_of,
        horizon_days=int(ev.values["horizon_days"]),
        action=_forecast_action(prob_up),
        score=None,
        prob_up=prob_up,
        config_hash=config_hash,
        model_id=str(ev.values["model_id"]),
        run_id=run_id,
    )


def calls_of(
    evidence: Iterable[Evidence],
    *,
    source: str,
    horizons: Sequence[int] = CALL_HORIZONS,
    run_id: str | None = None,
) -> list[NewCall]:
    """The calls stated by ``evidence`` (other kinds are ignored): per ``signal`` evidence, its
    action and score at each of ``horizons``; per ``forecast`` evidence, the model's P(up) at
    its horizon (action BUY above 0.5, SELL below, HOLD at 0.5), with the configuration of the
    same ticker's signal evidence when there is one."""
    items = list(evidence)
    signals = [e for e in items if e.kind == "signal"]
    configs = {(e.tickers[0], e.as_of): str(e.values["config_fingerprint"]) for e in signals}
    calls = [
        call
        for e in signals
        for call in _signal_calls(e, source=source, horizons=horizons, run_id=run_id)
    ]
    for e in items:
        if e.kind == "forecast":
            config = configs.get((e.tickers[0], e.as_of))
            calls.append(_forecast_call(e, source=source, config_hash=config, run_id=run_id))
    return calls


def record_calls(
    store: PredictionStore,
    evidence: Iterable[Evidence],
    *,
    source: str,
    horizons: Sequence[int] = CALL_HORIZONS,
    run_id: str | None = None,
    conn: Connection | None = None,
) -> int:
    """Record the calls of ``evidence`` (``calls_of``) once; returns how many were new.
    ``conn``: inside the caller's transaction (the briefing stores its calls with itself)."""
    calls = calls_of(evidence, source=source, horizons=horizons, run_id=run_id)
    return store.record(calls, conn=conn)


@dataclass(frozen=True)
class ResolveSummary:
    """One run of the resolver: ``pending`` unresolved calls dated up to ``as_of`` were found,
    ``resolved`` of them filled now, ``waiting`` not due yet (or not priceable); ``failed``:
    the tickers whose bars could not be read, and why (their calls stay pending)."""

    as_of: date
    pending: int
    resolved: int
    waiting: int
    failed: dict[str, str] = field(default_factory=dict)


def _outcomes(calls: list[PendingCall], closes: pd.Series) -> list[Outcome]:
    found = forward_outcomes(
        closes,
        as_of=pd.DatetimeIndex([c.as_of for c in calls]),
        horizon=np.array([c.horizon_days for c in calls], dtype=np.int64),
        lookback=LOOKBACK,
    )
    hit = hits(actions=[c.action for c in calls], returns=found["forward_return"].to_numpy())
    out = []
    for i, call in enumerate(calls):
        row = found.iloc[i]
        if pd.isna(row["outcome_date"]):
            continue
        out.append(
            Outcome(
                id=call.id,
                entry_date=row["entry_date"].date(),
                outcome_date=row["outcome_date"].date(),
                outcome_return=float(row["forward_return"]),
                trailing_return_20=float(row["trailing_return"]),
                hit=None if np.isnan(hit[i]) else bool(hit[i]),
            )
        )
    return out


def resolve_due(
    store: PredictionStore,
    market: MarketData,
    *,
    as_of: date,
    resolved_at: datetime | None = None,
) -> ResolveSummary:
    """Fill the outcome of every pending call due by ``as_of``, from ``market``'s bars up to
    ``as_of`` (so never before the outcome bar exists); ``resolved_at`` defaults to now."""
    pending = store.pending(as_of=as_of)
    by_ticker: dict[str, list[PendingCall]] = {}
    for call in pending:
        by_ticker.setdefault(call.ticker, []).append(call)
    outcomes: list[Outcome] = []
    failed: dict[str, str] = {}
    for ticker, calls in sorted(by_ticker.items()):
        try:
            closes = market.bars(ticker, end=as_of).frame["close"]
        except DataError as err:
            failed[ticker] = str(err).splitlines()[0] if str(err) else type(err).__name__
            continue
        outcomes.extend(_outcomes(calls, closes))
    written = store.resolve(outcomes, resolved_at=resolved_at)
    return ResolveSummary(
        as_of=as_of,
        pending=len(pending),
        resolved=written,
        waiting=len(pending) - written,
        failed=failed,
    )


def track_record_at(
    store: PredictionStore,
    *,
    as_of: date,
    by: Sequence[str] = KEYS,
    last: int = 100,
    days: Sequence[int] = (30, 90),
    source: str | None = None,
    ticker: str | None = None,
) -> TrackRecord:
    """The track record of the stored calls (of one source or ticker) as known on ``as_of``."""
    calls = store.calls(as_of=as_of, source=source, ticker=ticker)
    return track_record(calls, as_of=as_of, by=by, last=last, days=days)
