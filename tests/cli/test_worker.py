"""The worker's schedule and runs (``cli._worker``) on a fake clock: the next run across
midnight, ``--run-at`` parsing, a failed job counted and logged without stopping the next job
or the next day's run, a stop while waiting or during a run."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest

from cli._worker import Job, JobFailedError, Worker, next_run, parse_run_at
from core.metrics import REGISTRY

RUN_AT = time(22, 30, tzinfo=UTC)


def test_run_at_is_hh_mm_utc() -> None:
    assert parse_run_at("22:30") == RUN_AT
    assert parse_run_at(" 00:05 ") == time(0, 5, tzinfo=UTC)
    for bad in ("24:00", "7:30", "22:60", "2230", "22:30:00", "", "noon"):
        with pytest.raises(ValueError, match="use HH:MM, 24-hour UTC"):
            parse_run_at(bad)


def test_the_next_run_is_the_first_run_at_strictly_after_now() -> None:
    def at(*parts: int) -> datetime:
        return datetime(*parts, tzinfo=UTC)

    assert next_run(at(2024, 3, 1, 9, 0), RUN_AT) == at(2024, 3, 1, 22, 30)
    assert next_run(at(2024, 3, 1, 22, 30), RUN_AT) == at(2024, 3, 2, 22, 30)  # just ran
    assert next_run(at(2024, 3, 1, 23, 59), RUN_AT) == at(2024, 3, 2, 22, 30)
    assert next_run(at(2024, 12, 31, 23, 0), RUN_AT) == at(2025, 1, 1, 22, 30)
    assert next_run(at(2024, 2, 28, 23, 50), time(0, 5)) == at(2024, 2, 29, 0, 5)  # midnight
    paris = timezone(timedelta(hours=1))  # 23:10 in Paris is 22:10 UTC: today's run is ahead
    assert next_run(datetime(2024, 3, 1, 23, 10, tzinfo=paris), RUN_AT) == at(2024, 3, 1, 22, 30)
    with pytest.raises(ValueError, match="timezone-aware"):
        next_run(datetime(2024, 3, 1, 9, 0), RUN_AT)


class FakeClock:
    """Wall clock in UTC that only the worker's naps move on."""

    def __init__(self, start: datetime) -> None:
        self.now = start
        self.naps: list[float] = []

    def __call__(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.naps.append(seconds)
        self.now += timedelta(seconds=seconds)


def _runs(job: str, status: str) -> float:
    return (
        REGISTRY.get_sample_value("signaldesk_job_runs_total", {"task": job, "status": status})
        or 0.0
    )


def test_a_failed_job_is_counted_and_the_next_job_and_run_still_happen(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = FakeClock(datetime(2024, 3, 1, 21, 0, tzinfo=UTC))
    ran: list[tuple[str, datetime, date]] = []

    def boom(day: date) -> str:
        ran.append(("boom", clock(), day))
        raise RuntimeError("the database went away\nsecond line")

    def partial(day: date) -> str:
        ran.append(("partial", clock(), day))
        raise JobFailedError("IBM: training failed")

    def fine(day: date) -> str:
        ran.append(("fine", clock(), day))
        if len(ran) == 6:
            worker.stop()  # after the second day's run
        return "done"

    jobs = [Job("test-boom", boom), Job("test-partial", partial), Job("test-fine", fine)]
    worker = Worker(
        jobs, run_at=RUN_AT, as_of=lambda: clock().date(), clock=clock, sleep=clock.sleep
    )
    before = {(j.name, s): _runs(j.name, s) for j in jobs for s in ("ok", "failed")}
    with caplog.at_level(logging.INFO, logger="cli._worker"):
        worker.run_forever()
    first, second = (
        datetime(2024, 3, 1, 22, 30, tzinfo=UTC),
        datetime(2024, 3, 2, 22, 30, tzinfo=UTC),
    )
    assert ran == [
        ("boom", first, date(2024, 3, 1)),
        ("partial", first, date(2024, 3, 1)),
        ("fine", first, date(2024, 3, 1)),
        ("boom", second, date(2024, 3, 2)),
        ("partial", second, date(2024, 3, 2)),
        ("fine", second, date(2024, 3, 2)),
    ]
    added = {k: _runs(*k) - v for k, v in before.items()}
    assert added == {
        ("test-boom", "ok"): 0, ("test-boom", "failed"): 2,
        ("test-partial", "ok"): 0, ("test-partial", "failed"): 2,
        ("test-fine", "ok"): 2, ("test-fine", "failed"): 0,
    }  # fmt: skip
    seconds = REGISTRY.get_sample_value(
        "signaldesk_job_duration_seconds_count", {"task": "test-fine"}
    )
    assert seconds is not None and seconds >= 2
    assert max(clock.naps) <= 60  # naps of a minute at most: a clock that jumps is caught up
    last = worker.last_run
    assert last is not None and last.status == "failed" and last.as_of == date(2024, 3, 2)
    assert [(j.name, j.status, j.summary) for j in last.jobs] == [
        ("test-boom", "failed", "RuntimeError: the database went away"),
        ("test-partial", "failed", "IBM: training failed"),
        ("test-fine", "ok", "done"),
    ]
    failures = [r for r in caplog.records if "failed" in r.getMessage()]
    assert [r.levelname for r in failures[:2]] == ["ERROR", "WARNING"]  # a crash has its trace
    assert failures[0].exc_info is not None and failures[1].exc_info is None
    assert worker.status()["next_run"] is None  # stopped


def test_a_stop_while_waiting_returns_at_once() -> None:
    worker = Worker([], run_at=RUN_AT, as_of=date.today)  # the real clock and sleep
    thread = threading.Thread(target=worker.run_forever)
    thread.start()
    while worker.next_at is None:
        thread.join(0.01)
    worker.stop()
    thread.join(2)
    assert not thread.is_alive()


def test_a_stop_during_a_run_leaves_the_jobs_after_the_current_one() -> None:
    clock = FakeClock(datetime(2024, 3, 1, 22, 30, tzinfo=UTC))
    worker = Worker(
        [Job("first", lambda day: worker.stop() or "done"), Job("second", lambda day: "done")],
        run_at=RUN_AT,
        as_of=lambda: date(2024, 3, 1),
        clock=clock,
        sleep=clock.sleep,
    )
    record = worker.run_once()
    assert [j.name for j in record.jobs] == ["first"] and record.not_run == ["second"]
    assert record.status == "failed" and record.as_json()["not_run"] == ["second"]


def test_a_run_whose_as_of_day_cannot_be_found_runs_nothing() -> None:
    def no_day() -> date:
        raise LookupError("no source answers")

    worker = Worker([Job("never", lambda day: "done")], run_at=RUN_AT, as_of=no_day)
    record = worker.run_once()
    assert record.jobs == [] and record.status == "failed"
    assert record.error == "the as-of day could not be found: no source answers"
