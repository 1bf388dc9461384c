"""The learning loop's stored records in ``signaldesk monitor``: the latest drift check of each
model and ticker, the latest retrain decisions, and the latest alerts, as known on the as-of
date (what ``signaldesk jobs run`` and the simulation stored)."""

from __future__ import annotations

import math
from datetime import date
from typing import TYPE_CHECKING, Any

from rich.box import SIMPLE
from rich.table import Table

from cli._output import console

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

LAST = 10


def _day(value: Any) -> str:  # noqa: ANN401 - a Timestamp cell
    return value.date().isoformat()


def _number(value: Any) -> float | None:  # noqa: ANN401 - a float cell, NaN when none
    number = float(value) if value is not None else math.nan
    return None if math.isnan(number) else round(number, 4)


def loop_records(engine: Engine, *, as_of: date, last: int = LAST) -> dict[str, Any]:
    """Latest drift check per (scope, subject), the last ``last`` loop events and alerts."""
    from data.store import AlertStore, DriftCheckStore, LoopEventStore

    checks = DriftCheckStore(engine).checks(as_of=as_of)
    latest = checks.groupby(["scope", "subject"], sort=True).tail(1)
    events = LoopEventStore(engine).events(as_of=as_of).tail(last)
    alerts = AlertStore(engine).alerts(as_of=as_of).tail(last)
    return {
        "drift": [
            {
                "as_of": _day(r.as_of),
                "scope": r.scope,
                "subject": r.subject,
                "drifted": bool(r.drifted),
                "largest_psi": _number(r.score),
                "summary": r.summary,
            }
            for r in latest.itertuples()
        ],
        "decisions": [
            {
                "as_of": _day(r.as_of),
                "kind": r.kind,
                "slot": r.slot,
                "trigger": r.trigger,
                "outcome": r.outcome,
                "model_id": r.model_id,
                "champion_id": r.champion_id,
                "reason": r.reason,
            }
            for r in events.itertuples()
        ],
        "alerts": [
            {
                "as_of": _day(r.as_of),
                "kind": r.kind,
                "severity": r.severity,
                "status": r.status,
                "title": r.title,
            }
            for r in alerts.itertuples()
        ],
    }


def _table(title: str, rows: list[dict[str, Any]], columns: tuple[str, ...]) -> Table:
    table = Table(title=title, box=SIMPLE, title_justify="left")
    for col in columns:
        table.add_column(col.replace("_", " "))
    for row in rows:
        table.add_row(*("" if row[c] is None else str(row[c]) for c in columns))
    return table


def print_loop(records: dict[str, Any]) -> None:
    """The three tables, each only when it has rows."""
    if records["drift"]:
        console.print(
            _table(
                "Latest drift checks (signaldesk jobs run drift)",
                records["drift"],
                ("as_of", "scope", "subject", "drifted", "largest_psi", "summary"),
            )
        )
    if records["decisions"]:
        console.print(
            _table(
                f"Last {LAST} learning-loop decisions",
                records["decisions"],
                ("as_of", "kind", "slot", "trigger", "outcome", "model_id", "reason"),
            )
        )
    if records["alerts"]:
        console.print(
            _table(
                f"Last {LAST} alerts",
                records["alerts"],
                ("as_of", "kind", "severity", "status", "title"),
            )
        )
