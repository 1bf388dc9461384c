"""The calibration reports (evals/calibration/report.py):
Markdown with the hand-computed numbers, JSON that reads back, one self-contained HTML page."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from plotly.offline import get_plotlyjs

from evals.calibration.report import (
    render_html,
    render_markdown,
    summary_metrics,
    write_reports,
)
from evals.calibration.scoring import CalibrationResult, calibrate
from tests.evals.test_calibration import CLOSES, _calls


def _result(calls: pd.DataFrame | None = None) -> CalibrationResult:
    return calibrate(
        _calls() if calls is None else calls,
        {"AAA": CLOSES},
        rng=np.random.default_rng(7),
        horizons=(1, 5),
        lookback=2,
        draws=50,
    )


def test_markdown_states_the_scores_beside_the_baselines() -> None:
    md = render_markdown(_result(), about={"random baseline seed": "7"})
    assert md.startswith("# Decision calibration 2020-01-07 … 2020-01-17\n")
    assert "8 calls on AAA (0 without a price on or before their date)." in md
    assert "1 day: 1 without enough later bars. 5 days: 5 without enough later bars." in md
    assert "- random baseline seed: 7" in md
    assert "| 1 day | signal | 6 | 66.7% | +0.84% | 0.1958 | " in md
    assert "| 1 day | always-buy | 7 | 42.9% |" in md
    assert "| 1 day | momentum (2-day) | 6 | 33.3% |" in md
    assert "| 1 day | random (50 shuffles) | 6 | " in md and "(5–95%: " in md
    assert "| 1 day | BUY | 3 | 33.3% | +0.38% |" in md
    assert "| 1 day | HOLD | 1 | n/a | +1.94% |" in md
    assert "| 1 day | 1 | ±1.00% | 0.0% | 42.9% | 1.9% |" in md  # the HOLD table
    assert "| 1 day | 0.650–0.750 | 2 | 65.0% | 100.0% |" in md  # a reliability bin
    assert "| action: BUY | +0.38% (3) | " in md
    assert "| baseline: momentum down | +3.03% (1) | " in md


def test_summary_metrics_are_flat_and_name_the_horizon() -> None:
    flat = summary_metrics(_result())
    assert flat["h1_signal_hit_rate"] == 4 / 6
    assert flat["h5_signal_brier"] is not None
    assert "h1_always_buy_brier" not in flat  # no stated probability, nothing to compare
    assert 0.0 <= flat["h1_hit_rate_p_value"] <= 1.0


def test_reports_written_atomically_and_html_is_self_contained(tmp_path: Path) -> None:
    result = _result()
    paths = write_reports(result, tmp_path / "out", about={"calls": "test"})
    assert [p.name for p in paths] == [
        f"calibration-2020-01-07-2020-01-17-AAA.{ext}" for ext in ("md", "html", "json")
    ]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(p.name for p in paths)
    payload = json.loads(paths[2].read_text())
    assert payload.pop("about") == {"calls": "test"}
    assert CalibrationResult.model_validate(payload) == result
    page = paths[1].read_text()
    assert page.count(get_plotlyjs()[:200]) == 1  # plotly.js inlined once
    assert page.count("<script src=") == 0  # nothing fetched from the network
    for chart in ("chart-reliability", "chart-buckets-1", "chart-buckets-5"):
        assert f'id="{chart}"' in page
    assert "<td>signal</td>" in page


def test_reports_of_no_calls_render() -> None:
    empty = _result(_calls([]))
    md = render_markdown(empty)
    assert "# Decision calibration no calls" in md and "| 1 day | signal | 0 | n/a |" in md
    assert "chart-reliability" not in render_html(empty)
