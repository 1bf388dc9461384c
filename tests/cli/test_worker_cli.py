"""``signaldesk worker``: ``--once`` on the bundled data runs the loop's day and the briefing
for the data's last day and exits 0 (1 when a job failed, 2 for a bad --run-at); a real worker
process serves its probes and stops on SIGTERM within a few seconds."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests._servers import free_port, stop, wait_answering
from tests.cli.runner import EXE, run


@pytest.mark.slow
def test_once_runs_the_loop_day_and_the_briefing_on_the_data_last_day(tmp_path: Path) -> None:
    from core.settings import Settings
    from data.store import PredictionStore, make_engine

    out = run("worker", "--once", "--json", env_extra={"SIGNALDESK_BRIEFING_WATCHLIST": "IBM"})
    assert out.returncode == 0, out.stderr
    record = json.loads(out.stdout)
    assert record["status"] == "ok" and record["as_of"] == "2013-03-01"  # the bundled data end
    assert {name: job["status"] for name, job in record["jobs"].items()} == {
        "day": "ok",
        "briefing": "ok",
    }
    assert record["jobs"]["day"]["summary"].startswith("0 outcomes resolved, 4 calls recorded")
    reports = tmp_path / "home" / "reports"
    assert sorted(p.suffix for p in reports.glob("briefing-2013-03-01-IBM.*")) == [
        ".html", ".json", ".md"
    ]  # fmt: skip
    calls = PredictionStore(make_engine(Settings().sqlalchemy_url)).calls(
        as_of=datetime(2013, 3, 1).date()
    )
    assert set(calls["source"]) == {"loop", "briefing"}


def test_once_exits_1_when_a_job_failed() -> None:
    out = run("worker", "--once", env_extra={"SIGNALDESK_BRIEFING_WATCHLIST": "ZZZZ"})
    assert out.returncode == 1
    assert "day: failed" in out.stderr and "unknown ticker 'ZZZZ'" in out.stderr
    assert "briefing: failed" in out.stderr and "0 of 1 tickers briefed" in out.stderr


def test_a_bad_run_at_is_bad_input() -> None:
    out = run("worker", "--once", "--run-at", "7:30")
    assert out.returncode == 2
    assert (
        out.stderr.strip() == "error: --run-at: run at '7:30': use HH:MM, 24-hour UTC, e.g. 22:30"
    )


@pytest.mark.slow
def test_a_worker_process_serves_its_probes_and_stops_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    later = (datetime.now(UTC) + timedelta(hours=2)).strftime("%H:%M")  # nothing runs meanwhile
    log = tmp_path / "worker.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            [*EXE, "worker", "--host", "127.0.0.1", "--port", str(port), "--run-at", later],
            stdout=sink, stderr=subprocess.STDOUT,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_answering(f"{base}/healthz", proc, log, what="signaldesk worker", timeout_s=60)
        ready = httpx.get(f"{base}/readyz", timeout=30)
        assert ready.status_code == 200, ready.text
        body = ready.json()
        assert body["ready"] is True and body["worker"]["last_run"] is None
        next_run = datetime.fromisoformat(body["worker"]["next_run"])
        assert next_run.strftime("%H:%M") == later
        assert timedelta(hours=1) < next_run - datetime.now(UTC) <= timedelta(hours=2)
        text = httpx.get(f"{base}/metrics").text
        assert 'signaldesk_http_requests_total{method="GET",route="/healthz",status="200"}' in text
        assert "# TYPE signaldesk_job_runs_total counter" in text
        began = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0, log.read_text()[-3000:]
        assert time.monotonic() - began < 10
    finally:
        if proc.poll() is None:
            stop(proc)
