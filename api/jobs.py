"""Jobs: long requests (a briefing run) that answer at once with an id and run in the
background of the worker that took them; their state and progress live in the database
(``api_jobs``), so any worker or replica answers ``GET /v1/jobs/{id}``.

A job is queued, running, done (with its result) or failed (with one line). A job left
unfinished by a process that stopped (no progress for ``STALLED_AFTER``) is marked failed when
a process starts; a live job of another worker keeps going."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from data.store import ApiJob, utc_now

__all__ = ["JobRunner", "JobStore", "Progress"]

log = logging.getLogger(__name__)
_TABLE = ApiJob.__table__
STALLED_AFTER = dt.timedelta(minutes=15)  # longer than a briefing ticker may take

Progress = Callable[[int, int], None]  # (done, total)


class JobStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create(self, kind: str, *, key_id: str) -> str:
        job_id = secrets.token_hex(8)
        now = utc_now()
        with self.engine.begin() as conn:
            conn.execute(
                sa.insert(_TABLE).values(
                    id=job_id,
                    kind=kind,
                    key_id=key_id,
                    state="queued",
                    done=0,
                    total=0,
                    result={},
                    error=None,
                    created_at=now,
                    updated_at=now,
                )
            )
        return job_id

    def update(self, job_id: str, **values: Any) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                sa.update(_TABLE)
                .where(_TABLE.c.id == job_id)
                .values(**values, updated_at=utc_now())
            )

    def get(self, job_id: str) -> ApiJob | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(_TABLE).where(_TABLE.c.id == job_id)).mappings().first()
        return None if row is None else ApiJob.model_validate(dict(row))

    def abandon_stalled(self) -> int:
        """Mark failed the unfinished jobs with no progress for ``STALLED_AFTER``."""
        with self.engine.begin() as conn:
            done = conn.execute(
                sa.update(_TABLE)
                .where(
                    _TABLE.c.state.in_(("queued", "running")),
                    _TABLE.c.updated_at < utc_now() - STALLED_AFTER,
                )
                .values(
                    state="failed",
                    error="the server stopped before the job ended",
                    updated_at=utc_now(),
                )
            )
        return done.rowcount


class JobRunner:
    """Runs jobs one at a time in a background thread (a briefing already runs its tickers in
    parallel), recording progress, result and failure in the ``JobStore``."""

    def __init__(self, store: JobStore) -> None:
        self.store = store
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="api-job")

    def submit(self, kind: str, *, key_id: str, work: Callable[[Progress], dict[str, Any]]) -> str:
        job_id = self.store.create(kind, key_id=key_id)
        self._pool.submit(self._run, job_id, work)
        return job_id

    def _run(self, job_id: str, work: Callable[[Progress], dict[str, Any]]) -> None:
        self.store.update(job_id, state="running")
        try:
            result = work(lambda done, total: self.store.update(job_id, done=done, total=total))
        except Exception as err:  # noqa: BLE001 - recorded on the job, logged with its trace
            log.exception("job %s failed", job_id)
            line = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            self.store.update(job_id, state="failed", error=line)
            return
        self.store.update(job_id, state="done", result=result)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
