"""``signaldesk jobs run`` and ``signaldesk simulate`` in this process, on the bundled data: the
day's jobs train the first model, record its calls, resolve them when due; monitor shows what
the loop stored; simulate writes its report; bad input exits 2."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from tests.cli.runner import run

pytestmark = pytest.mark.slow


def _json(*args: str) -> dict:
    out = run(*args, "--json")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_the_day_job_trains_calls_and_the_outcomes_job_resolves_them_when_due():
    first = _json("jobs", "run", "day", "--as-of", "2011-03-01", "--watchlist", "IBM")
    assert [(r["slot"], r["trigger"], r["outcome"]) for r in first["retrains"]] == [
        ("IBM-h5", "initial", "promoted")
    ]
    assert first["recorded"] == 4  # the signal at 1, 5 and 20 days and the model's 5-day forecast
    again = _json("jobs", "run", "calls", "--as-of", "2011-03-01", "--watchlist", "IBM")
    assert again["recorded"] == 0  # each call once
    early = _json("jobs", "run", "outcomes", "--as-of", "2011-03-07", "--watchlist", "IBM")
    assert early["resolved"] == 1  # only the 1-day call is due
    later = _json("jobs", "run", "outcomes", "--as-of", "2011-04-05", "--watchlist", "IBM")
    assert later["resolved"] == 3
    shown = _json("monitor", "--as-of", "2011-04-05")
    decisions = shown["loop"]["decisions"]
    assert [(d["slot"], d["trigger"], d["outcome"]) for d in decisions] == [
        ("IBM-h5", "initial", "promoted")
    ]


def test_jobs_refuse_an_unknown_job():
    out = run("jobs", "run", "dance", "--watchlist", "IBM")
    assert out.returncode == 2 and "unknown job 'dance'" in out.stderr


def test_simulate_replays_the_loop_and_writes_its_report(tmp_path: Path):
    out = run(
        "simulate", "--start", "2011-03-01", "--end", "2011-03-18", "--watchlist", "IBM",
        "--out", str(tmp_path / "sim"),
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "## Track record" in out.stdout and "| model | 5 days |" in out.stdout
    for name in ("simulation.md", "simulation.json", "simulation.html", "simulate.db"):
        assert (tmp_path / "sim" / name).is_file(), name
    result = json.loads((tmp_path / "sim" / "simulation.json").read_text())
    assert result["days"] == 14 and result["retrains_by_trigger"] == {"initial": 1}


def test_simulate_refuses_an_end_before_its_start(tmp_path: Path):
    out = run("simulate", "--start", "2011-03-01", "--end", "2011-02-01", "--out", str(tmp_path))
    assert out.returncode == 2 and "before --start" in out.stderr


def test_an_incomplete_briefing_raises_a_stored_briefing_alert(tmp_path: Path):
    from core.settings import Settings
    from data.store import AlertStore, make_engine

    out = run(
        "briefing", "--watchlist", "IBM,FB", "--as-of", "2011-03-01", "--format", "json",
        "--out", str(tmp_path / "reports"),
    )  # fmt: skip
    assert out.returncode == 1, out.stderr  # FB has no bars before 2012
    alerts = AlertStore(make_engine(Settings().sqlalchemy_url)).alerts(as_of=date(2011, 3, 1))
    assert list(alerts["kind"]) == ["briefing"]
    assert "not briefed: FB" in alerts["body"].iloc[0] and alerts["status"].iloc[0] == "unsent"
