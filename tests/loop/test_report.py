"""The simulation's report on a hand-built ``Simulation`` (five days, two slots, four retrains,
three alerts, hit rates not judged yet): the Markdown's rows and numbers, long lists cut, the
JSON round trip, the HTML's chart data, and the page drawn in headless Chromium."""

from __future__ import annotations

import base64
import json
import math
import re
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from loop.report import simulation_html, simulation_markdown, write_simulation
from loop.simulate import AlertRow, DayPoint, RetrainRow, Simulation, TrackLine
from quant.track.policy import RetrainPolicy
from tests._browser import headless_tab, needs_chromium

D1, D2, D3, D4, D5 = (date(2013, 1, d) for d in (2, 3, 4, 7, 8))
A, B = "AAPL-h5", "IBM-h5"


def _day(day: date, rates: dict[str, float | None], **changes: Any) -> DayPoint:
    values: dict[str, Any] = dict(
        day=day,
        hit_rates=rates,
        resolved_forecasts={s: 0 if r is None else 40 for s, r in rates.items()},
        drift_psi_max={},
        drifted={},
        alerts=0,
        retrains=0,
    )
    return DayPoint(**(values | changes))


def _retrain(day: date, slot: str, trigger: str, outcome: str, **changes: Any) -> RetrainRow:
    values: dict[str, Any] = dict(
        day=day,
        slot=slot,
        trigger=trigger,
        outcome=outcome,
        model_id=f"m-{slot}-{day:%d}",
        champion_id=None,
        reason="first model of the slot (GO on its walk-forward)",
        verdict="GO",
        walk_forward_accuracy=0.5714,
    )
    return RetrainRow(**(values | changes))


def _alert(day: date, kind: str, status: str, title: str = "") -> AlertRow:
    return AlertRow(day=day, kind=kind, status=status, title=title or f"{kind} on {day}")


@pytest.fixture
def sim() -> Simulation:
    timeline = (
        _day(D1, {}, alerts=1, retrains=2),
        _day(D2, {A: None}, drift_psi_max={A: 0.05}, drifted={A: False}, retrains=1),
        _day(D3, {A: None, B: None}),
        _day(D4, {A: 0.48, B: 0.6}, alerts=1, retrains=1),
        _day(
            D5,
            {A: 0.5, B: 0.625},
            drift_psi_max={A: 0.12, B: 0.31},
            drifted={A: False, B: True},
            alerts=1,
        ),
    )
    retrains = (
        _retrain(D1, A, "initial", "promoted"),
        _retrain(
            D1,
            B,
            "initial",
            "failed",
            model_id=None,
            verdict=None,
            walk_forward_accuracy=None,
            reason="too few rows | retry",
        ),
        _retrain(D2, B, "initial", "promoted", walk_forward_accuracy=0.6),
        _retrain(
            D4,
            A,
            "accuracy",
            "kept",
            verdict="NO-GO",
            walk_forward_accuracy=0.49,
            champion_id="m-AAPL-h5-02",
            reason="hit rate 48% < 55%: NO-GO on its walk-forward",
        ),
    )
    alerts = (
        _alert(D1, "retrain", "sent", "IBM-h5: retraining failed"),
        _alert(D4, "accuracy", "sent", "AAPL-h5: hit rate 48.0% is below 55%"),
        _alert(D5, "accuracy", "suppressed"),
    )
    return Simulation(
        start=D1,
        end=date(2013, 1, 9),
        watchlist=("AAPL", "IBM"),
        horizon=5,
        days=5,
        seconds=12.3,
        seconds_per_day=2.46,
        seconds_by_job={"calls": 4.0, "retrain": 6.3},
        track=(
            TrackLine(
                maker="signal",
                horizon=5,
                calls=40,
                resolved=30,
                directional=24,
                hit_rate=13 / 24,
                always_buy=17 / 30,
                momentum=0.5,
                brier=None,
            ),
            TrackLine(
                maker="model",
                horizon=5,
                calls=10,
                resolved=8,
                directional=8,
                hit_rate=0.625,
                always_buy=0.5,
                momentum=None,
                brier=0.24123,
            ),
        ),
        retrains_by_trigger={"accuracy": 1, "initial": 3},
        promoted=2,
        kept=1,
        failed=1,
        alerts_by_kind={"accuracy": 2, "retrain": 1},
        alerts_by_status={"sent": 2, "suppressed": 1},
        timeline=timeline,
        retrains=retrains,
        alerts=alerts,
        settings={"kind": "xgb", "drift_every_days": 3, "policy": RetrainPolicy().model_dump()},
    )


def _plot(page: str, name: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The data and layout that ``Plotly.newPlot`` gets for the chart ``chart-{name}``."""
    match = re.search(rf'Plotly\.newPlot\(\s*"chart-{re.escape(name)}",\s*', page)
    assert match, f"no chart-{name}"
    decoder = json.JSONDecoder()
    data, end = decoder.raw_decode(page, match.end())
    layout, _ = decoder.raw_decode(page, page.index("{", end))
    return data, layout


def _trace(data: list[dict[str, Any]], name: str) -> dict[str, Any]:
    """The trace named ``name``, its y values as a list (None for NaN; Plotly writes a numpy
    array as base64 ``bdata``)."""
    trace = next(t for t in data if t.get("name") == name)
    y = trace.get("y")
    if isinstance(y, dict):
        values = np.frombuffer(base64.b64decode(y["bdata"]), dtype=y["dtype"]).tolist()
        trace["y"] = [None if math.isnan(v) else v for v in values]
    return trace


def test_markdown_has_the_track_record_table_for_the_readme(sim: Simulation) -> None:
    md = simulation_markdown(sim)
    assert md.startswith("# Simulation: 2013-01-02 to 2013-01-09, AAPL, IBM\n")
    assert "over 5 trading days: models at 5 days (xgb), drift checked every 3 trading days." in md
    headings = re.findall(r"^## (.+)$", md, flags=re.M)
    assert headings == ["Track record", "Retrains", "Drift", "Alerts", "Time"]
    table = [line for line in md.splitlines() if line.startswith("| ")][:3]
    assert table == [
        "| maker | horizon | calls | resolved | directional | hit rate | always-buy"
        " | momentum (20-day) | Brier |",
        "| signal | 5 days | 40 | 30 | 24 | 54.2% | 56.7% | 50.0% | n/a |",
        "| model | 5 days | 10 | 8 | 8 | 62.5% | 50.0% | n/a | 0.2412 |",
    ]


def test_markdown_counts_retrains_alerts_drift_and_time(sim: Simulation) -> None:
    lines = simulation_markdown(sim).splitlines()
    for row in (
        "| trigger | retrains | promoted | kept | failed |",
        "| initial | 3 | 2 | 0 | 1 |",
        "| schedule | 0 | 0 | 0 | 0 |",
        "| accuracy | 1 | 0 | 1 | 0 |",
        "| drift | 0 | 0 | 0 | 0 |",
        "| **all** | 4 | 2 | 1 | 1 |",
        "| 2013-01-02 | AAPL-h5 | initial | promoted | GO | 57.1%"
        " | first model of the slot (GO on its walk-forward) |",
        "| 2013-01-02 | IBM-h5 | initial | failed | n/a | n/a | too few rows \\| retry |",
        "| 2013-01-07 | AAPL-h5 | accuracy | kept | NO-GO | 49.0%"
        " | hit rate 48% < 55%: NO-GO on its walk-forward |",
        "| AAPL-h5 | 2 | 0 | 0.120 | 0.120 |",
        "| IBM-h5 | 1 | 1 | 0.310 | 0.310 |",
        "| kind | sent | suppressed | all |",
        "| accuracy | 1 | 1 | 2 |",
        "| retrain | 1 | 0 | 1 |",
        "| **all** | 2 | 1 | 3 |",
        "| 2013-01-08 | accuracy | suppressed | accuracy on 2013-01-08 |",
        "| trading days | seconds | seconds per day |",
        "| 5 | 12.3 | 2.460 |",
    ):
        assert row in lines, row
    assert "PSI at least 0.2)" in simulation_markdown(sim)
    assert "PSI at least 0.25)" in simulation_markdown(sim, psi_threshold=0.25)


def test_long_lists_keep_the_promoted_retrains_and_the_raised_alerts(sim: Simulation) -> None:
    kept = [_retrain(D3, A, "schedule", "kept", reason=f"kept {i}") for i in range(42)]
    raised = [_alert(D4, "drift", "sent", f"drift {i}") for i in range(45)]
    quiet = [_alert(D5, "drift", "suppressed", f"quiet {i}") for i in range(5)]
    long = sim.model_copy(update={"retrains": (*sim.retrains, *kept), "alerts": (*raised, *quiet)})
    md = simulation_markdown(long)
    assert "2 promoted retrains shown; 44 others are in the JSON." in md
    assert "| 2013-01-03 | IBM-h5 | initial | promoted | GO | 60.0%" in md
    assert "kept 0" not in md and "too few rows" not in md  # kept and failed: counted only
    assert "40 raised alerts shown; 10 others are in the JSON." in md
    assert "drift 44" in md and "| drift 4 |" not in md and "quiet" not in md
    assert "others are in the JSON" not in simulation_markdown(sim)


def test_files_are_written_whole_and_the_json_round_trips(sim: Simulation, tmp_path: Path) -> None:
    paths = write_simulation(sim, tmp_path / "out")
    assert {k: p.name for k, p in paths.items()} == {
        "md": "simulation.md",
        "json": "simulation.json",
        "html": "simulation.html",
    }
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        p.name for p in paths.values()
    )  # no temporary file left behind
    assert Simulation.model_validate_json(paths["json"].read_text()) == sim
    assert paths["md"].read_text() == simulation_markdown(sim)
    assert paths["html"].read_text() == simulation_html(sim)


def test_html_draws_hit_rates_with_the_floor_and_the_retrains(sim: Simulation) -> None:
    page = simulation_html(sim)
    assert page.count('class="plotly-graph-div"') == 4  # two slots, drift, alerts
    data, layout = _plot(page, "hit-rate-AAPL-h5")
    assert [s["y0"] for s in layout["shapes"]] == [0.55] == [s["y1"] for s in layout["shapes"]]
    assert layout["annotations"][0]["text"] == "min accuracy 55%"
    line = _trace(data, "rolling hit rate")
    assert line["x"] == [str(d) for d in (D1, D2, D3, D4, D5)]
    assert line["y"] == [None, None, None, 0.48, 0.5]  # not judged yet: a gap
    promoted, kept = _trace(data, "promoted"), _trace(data, "kept")
    assert (promoted["x"], promoted["y"]) == (["2013-01-02"], [0.55])  # no rate yet: the floor
    assert (kept["x"], kept["y"]) == (["2013-01-07"], [0.48])  # on the day's hit rate
    assert promoted["marker"]["symbol"] == "triangle-up" and kept["marker"]["symbol"] == "circle"
    assert "hit rate 48% &lt; 55%" in kept["text"][0]  # escaped: Plotly reads some HTML
    data, _ = _plot(page, "hit-rate-IBM-h5")
    failed = _trace(data, "failed")
    assert (failed["x"], failed["marker"]["symbol"]) == (["2013-01-02"], "x")
    assert [t["name"] for t in data] == ["rolling hit rate", "promoted", "failed"]
    _, layout = _plot(simulation_html(sim, min_accuracy=0.6), "hit-rate-IBM-h5")
    assert layout["shapes"][0]["y0"] == 0.6


def test_html_draws_drift_against_its_threshold_and_alerts_per_day(sim: Simulation) -> None:
    page = simulation_html(sim)
    data, layout = _plot(page, "drift")
    assert layout["shapes"][0]["y0"] == 0.2  # quant.drift.PSI_SIGNIFICANT: not in settings
    assert (_trace(data, A)["x"], _trace(data, A)["y"]) == (
        ["2013-01-03", "2013-01-08"],
        [0.05, 0.12],
    )
    assert (_trace(data, "drifted")["x"], _trace(data, "drifted")["y"]) == (["2013-01-08"], [0.31])
    _, layout = _plot(simulation_html(sim, psi_threshold=0.25), "drift")
    assert layout["shapes"][0]["y0"] == 0.25
    data, layout = _plot(page, "alerts")
    assert layout["barmode"] == "stack"
    assert _trace(data, "accuracy")["y"] == [0, 0, 0, 1, 1]
    assert _trace(data, "retrain")["y"] == [1, 0, 0, 0, 0]


def test_html_is_self_contained(sim: Simulation) -> None:
    page = simulation_html(sim)
    assert not re.search(r"<script[^>]*\bsrc=", page) and "<link" not in page
    assert page.count("<script>") == 1 + 4  # plotly.js inlined once, then one per chart
    quiet = sim.model_copy(update={"alerts": (), "alerts_by_kind": {}, "alerts_by_status": {}})
    assert 'id="chart-alerts"' not in simulation_html(quiet)
    assert "No alert." in simulation_markdown(quiet)


@needs_chromium
def test_html_draws_its_charts_in_headless_chromium(sim: Simulation, tmp_path: Path) -> None:
    page = write_simulation(sim, tmp_path)["html"]
    with headless_tab(page) as (tab, errors):
        tab.wait_for_function(
            "[...document.querySelectorAll('.plotly-graph-div')]"
            ".filter(d => d.querySelector('.main-svg')).length === 4",
            timeout=60_000,
        )
        traces = tab.evaluate(
            "id => document.querySelectorAll(`#${id} g.trace`).length", "chart-hit-rate-AAPL-h5"
        )
        floor = tab.evaluate(
            "document.querySelectorAll('#chart-hit-rate-AAPL-h5 .shapelayer path').length"
        )
        bars = tab.evaluate("document.querySelectorAll('#chart-alerts g.point').length")
    assert not errors
    assert traces == 3 and floor >= 1  # the line, promoted and kept markers; the floor
    assert bars == 10  # a bar per day and kind (5 days, 2 kinds), zeros drawn flat
