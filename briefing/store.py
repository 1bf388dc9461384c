"""Briefings in the database: one row per (watchlist, as-of) in ``briefings``, each covered
ticker's call in ``signals``. Saving the same (watchlist, as-of) again replaces both, in one
transaction, so a re-run never duplicates; the eval issue scores the stored calls.

The same transaction records each covered ticker's calls in ``predictions`` (the track
record, ``tools.track``): its signal at each of the store's horizons and any model forecast
the brief shows, under the source ``briefing`` (``replay`` for a replay). Those are written
once: a re-run of the same date leaves the first calls as they were.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Literal

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from briefing.models import BriefingReport, TickerBrief
from data.store import Briefing, PredictionStore, Signal, utc_now
from tools.evidence import Evidence
from tools.track import CALL_HORIZONS, record_calls

__all__ = ["BriefingSource", "BriefingStore"]

BriefingSource = Literal["briefing", "replay"]

_BRIEFINGS = Briefing.__table__
_SIGNALS = Signal.__table__


def _signal_row(brief: TickerBrief, *, as_of: date, run_id: str | None) -> dict | None:
    signal = next((e for e in brief.evidence if e.id == brief.signal_evidence_id), None)
    if brief.status != "ok" or signal is None or brief.action is None:
        return None
    return {
        "ticker": brief.ticker,
        "as_of": as_of,
        "action": brief.action,
        "score": brief.score,
        "confidence": brief.confidence,
        "position_size": brief.position_size,
        "components": {
            "parts": brief.components,
            "technical": brief.technical_components,
            "ml_status": brief.ml_status,
            "regime": brief.regime,
            "evidence_id": signal.id,
        },
        "config_hash": signal.values["config_fingerprint"],
        "run_id": run_id,
        "created_at": utc_now(),
    }


def _call_evidence(brief: TickerBrief) -> list[Evidence]:
    """The evidence of the calls a covered brief shows: its signal and the ticker's forecasts."""
    if brief.status != "ok" or brief.action is None:
        return []
    return [
        e
        for e in brief.evidence
        if e.id == brief.signal_evidence_id
        or (e.kind == "forecast" and e.tickers == (brief.ticker,))
    ]


class BriefingStore:
    """Briefings of every watchlist in a SQLite or PostgreSQL database (schema migrated).

    horizons: the trading-bar horizons each signal is recorded at in ``predictions``."""

    def __init__(self, engine: Engine, *, horizons: Sequence[int] = CALL_HORIZONS) -> None:
        self.engine = engine
        self.horizons = tuple(horizons)

    def save(
        self,
        report: BriefingReport,
        *,
        report_dir: str | None = None,
        source: BriefingSource = "briefing",
    ) -> int:
        """Store ``report`` (replacing the same watchlist and as-of date) and record its calls
        under ``source`` (once); returns the briefing's row id."""
        payload = report.model_dump(mode="json")
        rows = [
            r
            for b in report.tickers
            if (r := _signal_row(b, as_of=report.as_of, run_id=report.run_id)) is not None
        ]
        with self.engine.begin() as conn:
            conn.execute(
                _BRIEFINGS.delete().where(
                    (_BRIEFINGS.c.watchlist_key == report.watchlist_key)
                    & (_BRIEFINGS.c.as_of == report.as_of)
                )
            )
            for row in rows:
                conn.execute(
                    _SIGNALS.delete().where(
                        (_SIGNALS.c.ticker == row["ticker"])
                        & (_SIGNALS.c.as_of == row["as_of"])
                        & (_SIGNALS.c.config_hash == row["config_hash"])
                    )
                )
            if rows:
                conn.execute(_SIGNALS.insert(), rows)
            record_calls(
                PredictionStore(self.engine),
                [e for b in report.tickers for e in _call_evidence(b)],
                source=source,
                horizons=self.horizons,
                run_id=report.run_id,
                conn=conn,
            )
            inserted = conn.execute(
                _BRIEFINGS.insert().values(
                    watchlist_key=report.watchlist_key,
                    as_of=report.as_of,
                    created_at=utc_now(),
                    payload=payload,
                    report_dir=report_dir,
                )
            )
            key = inserted.inserted_primary_key
            if key is None:
                raise RuntimeError("the briefings insert returned no id")
            return int(key[0])

    def _one(self, query: sa.Select) -> BriefingReport | None:
        with self.engine.connect() as conn:
            payload = conn.execute(query.limit(1)).scalar_one_or_none()
        return None if payload is None else BriefingReport.model_validate(payload)

    def get(self, watchlist_key: str, as_of: date) -> BriefingReport | None:
        return self._one(
            sa.select(_BRIEFINGS.c.payload).where(
                (_BRIEFINGS.c.watchlist_key == watchlist_key) & (_BRIEFINGS.c.as_of == as_of)
            )
        )

    def previous(self, watchlist_key: str, *, before: date) -> BriefingReport | None:
        """The newest stored briefing of the watchlist dated strictly before ``before``."""
        return self._one(
            sa.select(_BRIEFINGS.c.payload)
            .where((_BRIEFINGS.c.watchlist_key == watchlist_key) & (_BRIEFINGS.c.as_of < before))
            .order_by(_BRIEFINGS.c.as_of.desc())
        )

    def latest(self, watchlist_key: str | None = None) -> BriefingReport | None:
        """The newest briefing (by as-of date, then creation), of one watchlist or of any."""
        query = sa.select(_BRIEFINGS.c.payload)
        if watchlist_key is not None:
            query = query.where(_BRIEFINGS.c.watchlist_key == watchlist_key)
        return self._one(query.order_by(_BRIEFINGS.c.as_of.desc(), _BRIEFINGS.c.id.desc()))

    def by_id(self, briefing_id: int) -> BriefingReport | None:
        """The stored briefing with id ``briefing_id`` (the id ``save`` returned)."""
        return self._one(sa.select(_BRIEFINGS.c.payload).where(_BRIEFINGS.c.id == briefing_id))

    def latest_id(self, watchlist_key: str | None = None) -> int | None:
        """The id of ``latest(watchlist_key)``."""
        query = sa.select(_BRIEFINGS.c.id)
        if watchlist_key is not None:
            query = query.where(_BRIEFINGS.c.watchlist_key == watchlist_key)
        order = query.order_by(_BRIEFINGS.c.as_of.desc(), _BRIEFINGS.c.id.desc()).limit(1)
        with self.engine.connect() as conn:
            found = conn.execute(order).scalar_one_or_none()
        return None if found is None else int(found)

    def dates(self, watchlist_key: str) -> list[date]:
        with self.engine.connect() as conn:
            found = conn.execute(
                sa.select(_BRIEFINGS.c.as_of)
                .where(_BRIEFINGS.c.watchlist_key == watchlist_key)
                .order_by(_BRIEFINGS.c.as_of)
            ).scalars()
            return list(found)

    def calls(
        self, ticker: str, *, end: date, start: date | None = None, run_id: str | None = None
    ) -> pd.DataFrame:
        """Stored signals of ``ticker`` dated up to ``end``: columns action, score, confidence,
        position_size, config_hash, run_id, indexed by as-of date (oldest first)."""
        c = _SIGNALS.c
        query = sa.select(
            c.as_of, c.action, c.score, c.confidence, c.position_size, c.config_hash, c.run_id
        ).where((c.ticker == ticker) & (c.as_of <= end))
        if start is not None:
            query = query.where(c.as_of >= start)
        if run_id is not None:
            query = query.where(c.run_id == run_id)
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(c.as_of)).mappings().all()
        frame = pd.DataFrame(
            rows,
            columns=[
                "as_of",
                "action",
                "score",
                "confidence",
                "position_size",
                "config_hash",
                "run_id",
            ],
        )
        frame["as_of"] = pd.to_datetime(frame["as_of"])
        return frame.set_index("as_of")
