"""Calls and their outcomes in ``predictions``: written once, resolved once, read point in time.

Usage::

    store = PredictionStore(engine)                        # schema migrated (``upgrade``)
    store.record([NewCall(source="briefing", ticker="IBM", as_of=day, horizon_days=5,
                          action="BUY", score=0.58, config_hash="3f2a...")])
    for call in store.pending(as_of=today): ...             # the resolver fills these
    store.resolve([Outcome(id=..., entry_date=..., outcome_date=..., ...)])
    frame = store.calls(as_of=today)                        # what was known on ``today``

``record`` is idempotent (a call already stored is left as it was); ``resolve`` fills a row
only while it is unresolved, so an outcome, once written, is final.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from data.store._types import utc_now
from data.store.models import Prediction

__all__ = ["ACTIONS", "CALL_COLUMNS", "NewCall", "Outcome", "PendingCall", "PredictionStore"]

_TABLE = Prediction.__table__
ACTIONS = ("STRONG BUY", "BUY", "HOLD", "SELL", "STRONG SELL")  # quant.signals.Action
_SOURCE = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
_DATES = ("as_of", "entry_date", "outcome_date")
_CHUNK = 500  # rows per INSERT: 11 values each, under SQLite's 32766 bound variables
_OUTCOME = ("entry_date", "outcome_date", "outcome_return", "trailing_return_20", "hit")
CALL_COLUMNS = (
    "id",
    "source",
    "ticker",
    "as_of",
    "horizon_days",
    "action",
    "score",
    "prob_up",
    "config_hash",
    "model_id",
    "run_id",
    "created_at",
    *_OUTCOME,
    "resolved_at",
)


@dataclass(frozen=True, slots=True)
class NewCall:
    """One call to record. ``source``: a lowercase word naming the entry point (briefing,
    replay, signal, ask, chat, api...); ``action``: one of ``ACTIONS``; ``prob_up``: a stated
    probability of a rise over the horizon, or None (the confluence score is not one);
    ``config_hash``: the signal configuration's fingerprint (what identifies a signal's call);
    ``model_id``: the model of a forecast (then what identifies it; ``config_hash`` may be
    None)."""

    source: str
    ticker: str
    as_of: date
    horizon_days: int
    action: str
    score: float | None
    config_hash: str | None
    prob_up: float | None = None
    model_id: str | None = None
    run_id: str | None = None

    def __post_init__(self) -> None:
        if not _SOURCE.match(self.source):
            raise ValueError(f"source must be a lowercase word, got {self.source!r}")
        if self.horizon_days < 1:
            raise ValueError(f"horizon_days must be >= 1, got {self.horizon_days}")
        if self.prob_up is not None and not 0.0 <= self.prob_up <= 1.0:
            raise ValueError(f"prob_up must lie in [0, 1], got {self.prob_up}")
        if self.score is not None and math.isnan(self.score):
            raise ValueError("score is NaN: record None for a call without a score")
        if self.action not in ACTIONS:
            raise ValueError(f"action must be one of {', '.join(ACTIONS)}, got {self.action!r}")
        if not self.ticker:
            raise ValueError("ticker must not be empty")
        if not (self.config_hash or self.model_id):
            raise ValueError("a call needs its signal configuration (config_hash) or its model")


@dataclass(frozen=True, slots=True)
class PendingCall:
    """A recorded call whose outcome is not known yet."""

    id: int
    ticker: str
    as_of: date
    horizon_days: int
    action: str


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to call ``id``: the entry and outcome bars' dates, the close-to-close
    return between them, the 20-bar return up to the entry (NaN or None: too little history)
    and the hit (None: the call has no direction)."""

    id: int
    entry_date: date
    outcome_date: date
    outcome_return: float
    trailing_return_20: float | None
    hit: bool | None


def _finite(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else float(value)


class PredictionStore:
    """Recorded calls in a SQLite or PostgreSQL database (schema migrated with ``upgrade``)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def record(self, calls: Sequence[NewCall], *, conn: Connection | None = None) -> int:
        """Store the calls not stored yet (same source, ticker, as-of, horizon, configuration
        and model); returns how many were new. ``conn``: run inside the caller's transaction."""
        if not calls:
            return 0
        if conn is None:
            with self.engine.begin() as own:
                return self._insert(own, calls)
        return self._insert(conn, calls)

    def _insert(self, conn: Connection, calls: Sequence[NewCall]) -> int:
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        now = utc_now()
        rows = [
            {
                "source": c.source,
                "ticker": c.ticker,
                "as_of": c.as_of,
                "horizon_days": c.horizon_days,
                "action": c.action,
                "score": c.score,
                "prob_up": c.prob_up,
                "config_hash": c.config_hash,
                "model_id": c.model_id,
                "run_id": c.run_id,
                "created_at": now,
            }
            for c in calls
        ]
        new = 0
        for i in range(0, len(rows), _CHUNK):  # SQLite caps the bound variables of a statement
            insert = dialect.insert(_TABLE).values(rows[i : i + _CHUNK]).on_conflict_do_nothing()
            new += len(conn.execute(insert.returning(_TABLE.c.id)).all())
        return new

    def pending(self, *, as_of: date, tickers: Sequence[str] | None = None) -> list[PendingCall]:
        """Unresolved calls dated on or before ``as_of`` (oldest first)."""
        c = _TABLE.c
        query = sa.select(c.id, c.ticker, c.as_of, c.horizon_days, c.action).where(
            c.resolved_at.is_(None) & (c.as_of <= as_of)
        )
        if tickers is not None:
            query = query.where(c.ticker.in_(list(tickers)))
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(c.as_of, c.id)).all()
        return [PendingCall(*row) for row in rows]

    def tickers(self) -> list[str]:
        """The tickers with at least one recorded call (sorted)."""
        with self.engine.connect() as conn:
            found = conn.execute(sa.select(_TABLE.c.ticker).distinct().order_by(_TABLE.c.ticker))
            return list(found.scalars())

    def resolve(self, outcomes: Sequence[Outcome], *, resolved_at: datetime | None = None) -> int:
        """Write each outcome on its call if the call is still unresolved; returns how many
        were written (an outcome already final is never rewritten)."""
        if not outcomes:
            return 0
        c = _TABLE.c
        update = (
            _TABLE.update()
            .where((c.id == sa.bindparam("call_id")) & c.resolved_at.is_(None))
            .values({name: sa.bindparam(name) for name in (*_OUTCOME, "resolved_at")})
        )
        stamp = resolved_at or utc_now()
        params = [
            {
                "call_id": o.id,
                "entry_date": o.entry_date,
                "outcome_date": o.outcome_date,
                "outcome_return": float(o.outcome_return),
                "trailing_return_20": _finite(o.trailing_return_20),
                "hit": o.hit,
                "resolved_at": stamp,
            }
            for o in outcomes
        ]
        written = 0
        with self.engine.begin() as conn:
            for row in params:  # one by one: executemany's rowcount is not reliable everywhere
                written += conn.execute(update, row).rowcount
        return written

    def calls(
        self,
        *,
        as_of: date,
        source: str | None = None,
        ticker: str | None = None,
        horizon_days: int | None = None,
        forecasts_only: bool = False,
    ) -> pd.DataFrame:
        """Every call dated on or before ``as_of`` (``CALL_COLUMNS``, oldest first), as it was
        known on ``as_of``: an outcome dated after ``as_of`` (resolved later, with more data)
        reads as unresolved. Dates are ``datetime64`` (NaT when empty); ``hit`` is True, False
        or None. Optionally only one source, ticker or horizon, or only models' forecasts."""
        c = _TABLE.c
        query = sa.select(*(c[name] for name in CALL_COLUMNS)).where(c.as_of <= as_of)
        if source is not None:
            query = query.where(c.source == source)
        if ticker is not None:
            query = query.where(c.ticker == ticker)
        if horizon_days is not None:
            query = query.where(c.horizon_days == horizon_days)
        if forecasts_only:
            query = query.where(c.model_id.is_not(None))
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(c.as_of, c.ticker, c.horizon_days, c.id)).all()
        frame = pd.DataFrame(rows, columns=list(CALL_COLUMNS)).astype({"hit": "object"})
        for name in _DATES:
            frame[name] = pd.to_datetime(frame[name])
        later = frame["outcome_date"] > pd.Timestamp(as_of)  # NaT compares False
        frame.loc[later, ["entry_date", "outcome_date"]] = pd.NaT
        frame.loc[later, ["outcome_return", "trailing_return_20", "hit", "resolved_at"]] = None
        return frame

    def resolved(
        self, *, as_of: date, source: str | None = None, ticker: str | None = None
    ) -> pd.DataFrame:
        """The calls of ``calls(...)`` whose outcome was known on ``as_of``."""
        frame = self.calls(as_of=as_of, source=source, ticker=ticker)
        return frame[frame["outcome_date"].notna()].reset_index(drop=True)
