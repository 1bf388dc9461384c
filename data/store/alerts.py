"""The loop's alerts (``alerts``): every alert raised is stored, sent or not, and read point in
time.

Usage::

    store = AlertStore(engine)                               # schema migrated (``upgrade``)
    alert_id = store.add(as_of=day, kind="drift", key="drift:model:m1", severity="warning",
                         title="...", body="...", details={...}, status="unsent",
                         deliveries={})
    store.record_delivery(alert_id, status="sent", deliveries={"webhook": "sent"})
    store.last_raised("drift:model:m1", since=day - timedelta(days=6), as_of=day)
    store.count_raised(as_of=day)                            # for the daily rate limit
    store.alerts(as_of=day)                                  # every alert dated on or before

An alert is *raised* when it was let through to its channels: its status is ``sent``,
``failed`` (every channel failed) or ``unsent`` (no channel configured). De-duplication and the
rate limit count raised alerts whether or not a channel delivered them, so a run with a webhook
down, or a simulation with no channel at all, suppresses the same alerts on the same days as a
run where everything was delivered. ``suppressed`` alerts (a duplicate, or over the rate limit)
are stored too and count for neither.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from data.store._dated import dated_rows
from data.store._types import utc_now
from data.store.models import Alert

__all__ = ["ALERT_COLUMNS", "ALERT_STATUSES", "RAISED_STATUSES", "SEVERITIES", "AlertStore"]

_TABLE = Alert.__table__
ALERT_STATUSES = ("sent", "failed", "suppressed", "unsent")
RAISED_STATUSES = ("sent", "failed", "unsent")
SEVERITIES = ("warning", "critical")
ALERT_COLUMNS = (
    "id",
    "as_of",
    "kind",
    "key",
    "severity",
    "title",
    "body",
    "details",
    "status",
    "deliveries",
    "created_at",
)


def _check_status(status: str, allowed: tuple[str, ...]) -> None:
    if status not in allowed:
        raise ValueError(f"status must be one of {', '.join(allowed)}, got {status!r}")


class AlertStore:
    """Alerts in a SQLite or PostgreSQL database (schema migrated with ``upgrade``)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(
        self,
        *,
        as_of: date,
        kind: str,
        key: str,
        severity: str,
        title: str,
        body: str,
        details: Mapping[str, Any],
        status: str,
        deliveries: Mapping[str, str],
    ) -> int:
        """Append an alert; returns its id. ``details`` must be JSON-serialisable."""
        _check_status(status, ALERT_STATUSES)
        if severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {', '.join(SEVERITIES)}, got {severity!r}")
        if not key:
            raise ValueError("an alert needs its de-duplication key")
        row = {
            "as_of": as_of,
            "kind": kind,
            "key": key,
            "severity": severity,
            "title": title,
            "body": body,
            "details": dict(details),
            "status": status,
            "deliveries": dict(deliveries),
            "created_at": utc_now(),
        }
        with self.engine.begin() as conn:
            return int(
                conn.execute(_TABLE.insert().values(row).returning(_TABLE.c.id)).scalar_one()
            )

    def record_delivery(self, alert_id: int, *, status: str, deliveries: Mapping[str, str]) -> None:
        """Write how a raised alert's delivery went (``sent``, ``failed`` or ``unsent``) and
        what each channel said."""
        _check_status(status, RAISED_STATUSES)
        c = _TABLE.c
        update = (
            _TABLE.update()
            .where(c.id == alert_id)
            .values(status=status, deliveries=dict(deliveries))
        )
        with self.engine.begin() as conn:
            if conn.execute(update).rowcount != 1:
                raise LookupError(f"no alert with id {alert_id}")

    def last_raised(self, key: str, *, since: date, as_of: date) -> date | None:
        """The as-of date of the latest alert with ``key`` raised (not suppressed) and dated in
        [since, as_of], or None. Alerts dated after ``as_of`` are not seen."""
        c = _TABLE.c
        query = sa.select(sa.func.max(c.as_of)).where(
            (c.key == key) & c.status.in_(RAISED_STATUSES) & (c.as_of >= since) & (c.as_of <= as_of)
        )
        with self.engine.connect() as conn:
            found: date | None = conn.execute(query).scalar_one()
        return found

    def count_raised(self, *, as_of: date) -> int:
        """How many alerts dated ``as_of`` were raised (not suppressed)."""
        c = _TABLE.c
        query = sa.select(sa.func.count()).where((c.as_of == as_of) & c.status.in_(RAISED_STATUSES))
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    def alerts(
        self, *, as_of: date, since: date | None = None, kind: str | None = None
    ) -> pd.DataFrame:
        """Alerts dated in [since, as_of], oldest first (``ALERT_COLUMNS``; ``as_of`` as
        datetime64, ``details`` and ``deliveries`` as dicts)."""
        return dated_rows(self.engine, _TABLE, ALERT_COLUMNS, as_of=as_of, since=since, kind=kind)
