"""The product's own track record as evidence: how the calls it showed on a ticker (or on all
of them) did, beside always-buy and momentum on the same calls, as known on the run's as-of date.

- **Calls**: the signal's calls in ``predictions`` (every entry point pooled: briefing, replay,
  signal, ask, chat, api). A call is what was said: the same action on the same ticker, date
  and horizon shown by several entry points (the briefing and then the chat) counts once.
  A model's forecasts are scored apart (``forecasts``), with their Brier score.
- **Point in time**: only calls dated on or before ``as_of``, and only outcomes known then
  (``PredictionStore.calls``). A call the resolver has not filled yet is scored from the bars up
  to ``as_of`` when its outcome bar is among them: what ``tools.track.resolve_due`` would store,
  computed here and not written (a chat turn only reads).
- **Scores** (``quant.track.track_record``), per horizon (1, 5 and 20 bars): the hit rate over
  the last ``LAST`` resolved calls and over all of them, always-buy and momentum on the same
  calls. HOLD calls state no direction: they count as calls and stay out of the hit rate.

No database, or none of the calls resolved: zero counts and no rates, never an error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from data.errors import DataError
from quant.track import forward_outcomes, hits, track_record
from tools.context import ToolContext
from tools.evidence import Evidence, Window
from tools.track import CALL_HORIZONS, LOOKBACK

if TYPE_CHECKING:
    from data.store.predictions import PredictionStore

__all__ = [
    "HEADLINE_HORIZON",
    "LAST",
    "ClosesOf",
    "closes_of",
    "distinct_calls",
    "record_values",
    "records_by_ticker",
    "score_due",
    "track_record_evidence",
]

LAST = 100  # the window of the headline hit rate: the last 100 resolved calls
HEADLINE_HORIZON = 5  # the signal's own horizon (its ML part and position sizing)
_SAID = ("ticker", "as_of", "horizon_days", "action", "forecast")
_WINDOW_KEYS = ("calls", "directional", "hit_rate", "always_buy", "momentum", "momentum_calls")

ClosesOf = Callable[[str], "pd.Series | None"]


def distinct_calls(calls: pd.DataFrame) -> pd.DataFrame:
    """One row per call said (module docstring), with a ``forecast`` column (True for a model's
    forecast); of the rows of one call, the one with a known outcome is kept."""
    frame = calls.assign(forecast=calls["model_id"].notna())
    frame = frame.sort_values(["outcome_date", "id"], na_position="last", kind="stable")
    frame = frame.drop_duplicates(list(_SAID), keep="first")
    return frame.sort_values(["as_of", "ticker", "horizon_days", "id"], kind="stable")


def score_due(calls: pd.DataFrame, closes: ClosesOf) -> pd.DataFrame:
    """``calls`` with the outcome of each unresolved call filled from ``closes(ticker)``
    (closes up to the as-of date, or None when they cannot be read: those calls stay pending)."""
    frame = calls.astype({"hit": "object"}).copy()
    pending = frame[frame["outcome_date"].isna()]
    for ticker, rows in pending.groupby("ticker", sort=True):
        series = closes(str(ticker))
        if series is None:
            continue
        found = forward_outcomes(
            series,
            as_of=pd.DatetimeIndex(rows["as_of"]),
            horizon=rows["horizon_days"].to_numpy(dtype=np.int64),
            lookback=LOOKBACK,
        )
        hit = hits(actions=list(rows["action"]), returns=found["forward_return"].to_numpy())
        due = found["outcome_date"].notna().to_numpy()
        index = rows.index[due]
        frame.loc[index, "outcome_date"] = found["outcome_date"].to_numpy()[due]
        frame.loc[index, "outcome_return"] = found["forward_return"].to_numpy()[due]
        frame.loc[index, "trailing_return_20"] = found["trailing_return"].to_numpy()[due]
        frame.loc[index, "hit"] = [None if np.isnan(h) else bool(h) for h in hit[due]]
    return frame


def _day(value: Any) -> date | None:  # noqa: ANN401 - a Timestamp, NaT or None
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()


def _window(score: Any, resolved: pd.DataFrame) -> dict[str, Any]:  # noqa: ANN401
    out = {k: getattr(score, k) for k in _WINDOW_KEYS}
    if resolved.empty:
        return out | {"first_outcome": None, "last_outcome": None, "brier": None}
    dates = resolved["outcome_date"]
    return out | {
        "first_outcome": _day(dates.min()),
        "last_outcome": _day(dates.max()),
        "brier": score.brier,
    }


def _empty_window() -> dict[str, Any]:
    return dict.fromkeys(_WINDOW_KEYS, 0) | {
        "hit_rate": None,
        "always_buy": None,
        "momentum": None,
        "first_outcome": None,
        "last_outcome": None,
        "brier": None,
    }


def _horizons(frame: pd.DataFrame, *, as_of: date, horizons: Iterable[int]) -> list[dict]:
    """One row per horizon: calls, resolved, pending, dates, the last ``LAST`` and all."""
    known = frame["outcome_date"].notna() & (frame["outcome_date"] <= pd.Timestamp(as_of))
    record = track_record(frame, as_of=as_of, by=("horizon_days",), last=LAST, days=())
    scored = {row.horizon_days: row for row in record.rows}
    out = []
    for h in horizons:
        mine = frame[frame["horizon_days"] == h]
        resolved = mine[known[mine.index]].sort_values(["outcome_date", "as_of"], kind="stable")
        row = scored.get(h)
        out.append(
            {
                "horizon_days": h,
                "calls": len(mine),
                "resolved": len(resolved),
                "pending": len(mine) - len(resolved),
                "first_call": _day(mine["as_of"].min()) if len(mine) else None,
                "last_call": _day(mine["as_of"].max()) if len(mine) else None,
                "recent": _window(row.windows[f"last_{LAST}"], resolved.tail(LAST))
                if row
                else _empty_window(),
                "all": _window(row.windows["all"], resolved) if row else _empty_window(),
            }
        )
    return out


def record_values(
    calls: pd.DataFrame, *, ticker: str | None, as_of: date, entry_points: Iterable[str] = ()
) -> dict[str, Any]:
    """The evidence values of the track record of ``calls`` (the distinct calls of one ticker,
    or of all when ``ticker`` is None, as known on ``as_of``, outcomes due filled), shown by
    ``entry_points`` (the sources that recorded them)."""
    frame = calls[calls["as_of"] <= pd.Timestamp(as_of)]
    signals = frame[~frame["forecast"]]
    forecasts = frame[frame["forecast"]]
    horizons = _horizons(signals, as_of=as_of, horizons=CALL_HORIZONS)
    forecast_horizons = sorted({int(h) for h in forecasts["horizon_days"]})
    return {
        "ticker": ticker,
        "last": LAST,
        "calls": len(signals),
        "resolved": sum(h["resolved"] for h in horizons),
        "pending": sum(h["pending"] for h in horizons),
        "tickers": sorted({str(t) for t in signals["ticker"]}),
        "entry_points": sorted(set(entry_points)),
        "first_call": _day(signals["as_of"].min()) if len(signals) else None,
        "last_call": _day(signals["as_of"].max()) if len(signals) else None,
        "horizons": horizons,
        "forecasts": _horizons(forecasts, as_of=as_of, horizons=forecast_horizons),
    }


def closes_of(ctx: ToolContext) -> ClosesOf:
    """A ticker's closes up to ``ctx.as_of``, or None when they cannot be read."""

    def closes(ticker: str) -> pd.Series | None:
        try:
            return ctx.bars(ticker).frame["close"]
        except DataError:  # an unknown or unreadable ticker: its calls stay pending
            return None

    return closes


def _store(ctx: ToolContext) -> PredictionStore | None:
    return ctx.predictions() if ctx.predictions is not None else None


def _recorded(store: PredictionStore | None, *, as_of: date, ticker: str | None) -> pd.DataFrame:
    """Every recorded row as known on ``as_of`` (``PredictionStore.calls``; no database: none)."""
    from data.store.predictions import CALL_COLUMNS

    if store is not None:
        return store.calls(as_of=as_of, ticker=ticker)
    empty = pd.DataFrame({c: pd.Series(dtype="object") for c in CALL_COLUMNS})
    for name in ("as_of", "entry_date", "outcome_date"):
        empty[name] = pd.to_datetime(empty[name])
    return empty


def _values(
    recorded: pd.DataFrame, closes: ClosesOf, *, ticker: str | None, as_of: date
) -> dict[str, Any]:
    calls = score_due(distinct_calls(recorded), closes)
    sources = {str(s) for s in recorded["source"]}
    return record_values(calls, ticker=ticker, as_of=as_of, entry_points=sources)


def _summary(values: dict[str, Any], *, who: str, as_of: date) -> str:
    head = next(h for h in values["horizons"] if h["horizon_days"] == HEADLINE_HORIZON)
    recent = head["recent"]
    counts = f"{values['calls']} calls in all, {values['pending']} pending"
    intro = f"Track record of SignalDesk's calls on {who} as of {as_of}"
    if not recent["calls"]:
        return f"{intro}: no resolved {HEADLINE_HORIZON}-day call yet ({counts})."
    rate = "n/a" if recent["hit_rate"] is None else f"{recent['hit_rate']:.1%}"
    return (
        f"{intro}: of the last {recent['calls']} resolved {HEADLINE_HORIZON}-day calls, "
        f"{recent['directional']} took a side and {rate} of those were right ({counts})."
    )


def track_record_evidence(ctx: ToolContext, ticker: str | None = None) -> Evidence:
    """The track record of SignalDesk's own calls on ``ticker`` (all tickers when None) as
    known on ``ctx.as_of`` (module docstring)."""
    symbol = ticker.upper() if ticker else None
    recorded = _recorded(_store(ctx), as_of=ctx.as_of, ticker=symbol)
    values = _values(recorded, closes_of(ctx), ticker=symbol, as_of=ctx.as_of)
    who = symbol or "all tickers"
    return Evidence.make(
        kind="track_record",
        tickers=(symbol,) if symbol else (),
        as_of=ctx.as_of,
        values=values,
        window=Window(start=values["first_call"], end=ctx.as_of),
        source={"table": "predictions", "entry_points": ", ".join(values["entry_points"])},
        summary=_summary(values, who=who, as_of=ctx.as_of),
    )


def records_by_ticker(
    store: PredictionStore | None,
    tickers: Iterable[str],
    *,
    as_of: date,
    closes: ClosesOf,
) -> dict[str, dict[str, Any]]:
    """``record_values`` of each of ``tickers`` from one read of the store (the briefing's)."""
    recorded = _recorded(store, as_of=as_of, ticker=None)
    return {
        t: _values(recorded[recorded["ticker"] == t], closes, ticker=t, as_of=as_of)
        for t in tickers
    }
