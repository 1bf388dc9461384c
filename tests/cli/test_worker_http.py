"""The worker as a process in this one (``cli._worker_http``): its server on a free loopback
port answers /healthz, /readyz (readiness, the schedule, the last run) and /metrics while the
scheduler waits; a stop ends both within a bound; a job that runs on past the grace period is
abandoned (and said so)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from cli._worker import Job, Worker, parse_run_at
from cli._worker_http import WorkerService, worker_app
from core.settings import SettingsError, load_settings
from data.store import make_engine, upgrade
from loop.health import Dependencies
from tests._servers import free_port


def _service(worker: Worker, port: int) -> WorkerService:
    settings = load_settings()
    engine = make_engine(settings.sqlalchemy_url)
    upgrade(engine)
    dependencies = Dependencies.from_settings(
        settings, engine=engine, sources=lambda: [], as_of=lambda: date(2013, 3, 1)
    )
    return WorkerService(worker, worker_app(worker, dependencies), host="127.0.0.1", port=port)


@pytest.fixture
def port() -> Iterator[int]:
    yield free_port()


def test_a_running_worker_answers_its_probes_and_stops(port: int) -> None:
    ran: list[date] = []
    worker = Worker(
        [Job("test-http", lambda day: ran.append(day) or "done")],
        run_at=parse_run_at("22:30"),
        as_of=lambda: date(2013, 3, 1),
    )
    worker.run_once()  # a run before: /readyz shows it
    service = _service(worker, port)
    service.start()
    base = f"http://127.0.0.1:{port}"
    try:
        assert httpx.get(f"{base}/healthz").json() == {"status": "ok"}
        ready = httpx.get(f"{base}/readyz")
        body = ready.json()
        # no data source in this test: the data check fails, the worker is not ready
        assert ready.status_code == 503 and body["ready"] is False
        assert body["checks"]["data"] == {
            "status": "error", "detail": "no data source is configured", "sources": []
        }  # fmt: skip
        assert body["checks"]["database"]["status"] == "ok"
        status = body["worker"]
        assert status["run_at"] == "22:30 UTC" and status["jobs"] == ["test-http"]
        assert datetime.fromisoformat(status["next_run"]).strftime("%H:%M") == "22:30"
        assert status["last_run"]["status"] == "ok"
        assert status["last_run"]["jobs"]["test-http"]["summary"] == "done"
        text = httpx.get(f"{base}/metrics").text
        assert (
            'signaldesk_http_requests_total{method="GET",route="/readyz",status="503"} 1.0' in text
        )
        assert 'signaldesk_job_runs_total{status="ok",task="test-http"}' in text
        assert "# TYPE signaldesk_agent_turns_total counter" in text
    finally:
        began = time.monotonic()
        abandoned = service.stop(grace_s=5)
    assert not abandoned and time.monotonic() - began < 3
    assert not service.running
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{base}/healthz")
    assert ran == [date(2013, 3, 1)]  # the scheduler never reached 22:30


def test_a_busy_port_is_a_configuration_error(port: int) -> None:
    worker = Worker([], run_at=parse_run_at("22:30"), as_of=date.today)
    first = _service(worker, port)
    first.start()
    try:
        with pytest.raises(SettingsError, match=f"cannot listen on 127.0.0.1:{port}"):
            _service(Worker([], run_at=worker.run_at, as_of=date.today), port).start()
    finally:
        first.stop(grace_s=1)


def test_a_job_running_past_the_grace_period_is_abandoned(
    port: int, caplog: pytest.LogCaptureFixture
) -> None:
    release, started = threading.Event(), threading.Event()

    def stuck(day: date) -> str:
        started.set()
        release.wait(30)
        return "late"

    ticks = iter([datetime(2024, 3, 1, 22, 29, 59, tzinfo=UTC)])  # then 22:30: due at once

    def clock() -> datetime:
        return next(ticks, datetime(2024, 3, 1, 22, 30, tzinfo=UTC) + timedelta(seconds=1))

    worker = Worker(
        [Job("test-stuck", stuck), Job("test-after", lambda day: "never")],
        run_at=parse_run_at("22:30"),
        as_of=lambda: date(2013, 3, 1),
        clock=clock,
    )
    service = _service(worker, port)
    service.start()
    try:
        assert started.wait(10)
        began = time.monotonic()
        with caplog.at_level(logging.WARNING, logger="cli._worker_http"):
            assert service.stop(grace_s=0.5) is True
        assert time.monotonic() - began < 2
        assert "abandoning job test-stuck" in caplog.text
    finally:
        release.set()
    deadline = time.monotonic() + 5
    while worker.last_run is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert worker.last_run is not None and worker.last_run.not_run == ["test-after"]
