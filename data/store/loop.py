"""The learning loop's records: drift checks (``drift_checks``) and its decisions
(``loop_events``: retrains, promotions, rollbacks), read point in time.

Usage::

    drift = DriftCheckStore(engine)
    drift.add([NewDriftCheck(as_of=day, scope="model", subject=model_id, drifted=True,
                             score=0.31, summary="3 features drifted", details={...})])
    drift.checks(as_of=day)                   # every check dated on or before ``day``
    events = LoopEventStore(engine)
    events.add(NewLoopEvent(as_of=day, kind="retrain", slot="IBM-h5", trigger="schedule",
                            outcome="kept", model_id=..., champion_id=..., reason="..."))
    events.events(as_of=day)

A drift check is stored once per (as_of, scope, subject): a re-run of the same day's job keeps
the first (``add`` returns how many were new). Loop events are appended.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from data.store._dated import dated_rows
from data.store._types import utc_now
from data.store.models import DriftCheck, LoopEvent

__all__ = [
    "EVENT_KINDS",
    "EVENT_OUTCOMES",
    "DriftCheckStore",
    "LoopEventStore",
    "NewDriftCheck",
    "NewLoopEvent",
]

_DRIFT = DriftCheck.__table__
_EVENTS = LoopEvent.__table__
EVENT_KINDS = ("retrain", "promote", "rollback")
EVENT_OUTCOMES = ("promoted", "kept", "failed", "rolled_back")
_DRIFT_COLUMNS = ("as_of", "scope", "subject", "drifted", "score", "summary", "details")
_EVENT_COLUMNS = (
    "as_of",
    "kind",
    "slot",
    "trigger",
    "outcome",
    "model_id",
    "champion_id",
    "reason",
    "details",
)


@dataclass(frozen=True, slots=True)
class NewDriftCheck:
    as_of: date
    scope: str  # model | data
    subject: str  # the model id, or the ticker
    drifted: bool
    score: float | None
    summary: str
    details: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.scope not in ("model", "data"):
            raise ValueError(f"scope must be 'model' or 'data', got {self.scope!r}")
        if not self.subject:
            raise ValueError("a drift check needs its subject (a model id or a ticker)")


@dataclass(frozen=True, slots=True)
class NewLoopEvent:
    as_of: date
    kind: str
    slot: str
    outcome: str
    reason: str
    trigger: str | None = None
    model_id: str | None = None
    champion_id: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in EVENT_KINDS:
            raise ValueError(f"kind must be one of {', '.join(EVENT_KINDS)}, got {self.kind!r}")
        if self.outcome not in EVENT_OUTCOMES:
            raise ValueError(
                f"outcome must be one of {', '.join(EVENT_OUTCOMES)}, got {self.outcome!r}"
            )


class DriftCheckStore:
    """Drift checks in a SQLite or PostgreSQL database (schema migrated with ``upgrade``)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, checks: Sequence[NewDriftCheck]) -> int:
        """Store the checks not stored yet for their (as_of, scope, subject); how many were."""
        if not checks:
            return 0
        now = utc_now()
        rows = [
            {name: getattr(c, name) for name in _DRIFT_COLUMNS} | {"created_at": now}
            for c in checks
        ]
        with self.engine.begin() as conn:
            dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
            insert = dialect.insert(_DRIFT).values(rows).on_conflict_do_nothing()
            return len(conn.execute(insert.returning(_DRIFT.c.id)).all())

    def checks(
        self, *, as_of: date, since: date | None = None, scope: str | None = None
    ) -> pd.DataFrame:
        """Checks dated in [since, as_of] (oldest first): ``as_of`` (datetime64) and the other
        columns of ``NewDriftCheck``."""
        return dated_rows(
            self.engine,
            _DRIFT,
            _DRIFT_COLUMNS,
            as_of=as_of,
            since=since,
            order_by=("as_of", "scope", "subject"),
            scope=scope,
        )


class LoopEventStore:
    """The loop's decisions in a SQLite or PostgreSQL database (schema migrated)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, event: NewLoopEvent) -> int:
        """Append ``event``; returns its id."""
        row = {name: getattr(event, name) for name in _EVENT_COLUMNS} | {"created_at": utc_now()}
        with self.engine.begin() as conn:
            return int(
                conn.execute(_EVENTS.insert().values(row).returning(_EVENTS.c.id)).scalar_one()
            )

    def events(
        self,
        *,
        as_of: date,
        since: date | None = None,
        kind: str | None = None,
        slot: str | None = None,
    ) -> pd.DataFrame:
        """Events dated in [since, as_of] (in the order they happened)."""
        return dated_rows(
            self.engine, _EVENTS, _EVENT_COLUMNS, as_of=as_of, since=since, kind=kind, slot=slot
        )
