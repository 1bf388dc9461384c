"""The report of ``signaldesk simulate``: Markdown (the track record beside always-buy and
momentum, ready to paste into the README; the retrains by trigger and outcome; the drift checks;
the alerts; the time spent), JSON (the whole ``Simulation``) and one self-contained HTML page
(the Markdown rendered, with per slot the champion's rolling hit rate against the policy's
floor and a marker at each retrain, the drift checks' largest PSI against its threshold, and
the alerts per day by kind). ``write_simulation`` writes the three files atomically.

Every figure is formatted from the simulation's values; nothing here reruns the loop. Long
lists are cut at ``MAX_ROWS``: the retrains to the promoted ones, the alerts to those raised
(not suppressed); the JSON keeps every row.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import plotly.graph_objects as go

from core.files import write_atomic
from loop._report_charts import OUTCOME_MARKERS, alerts_figure, drift_figure, hit_rate_figure, slots
from loop.simulate import AlertRow, RetrainRow, Simulation
from quant.drift import PSI_SIGNIFICANT
from quant.track.policy import RetrainPolicy
from reports.html import figure_div, html_page, markdown_html
from reports.markdown import markdown_table, num, pct

__all__ = [
    "MAX_ROWS",
    "simulation_html",
    "simulation_markdown",
    "track_table",
    "write_simulation",
]

MAX_ROWS = 40  # retrains or alerts listed in full up to this many
TRIGGERS = ("initial", "schedule", "accuracy", "drift")
_Row = TypeVar("_Row", RetrainRow, AlertRow)


def _days(h: int) -> str:
    return f"{h} day" if h == 1 else f"{h} days"


def _cell(text: str) -> str:
    """Text safe in a Markdown table cell: one line, pipes escaped."""
    return " ".join(text.split()).replace("|", "\\|")


def _min_accuracy(sim: Simulation, given: float | None) -> float:
    """``given``, else the simulation's policy's, else the policy's default."""
    if given is not None:
        return given
    policy = sim.settings.get("policy")
    stored = policy.get("min_accuracy") if isinstance(policy, dict) else None
    return float(stored) if isinstance(stored, int | float) else RetrainPolicy().min_accuracy


def _psi_threshold(sim: Simulation, given: float | None) -> float:
    """``given``, else the simulation's settings', else ``quant.drift.PSI_SIGNIFICANT``."""
    if given is not None:
        return given
    stored = sim.settings.get("psi_threshold")
    return float(stored) if isinstance(stored, int | float) else PSI_SIGNIFICANT


def _capped(rows: Sequence[_Row], keep: Callable[[_Row], bool]) -> tuple[list[_Row], int]:
    """All rows up to ``MAX_ROWS``; past it the last ``MAX_ROWS`` kept ones, and how many not."""
    if len(rows) <= MAX_ROWS:
        return list(rows), 0
    shown = [r for r in rows if keep(r)][-MAX_ROWS:]
    return shown, len(rows) - len(shown)


# -- Markdown sections ----------------------------------------------------------------------


def _title(sim: Simulation) -> str:
    kind = sim.settings.get("kind")
    every = sim.settings.get("drift_every_days")
    return "\n".join(
        [
            f"# Simulation: {sim.start} to {sim.end}, {', '.join(sim.watchlist)}",
            "",
            f"The learning loop replayed one trading day at a time over {sim.days} trading days:"
            f" models at {_days(sim.horizon)}"
            + (f" ({kind})" if kind else "")
            + (f", drift checked every {every} trading days." if every else "."),
        ]
    )


def track_table(sim: Simulation) -> str:
    """The track record at the end, one row per (maker, horizon), beside the baselines."""
    header = ["maker", "horizon", "calls", "resolved", "directional", "hit rate"]
    header += ["always-buy", "momentum (20-day)", "Brier"]
    rows = (
        [
            t.maker,
            _days(t.horizon),
            str(t.calls),
            str(t.resolved),
            str(t.directional),
            pct(t.hit_rate, 1),
            pct(t.always_buy, 1),
            pct(t.momentum, 1),
            num(t.brier, 4),
        ]
        for t in sim.track
    )
    return "\n".join(markdown_table(header, rows))


def _track(sim: Simulation) -> str:
    if not sim.track:
        return "## Track record\n\nNo call was recorded."
    return (
        f"## Track record\n\n{track_table(sim)}\n\n"
        "Hit rate: the share right among the resolved calls that state a direction (signal"
        " HOLDs state none); always-buy and 20-day momentum on the same calls; Brier only where"
        " a probability is stated (models)."
    )


def _retrain_counts(sim: Simulation) -> list[str]:
    by = Counter((r.trigger, r.outcome) for r in sim.retrains)
    triggers = list(dict.fromkeys([*TRIGGERS, *sim.retrains_by_trigger]))
    rows = [
        [t, str(sim.retrains_by_trigger.get(t, 0))] + [str(by[t, o]) for o in OUTCOME_MARKERS]
        for t in triggers
    ]
    total = sum(sim.retrains_by_trigger.values())
    rows.append(["**all**", str(total), str(sim.promoted), str(sim.kept), str(sim.failed)])
    return markdown_table(["trigger", "retrains", *OUTCOME_MARKERS], rows)


def _retrains(sim: Simulation) -> str:
    lines = ["## Retrains", "", *_retrain_counts(sim)]
    if not sim.retrains:
        return "\n".join(lines)
    shown, rest = _capped(sim.retrains, lambda r: r.outcome == "promoted")
    header = ["day", "slot", "trigger", "outcome", "verdict", "walk-forward accuracy", "reason"]
    rows = (
        [
            str(r.day),
            r.slot,
            r.trigger,
            r.outcome,
            r.verdict or "n/a",
            pct(r.walk_forward_accuracy, 1),
            _cell(r.reason),
        ]
        for r in shown
    )
    lines += ["", *markdown_table(header, rows)]
    if rest:
        lines += ["", f"{len(shown)} promoted retrains shown; {rest} others are in the JSON."]
    return "\n".join(lines)


def _drift(sim: Simulation, threshold: float) -> str:
    header = ["slot", "checks", "drifted", "largest PSI", "last PSI"]
    rows = []
    for slot in slots(sim):
        checked = [d for d in sim.timeline if slot in d.drifted]
        psi = [v for d in checked if (v := d.drift_psi_max.get(slot)) is not None]
        drifted = sum(d.drifted[slot] for d in checked)
        last = psi[-1] if psi else None
        rows.append([slot, str(len(checked)), str(drifted), num(max(psi, default=None)), num(last)])
    return "\n".join(
        [
            "## Drift",
            "",
            "Each check's largest feature PSI against the champion's training window; a check"
            f" drifts where a shift is both large (PSI at least {threshold:g}) and significant.",
            "",
            *markdown_table(header, rows),
        ]
    )


def _alert_counts(sim: Simulation) -> list[str]:
    by = Counter((a.kind, a.status) for a in sim.alerts)
    statuses = list(sim.alerts_by_status)
    rows = [
        [kind, *(str(by[kind, s]) for s in statuses), str(n)]
        for kind, n in sim.alerts_by_kind.items()
    ]
    total = sum(sim.alerts_by_kind.values())
    rows.append(["**all**", *(str(sim.alerts_by_status[s]) for s in statuses), str(total)])
    return markdown_table(["kind", *statuses, "all"], rows)


def _alerts(sim: Simulation) -> str:
    if not sim.alerts_by_kind:
        return "## Alerts\n\nNo alert."
    lines = ["## Alerts", "", *_alert_counts(sim)]
    shown, rest = _capped(sim.alerts, lambda a: a.status != "suppressed")
    rows = ([str(a.day), a.kind, a.status, _cell(a.title)] for a in shown)
    lines += ["", *markdown_table(["day", "kind", "status", "title"], rows)]
    if rest:
        lines += ["", f"{len(shown)} raised alerts shown; {rest} others are in the JSON."]
    return "\n".join(lines)


def _time(sim: Simulation) -> str:
    rows = [[str(sim.days), f"{sim.seconds:.1f}", f"{sim.seconds_per_day:.3f}"]]
    jobs = [[name, f"{s:.1f}", f"{s / sim.days:.3f}"] for name, s in sim.seconds_by_job.items()]
    lines = ["## Time", "", *markdown_table(["trading days", "seconds", "seconds per day"], rows)]
    if jobs:
        lines += ["", *markdown_table(["job", "seconds", "seconds per day"], jobs)]
    return "\n".join(lines)


def _sections(sim: Simulation, *, psi_threshold: float) -> dict[str, str]:
    return {
        "title": _title(sim),
        "track": _track(sim),
        "retrains": _retrains(sim),
        "drift": _drift(sim, psi_threshold),
        "alerts": _alerts(sim),
        "time": _time(sim),
    }


def simulation_markdown(sim: Simulation, *, psi_threshold: float | None = None) -> str:
    """The report as Markdown. psi_threshold: the drift checks' (default: the simulation's
    settings, else ``quant.drift.PSI_SIGNIFICANT``)."""
    sections = _sections(sim, psi_threshold=_psi_threshold(sim, psi_threshold))
    return "\n\n".join(sections.values()) + "\n"


# -- HTML and files -------------------------------------------------------------------------


def _div(fig: go.Figure | None, name: str) -> str:
    return "" if fig is None else figure_div(fig, re.sub(r"[^A-Za-z0-9_-]", "_", name))


def simulation_html(
    sim: Simulation, *, min_accuracy: float | None = None, psi_threshold: float | None = None
) -> str:
    """The report as one self-contained page: the Markdown's sections with their charts.
    min_accuracy: the hit-rate floor drawn (default: the simulation's policy); psi_threshold:
    the drift threshold drawn (default: the settings, else ``quant.drift.PSI_SIGNIFICANT``)."""
    floor = _min_accuracy(sim, min_accuracy)
    threshold = _psi_threshold(sim, psi_threshold)
    charts = {
        "retrains": "".join(
            _div(hit_rate_figure(sim, slot, min_accuracy=floor), f"hit-rate-{slot}")
            for slot in slots(sim)
        ),
        "drift": _div(drift_figure(sim, threshold=threshold), "drift"),
        "alerts": _div(alerts_figure(sim), "alerts"),
    }
    parts = [
        f'<section id="{name}">{markdown_html(text)}{charts.get(name, "")}</section>'
        for name, text in _sections(sim, psi_threshold=threshold).items()
    ]
    title = f"SignalDesk simulation {sim.start} to {sim.end}"
    return html_page(title=title, body="".join(parts))


def write_simulation(
    sim: Simulation,
    folder: Path,
    *,
    min_accuracy: float | None = None,
    psi_threshold: float | None = None,
) -> dict[str, Path]:
    """Write ``simulation.md``, ``simulation.json`` and ``simulation.html`` into ``folder``
    (created if missing), each atomically; returns their paths by format (md, json, html)."""
    page = simulation_html(sim, min_accuracy=min_accuracy, psi_threshold=psi_threshold)
    return {
        "md": write_atomic(
            folder / "simulation.md", simulation_markdown(sim, psi_threshold=psi_threshold)
        ),
        "json": write_atomic(folder / "simulation.json", sim.model_dump_json(indent=2)),
        "html": write_atomic(folder / "simulation.html", page),
    }
