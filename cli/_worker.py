"""The worker's schedule and runs (``signaldesk worker``): every day at ``run_at`` (UTC) the
jobs run one after the other for the day's as-of date; a job that fails is logged and counted
and the next job, and the next day's run, still happen.

``Worker`` takes the jobs, the as-of day, the clock and the sleep as arguments (tests give a
fake clock whose sleep moves it on). ``run_forever`` waits for each run in naps of at most
``max_nap_s`` (a clock that jumps, a machine that slept, is caught up within a nap) and returns
once ``stop`` is called: at once while waiting, after the current job while one runs (the
jobs left are not started). Every job is counted in ``core.metrics`` (``JOB_RUNS`` by task and
status ok/failed, ``JOB_SECONDS``) and runs in a span.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from time import perf_counter
from typing import Any, Literal

from core import metrics, tracing

__all__ = ["Job", "JobFailedError", "RunRecord", "Worker", "next_run", "parse_run_at"]

log = logging.getLogger(__name__)
_RUN_AT = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class JobFailedError(Exception):
    """A job that ran and found problems to act on (its message says which)."""


@dataclass(frozen=True)
class Job:
    """A named job: ``run(as_of)`` returns a one-line summary, or raises when it failed."""

    name: str
    run: Callable[[date], str]


@dataclass(frozen=True)
class JobResult:
    name: str
    status: Literal["ok", "failed"]
    seconds: float
    summary: str


@dataclass
class RunRecord:
    """One run of the jobs: when, for which as-of day, and what each job did."""

    started_at: datetime
    as_of: date | None = None
    finished_at: datetime | None = None
    jobs: list[JobResult] = field(default_factory=list)
    error: str | None = None  # the run could not start (its as-of day could not be found)
    not_run: list[str] = field(default_factory=list)  # jobs left when a stop was asked

    @property
    def ok(self) -> bool:
        return self.error is None and not self.not_run and all(j.status == "ok" for j in self.jobs)

    @property
    def status(self) -> str:
        if self.finished_at is None:
            return "running"
        return "ok" if self.ok else "failed"

    def as_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "error": self.error,
            "jobs": {
                j.name: {"status": j.status, "seconds": round(j.seconds, 3), "summary": j.summary}
                for j in self.jobs
            },
            "not_run": self.not_run,
        }


def parse_run_at(text: str) -> time:
    """``HH:MM`` (24-hour, UTC) as an aware time; ``ValueError`` with a line to show."""
    found = _RUN_AT.match(text.strip())
    if found is None:
        raise ValueError(f"run at {text!r}: use HH:MM, 24-hour UTC, e.g. 22:30")
    return time(int(found[1]), int(found[2]), tzinfo=UTC)


def next_run(now: datetime, run_at: time) -> datetime:
    """The first ``run_at`` (UTC) strictly after ``now`` (aware), in UTC."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    now = now.astimezone(UTC)
    due = datetime.combine(now.date(), run_at.replace(tzinfo=None), tzinfo=UTC)
    return due if due > now else due + timedelta(days=1)


def utc_now() -> datetime:
    return datetime.now(UTC)


class Worker:
    """Runs ``jobs`` every day at ``run_at`` for ``as_of()`` (module doc). ``sleep(seconds)``
    defaults to waiting on the stop event (a stop wakes it)."""

    def __init__(
        self,
        jobs: Sequence[Job],
        *,
        run_at: time,
        as_of: Callable[[], date],
        clock: Callable[[], datetime] = utc_now,
        sleep: Callable[[float], object] | None = None,
        max_nap_s: float = 60.0,
    ) -> None:
        self.jobs = list(jobs)
        self.run_at = run_at
        self.as_of = as_of
        self.clock = clock
        self.stopping = threading.Event()
        self.sleep = sleep or self.stopping.wait
        self.max_nap_s = max_nap_s
        self.next_at: datetime | None = None
        self.current: RunRecord | None = None  # the run under way
        self.last_run: RunRecord | None = None  # the last run that finished
        self.current_job: str | None = None

    def stop(self) -> None:
        """Ask the worker to stop: now when waiting, after the current job when running."""
        self.stopping.set()

    def status(self) -> dict[str, Any]:
        """What ``/readyz`` says of the worker: when it runs, what it runs now, the last run."""
        return {
            "run_at": self.run_at.strftime("%H:%M UTC"),
            "next_run": self.next_at.isoformat() if self.next_at else None,
            "running": self.current_job,
            "jobs": [j.name for j in self.jobs],
            "last_run": self.last_run.as_json() if self.last_run else None,
        }

    def run_forever(self) -> None:
        """Run the jobs at every ``run_at`` until ``stop``."""
        while not self.stopping.is_set():
            due = self.next_at = next_run(self.clock(), self.run_at)
            log.info("worker: next run at %s", due.isoformat(), extra={"next_run": due})
            if not self._wait_until(due):
                break
            self.run_once()
        self.next_at = None
        log.info("worker: stopped")

    def _wait_until(self, due: datetime) -> bool:
        """True at ``due``, False when a stop came first."""
        while not self.stopping.is_set():
            left = (due - self.clock()).total_seconds()
            if left <= 0:
                return True
            self.sleep(min(left, self.max_nap_s))
        return False

    def run_once(self) -> RunRecord:
        """Every job now, in order, for ``as_of()``; a failed job does not stop the others."""
        record = self.current = RunRecord(started_at=self.clock())
        try:
            record.as_of = self.as_of()
        except Exception as err:  # logged and shown in /readyz; the next run tries again
            record.error = f"the as-of day could not be found: {_first_line(err)}"
            log.exception("worker: run not started: %s", record.error)
        if record.as_of is not None:
            log.info("worker: run started as of %s", record.as_of, extra={"as_of": record.as_of})
            for number, job in enumerate(self.jobs):
                if self.stopping.is_set():
                    record.not_run = [j.name for j in self.jobs[number:]]
                    log.warning("worker: stopping, not run: %s", ", ".join(record.not_run))
                    break
                record.jobs.append(self._run_job(job, record.as_of))
        record.finished_at = self.clock()
        self.last_run, self.current = record, None
        log.info(
            "worker: run %s", record.status, extra={"as_of": record.as_of, "status": record.status}
        )
        return record

    def _run_job(self, job: Job, day: date) -> JobResult:
        self.current_job = job.name
        fields = {"job": job.name, "as_of": day}
        log.info("worker: job %s started", job.name, extra=fields)
        began = perf_counter()
        attributes = {"signaldesk.job": job.name, "signaldesk.as_of": day.isoformat()}
        status: Literal["ok", "failed"]
        with tracing.span(f"job {job.name}", attributes) as current:
            try:
                summary, status = job.run(day), "ok"
            except JobFailedError as err:
                summary, status = _first_line(err), "failed"
                log.warning("worker: job %s failed: %s", job.name, summary, extra=fields)
            except Exception as err:  # counted and logged; the next job and run still happen
                summary, status = f"{type(err).__name__}: {_first_line(err)}", "failed"
                log.exception("worker: job %s failed: %s", job.name, summary, extra=fields)
            if status == "failed":
                tracing.set_error(current, summary[:200])
        seconds = perf_counter() - began
        self.current_job = None
        metrics.JOB_RUNS.labels(task=job.name, status=status).inc()
        metrics.JOB_SECONDS.labels(task=job.name).observe(seconds)
        if status == "ok":
            log.info(
                "worker: job %s done in %.1f s: %s",
                job.name,
                seconds,
                summary,
                extra=fields | {"seconds": round(seconds, 3)},
            )
        return JobResult(job.name, status, seconds, summary)


def _first_line(err: BaseException) -> str:
    return (str(err).strip().splitlines() or [""])[0] or type(err).__name__
