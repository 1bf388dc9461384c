"""The figures of the simulation's report (``loop.report``): per slot the champion's rolling
hit rate against the policy's floor with a marker per retrain by outcome, each slot's largest
feature PSI at each drift check against the threshold, and the alerts per day by kind."""

from __future__ import annotations

import html
from datetime import date

import pandas as pd
import plotly.graph_objects as go

from loop.simulate import RetrainRow, Simulation
from reports.charts import daily_counts_figure, timeline_figure
from reports.markdown import pct

__all__ = ["OUTCOME_MARKERS", "alerts_figure", "drift_figure", "hit_rate_figure", "slots"]

OUTCOME_MARKERS = {
    "promoted": {"color": "#1a7f37", "symbol": "triangle-up"},
    "kept": {"color": "#8c959f", "symbol": "circle"},
    "failed": {"color": "#a40e26", "symbol": "x"},
}


def slots(sim: Simulation) -> list[str]:
    """Every slot, in order of first appearance."""
    names = [s for d in sim.timeline for s in (*d.hit_rates, *d.drifted)]
    return list(dict.fromkeys([*names, *(r.slot for r in sim.retrains)]))


def _retrain_text(r: RetrainRow) -> str:
    """The hover of a retrain marker (escaped: Plotly reads a little HTML in hover text)."""
    text = f"{r.trigger} retrain: {r.outcome}"
    if r.verdict is not None:
        text += f", {r.verdict}, walk-forward accuracy {pct(r.walk_forward_accuracy, 1)}"
    return f"{html.escape(text)}<br>{html.escape(r.reason)}"


def hit_rate_figure(sim: Simulation, slot: str, *, min_accuracy: float) -> go.Figure:
    """The slot's rolling hit rate per day (a gap where not judged yet), the policy's floor,
    and a marker per retrain by outcome, on the day's hit rate (else the last one known, else
    on the floor)."""
    rates = pd.Series(
        [d.hit_rates.get(slot) for d in sim.timeline],
        index=[d.day for d in sim.timeline],
        dtype="float64",
    )
    placed = rates.ffill().fillna(min_accuracy)
    rows = [r for r in sim.retrains if r.slot == slot]
    events = pd.DataFrame(
        {
            "date": [r.day for r in rows],
            "y": [placed.get(r.day, min_accuracy) for r in rows],
            "group": [r.outcome for r in rows],
            "text": [_retrain_text(r) for r in rows],
        }
    )
    return timeline_figure(
        {"rolling hit rate": rates},
        threshold=min_accuracy,
        threshold_label=f"min accuracy {pct(min_accuracy, 0)}",
        events=events,
        event_markers=OUTCOME_MARKERS,
        title=f"{slot}: the champion's rolling hit rate, and its retrains",
        y_title="hit rate",
        y_format=".0%",
        y_range=(0.0, 1.0),
    )


def drift_figure(sim: Simulation, *, threshold: float) -> go.Figure | None:
    """Each slot's largest feature PSI at each check, the threshold, and the drifted checks
    marked (on the threshold where the check has no PSI); None when no check ran."""
    series: dict[str, pd.Series] = {}
    drifted: list[tuple[date, float, str]] = []
    for slot in slots(sim):
        checks = {d.day: v for d in sim.timeline if (v := d.drift_psi_max.get(slot)) is not None}
        if checks:
            series[slot] = pd.Series(checks, dtype="float64")
        drifted += [
            (d.day, threshold if (v := d.drift_psi_max.get(slot)) is None else v, slot)
            for d in sim.timeline
            if d.drifted.get(slot)
        ]
    if not series and not drifted:
        return None
    events = pd.DataFrame(
        {
            "date": [day for day, _, _ in drifted],
            "y": [y for _, y, _ in drifted],
            "group": ["drifted"] * len(drifted),
            "text": [html.escape(f"{slot} drifted") for _, _, slot in drifted],
        }
    )
    return timeline_figure(
        series,
        threshold=threshold,
        threshold_label=f"PSI {threshold:g}",
        events=events,
        event_markers={"drifted": {"color": "#a40e26", "symbol": "diamond-open", "size": 14}},
        mode="lines+markers",
        title="Drift checks: the largest feature PSI per slot",
        y_title="largest feature PSI",
    )


def alerts_figure(sim: Simulation) -> go.Figure | None:
    """Alerts per day by kind, suppressed ones included, over the whole period; None when
    there is none."""
    if not sim.alerts:
        return None
    frame = pd.DataFrame({"day": [a.day for a in sim.alerts], "kind": [a.kind for a in sim.alerts]})
    counts = pd.crosstab(frame["day"], frame["kind"]).reindex(
        [d.day for d in sim.timeline], fill_value=0
    )
    return daily_counts_figure(
        counts, title="Alerts per day by kind (suppressed included)", y_title="alerts"
    )
