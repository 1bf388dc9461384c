"""Eval runs in the database (``eval_runs``): the code version, model and settings with the
metrics and every case's score, so two runs can be compared."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from data.store import EvalRun
from evals.runner import SuiteResult

__all__ = [
    "RunNotFoundError",
    "code_version",
    "compare_runs",
    "insert_run",
    "load_run",
    "resolve_run",
    "save_run",
]

_RUNS = EvalRun.__table__


class RunNotFoundError(LookupError):
    """No eval run with that id."""


def code_version(root: Path | None = None) -> str:
    """``git describe`` of the checkout (with -dirty), or the package version outside git."""
    from importlib.metadata import PackageNotFoundError, version

    here = root or Path(__file__).resolve().parent.parent
    try:
        out = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=here,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        )
        return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        try:
            return f"signaldesk {version('signaldesk')}"
        except PackageNotFoundError:
            return "unknown"


def insert_run(
    engine: Engine,
    *,
    suite: str,
    model: str,
    settings: dict[str, Any],
    metrics: dict[str, Any],
    started: datetime,
) -> int:
    """One ``eval_runs`` row stamped with the code version; returns its id."""
    with engine.begin() as conn:
        inserted = conn.execute(
            _RUNS.insert().values(
                suite=suite,
                model=model,
                code_version=code_version(),
                settings=settings,
                metrics=metrics,
                started_at=started,
                finished_at=datetime.now(UTC),
            )
        )
        key = inserted.inserted_primary_key
        if key is None:
            raise RuntimeError("the eval_runs insert returned no id")
        return int(key[0])


def save_run(
    engine: Engine, result: SuiteResult, *, settings: dict[str, Any], started: datetime
) -> int:
    metrics = {
        "summary": result.metrics,
        "cases": [c.model_dump(mode="json", exclude={"answer"}) for c in result.cases],
        "judgements": {k: j.model_dump(mode="json") for k, j in result.judgements.items()},
        "seconds": result.seconds,
    }
    return insert_run(
        engine,
        suite=result.suite,
        model=result.model,
        settings=settings,
        metrics=metrics,
        started=started,
    )


def load_run(engine: Engine, run_id: int) -> dict[str, Any]:
    with engine.connect() as conn:
        row = conn.execute(sa.select(_RUNS).where(_RUNS.c.id == run_id)).mappings().first()
    if row is None:
        raise RunNotFoundError(f"no eval run {run_id}: see `signaldesk eval list`")
    return dict(row)


def resolve_run(engine: Engine, ref: str) -> int:
    """The id of the run ``ref`` names: an id, ``latest`` (the newest run), or ``previous`` (the
    run of the latest run's suite before it), so ``eval compare previous latest`` works as
    written after two runs of a suite."""
    word = ref.strip().lower()
    if word.isdigit():
        return int(word)
    if word not in ("latest", "previous"):
        raise RunNotFoundError(f"no eval run {ref!r}: give a run id, latest or previous")
    with engine.connect() as conn:
        latest = conn.execute(
            sa.select(_RUNS.c.id, _RUNS.c.suite).order_by(_RUNS.c.id.desc()).limit(1)
        ).first()
        if latest is None:
            raise RunNotFoundError("no eval runs stored yet: run `signaldesk eval run core` first")
        if word == "latest":
            return int(latest.id)
        before = conn.execute(
            sa.select(sa.func.max(_RUNS.c.id)).where(
                _RUNS.c.suite == latest.suite, _RUNS.c.id < latest.id
            )
        ).scalar()
    if before is None:
        raise RunNotFoundError(
            f"only one run of suite {latest.suite!r} is stored (run {latest.id}): run it again "
            "to compare"
        )
    return int(before)


def compare_runs(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Metric deltas (b - a) and the cases whose verdict changed."""
    ma, mb = a["metrics"]["summary"], b["metrics"]["summary"]
    metrics = {
        k: {
            "a": ma.get(k),
            "b": mb.get(k),
            "delta": None if ma.get(k) is None or mb.get(k) is None else mb[k] - ma[k],
        }
        for k in sorted(set(ma) | set(mb))
    }
    pa = {c["case_id"]: c["passed"] for c in a["metrics"]["cases"]}
    pb = {c["case_id"]: c["passed"] for c in b["metrics"]["cases"]}
    return {
        "a": {"id": a["id"], "suite": a["suite"], "model": a["model"], "code": a["code_version"]},
        "b": {"id": b["id"], "suite": b["suite"], "model": b["model"], "code": b["code_version"]},
        "metrics": metrics,
        "fixed": sorted(k for k in pa.keys() & pb.keys() if not pa[k] and pb[k]),
        "broken": sorted(k for k in pa.keys() & pb.keys() if pa[k] and not pb[k]),
        "only_a": sorted(pa.keys() - pb.keys()),
        "only_b": sorted(pb.keys() - pa.keys()),
    }
