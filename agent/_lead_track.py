"""The lead of a question about SignalDesk's own calls ("how have your calls on IBM done?"):
the hit rate of its last resolved calls at the asked horizon (5 trading days unless one is
asked), beside always-buy and momentum on the same calls, from the ``track_record`` evidence
(``tools.track_record``); then the other horizons, the model's forecasts, the counts and dates.
No resolved call yet is an answer too: "There are no resolved calls yet for IBM as of ...".
"""

from __future__ import annotations

from datetime import date
from typing import Any

from agent._lead_common import Lead, evidence_for, say
from agent.answer import Reason
from agent.ledger import Ledger
from agent.question import ParsedQuestion
from tools.evidence import Evidence

__all__ = ["track_record_lead"]

_HEADLINE = 5  # the signal's own horizon (tools.track_record.HEADLINE_HORIZON)


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def _baselines(window: dict[str, Any]) -> str:
    momentum = window.get("momentum")
    said = "no momentum reading" if momentum is None else f"momentum {_pct(momentum)}"
    return f"always-buy {_pct(window.get('always_buy'))}, {said}"


def _horizon(q: ParsedQuestion, rows: dict[int, dict[str, Any]]) -> int:
    """The horizon asked (the nearest recorded one), else 5 days when any of those resolved,
    else the horizon with the most resolved calls."""
    asked = q.quantity.horizon_days or q.horizon_days
    if asked is not None:
        return min(rows, key=lambda h: (abs(h - asked), h))
    if rows.get(_HEADLINE, {}).get("resolved"):
        return _HEADLINE
    return max(rows, key=lambda h: (rows[h]["resolved"], h == _HEADLINE, -h))


def _right(window: dict[str, Any]) -> str:
    """How many were right: of all (each took a side), or of those that took one."""
    n, sided = window["calls"], window["directional"]
    if sided == n:
        return f"{_pct(window['hit_rate'])} were right"
    if sided == 1:
        right = "was right" if window["hit_rate"] == 1 else "was wrong"
        return f"the only one that took a side (buy or sell) {right}"
    if sided:
        return (
            f"the {sided} that took a side (buy or sell) were right "
            f"{_pct(window['hit_rate'])} of the time"
        )
    return "none took a side (all were hold calls)"


def _headline(ev: Evidence, row: dict[str, Any], *, on_who: str) -> Reason:
    w = row["recent"]
    return say(
        "lead_track_record",
        [ev],
        n=w["calls"],
        last="last " if row["resolved"] > w["calls"] else "",
        horizon=row["horizon_days"],
        on_who=on_who,
        as_of=ev.as_of,
        right=_right(w),
        baselines=_baselines(w),
    )


def _notes(ev: Evidence, shown: int, *, on_who: str) -> list[Reason]:
    """The other horizons, all resolved calls when more than the window, the forecasts, and
    the counts and dates of every call."""
    v = ev.values
    notes: list[Reason] = []
    for row in v["horizons"]:
        w, every = row["recent"], row["all"]
        if row["horizon_days"] == shown and every["calls"] > w["calls"]:
            notes.append(
                say(
                    "track_record_all",
                    [ev],
                    n=every["calls"],
                    horizon=shown,
                    first=every["first_outcome"],
                    right=_right(every),
                    baselines=_baselines(every),
                )
            )
        elif row["horizon_days"] != shown and w["calls"]:
            notes.append(
                say(
                    "track_record_horizon",
                    [ev],
                    horizon=row["horizon_days"],
                    n=w["calls"],
                    right=_right(w),
                    baselines=_baselines(w),
                )
            )
    for row in v.get("forecasts", []):
        w = row["recent"]
        if w["calls"]:
            brier = "n/a" if w["brier"] is None else f"{w['brier']:.3f}"
            notes.append(
                say(
                    "track_record_forecasts",
                    [ev],
                    horizon=row["horizon_days"],
                    on_who=on_who,
                    n=w["calls"],
                    rate=_pct(w["hit_rate"]),
                    brier=brier,
                )
            )
    if v["calls"]:
        notes.append(
            say(
                "track_record_counts",
                [ev],
                calls=v["calls"],
                on_who=on_who,
                as_of=ev.as_of,
                resolved=v["resolved"],
                pending=v["pending"],
                first=v["first_call"],
                last=v["last_call"],
                entry_points=", ".join(v["entry_points"]) or "none",
            )
        )
    return notes


def track_record_lead(
    q: ParsedQuestion, ledger: Ledger, ticker: str | None, _: date
) -> Lead | None:
    """How SignalDesk's own calls on ``ticker`` (on every company when the question names
    none) did, as known on the evidence's as-of date."""
    ev = evidence_for(ledger, "track_record", ticker)
    if ev is None:
        return None
    v = ev.values
    who = v.get("ticker")
    on_who = f"on {who}" if who else "across all companies"
    rows = {int(r["horizon_days"]): r for r in v["horizons"]}
    h = _horizon(q, rows)
    row = rows[h]
    if not row["recent"]["calls"]:
        asked = q.quantity.horizon_days or q.horizon_days
        sentence = say(
            "lead_track_record_none",
            [ev],
            what=f"{h}-day calls" if asked is not None else "calls",
            for_who=f"for {who}" if who else "for any company",
            as_of=ev.as_of,
            calls=row["calls"] if asked is not None else v["calls"],
            pending=row["pending"] if asked is not None else v["pending"],
        )
        return Lead(sentence, _notes(ev, h, on_who=on_who))
    return Lead(_headline(ev, row, on_who=on_who), _notes(ev, h, on_who=on_who))
