"""``signaldesk eval``: run eval suites, gate on their metrics, compare runs.

``eval run`` is hermetic: it runs in a fresh temporary home (prices from the configured sources,
documents only the suite's own), so its numbers depend on the code and the model, not on what
a user happened to ingest. Results are stored in the configured database for ``eval compare``.
Exit codes: 0 every gate met, 1 a threshold not met (or a case failed with no thresholds given
and ``--strict``), 2 bad input (unknown suite or metric), 3 a service down, 4 configuration.
"""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from cli._output import Exit, ProgressOpt, console, err_console, print_json
from cli.eval_calibrate import calibrate

if TYPE_CHECKING:
    from core.settings import Settings

__all__ = ["eval_app"]

eval_app = typer.Typer(help="Eval suites: grade the agent's answers, gate releases, compare runs.")
eval_app.command("calibrate")(calibrate)


def _thresholds(specs: list[str]) -> dict[str, float]:
    from evals.runner import METRICS

    out: dict[str, float] = {}
    for spec in specs:
        name, sep, value = spec.partition("=")
        name = name.strip()
        try:
            if not sep or name not in (
                *METRICS,
                "judge_correctness",
                "judge_grounding",
                "judge_clarity",
            ):
                raise ValueError
            out[name] = float(value)
        except ValueError:
            err_console.print(
                f"error: --fail-under {spec!r}: use METRIC=VALUE with METRIC one of "
                f"{', '.join(METRICS)}",
                markup=False,
            )
            raise typer.Exit(Exit.BAD_INPUT) from None
    return out


def _engine(settings: Settings):  # noqa: ANN202
    from data.store import make_engine, upgrade

    engine = make_engine(settings.sqlalchemy_url)
    upgrade(engine)
    return engine


@eval_app.command("run")
def run(
    ctx: typer.Context,
    suites: list[str] = typer.Argument(..., help="Suite names (core) or YAML paths"),
    model: str = typer.Option("offline", "--model", help="offline (the planner) or endpoint"),
    tag: list[str] = typer.Option([], "--tag", help="Only cases with this tag (repeatable)"),
    fail_under: list[str] = typer.Option(
        [], "--fail-under", help="METRIC=VALUE gate, e.g. pass_rate=1 (repeatable)"
    ),
    judge: bool = typer.Option(False, "--judge", help="Also grade with the LLM judge (endpoint)"),
    out: Path | None = typer.Option(None, "--out", help="Write Markdown, JSON and HTML here"),
    as_json: bool = typer.Option(False, "--json", help="Print the results as JSON"),
    progress: bool | None = ProgressOpt,
) -> None:
    """Run eval suites through the agent and score every case.

    Example: signaldesk eval run core --fail-under pass_rate=1 --fail-under citation_validity=1
    """
    from agent.deps import configured_model, deps_from_settings
    from agent.runner import Agent
    from cli._output import show_progress
    from core.settings import load_settings
    from evals.calls import record_suite_calls
    from evals.documents import index_suite_documents
    from evals.judge import Judge
    from evals.report import write_reports
    from evals.runner import gate, run_suite
    from evals.runs import save_run
    from evals.suite import SuiteError, load_suite

    settings: Settings = ctx.obj
    if model not in ("offline", "endpoint"):
        err_console.print("error: --model must be offline or endpoint", markup=False)
        raise typer.Exit(Exit.BAD_INPUT)
    thresholds = _thresholds(fail_under)
    try:
        loaded = [load_suite(s) for s in suites]
    except SuiteError as err:
        err_console.print(f"error: {err}", markup=False)
        raise typer.Exit(Exit.BAD_INPUT) from None
    endpoint = None
    if model == "endpoint" or judge:
        endpoint = configured_model(settings)
        if endpoint is None:
            err_console.print(
                "error: no LLM endpoint configured: set SIGNALDESK_LLM_BASE_URL "
                "(and _MODEL, _API_KEY) for --model endpoint or --judge",
                markup=False,
            )
            raise typer.Exit(Exit.CONFIG)
    engine = _engine(settings)
    wanted = (lambda case: bool(set(tag) & set(case.tags))) if tag else None
    failed: list[str] = []
    payloads = []
    for suite in loaded:
        with tempfile.TemporaryDirectory(prefix="signaldesk-eval-") as tmp:
            home = load_settings(**{**settings.model_dump(), "home": Path(tmp) / "home"})
            index_suite_documents(suite, settings=home, folder=Path(tmp) / "documents")
            record_suite_calls(suite, settings=home)
            agent = Agent(deps_from_settings(home, model=endpoint if model == "endpoint" else None))
            started = datetime.now(UTC)
            chosen = [c for c in suite.cases if wanted is None or wanted(c)]
            with show_progress(len(chosen), f"eval {suite.name}", progress) as step:
                result = run_suite(
                    suite,
                    agent,
                    judge=Judge(endpoint) if judge else None,
                    only=wanted,
                    on_case=lambda s: step(f"{s.case_id}: {'pass' if s.passed else 'FAIL'}"),
                )
        run_id = save_run(engine, result, settings=settings.public_dict(), started=started)
        problems = gate(result.metrics, thresholds)
        failed += [f"{suite.name}: {p}" for p in problems]
        paths = write_reports(result, out, run_id=run_id) if out is not None else []
        payloads.append({"run_id": run_id, **json.loads(result.model_dump_json())})
        if not as_json:
            _print(result, run_id, problems, paths)
    if as_json:
        print_json(payloads[0] if len(payloads) == 1 else payloads)
    for line in failed:
        err_console.print(f"gate: {line}", markup=False)
    raise typer.Exit(Exit.CHECK_FAILED if failed else Exit.OK)


def _print(result, run_id: int, problems: list[str], paths: list[Path]) -> None:  # noqa: ANN001
    from evals.report import metrics_table

    console.print(
        f"eval run {run_id} · suite {result.suite} · {result.model} · "
        f"{len(result.cases)} cases in {result.seconds:.1f} s",
        markup=False,
    )
    console.print(metrics_table(result.metrics), markup=False)
    for case in result.cases:
        if not case.passed:
            console.print(f"FAIL {case.case_id}: {'; '.join(case.failures)}", markup=False)
    for path in paths:
        console.print(f"wrote {path}", markup=False)
    console.print("gate: " + ("; ".join(problems) if problems else "met"), markup=False)


@eval_app.command("compare")
def compare(
    ctx: typer.Context,
    run_a: str = typer.Argument(..., help="Baseline: a run id, latest or previous"),
    run_b: str = typer.Argument(..., help="Candidate: a run id, latest or previous"),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON"),
) -> None:
    """Compare two stored eval runs: metric deltas and the cases whose verdict changed.

    Example: signaldesk eval compare previous latest   (or two ids from `eval list`: 3 4)
    """
    from evals.runs import RunNotFoundError, compare_runs, load_run, resolve_run

    engine = _engine(ctx.obj)
    try:
        a_id, b_id = resolve_run(engine, run_a), resolve_run(engine, run_b)
        diff = compare_runs(load_run(engine, a_id), load_run(engine, b_id))
    except RunNotFoundError as err:
        err_console.print(f"error: {err}", markup=False)
        raise typer.Exit(Exit.BAD_INPUT) from None
    if as_json:
        print_json(diff)
        return
    a, b = diff["a"], diff["b"]
    console.print(f"A: run {a['id']} {a['suite']} · {a['model']} · {a['code']}", markup=False)
    console.print(f"B: run {b['id']} {b['suite']} · {b['model']} · {b['code']}", markup=False)
    for name, m in diff["metrics"].items():
        delta = "" if m["delta"] is None else f"{m['delta']:+.4g}"
        console.print(f"  {name:22} {m['a']!s:>10} -> {m['b']!s:<10} {delta}", markup=False)
    for label in ("fixed", "broken", "only_a", "only_b"):
        if diff[label]:
            console.print(f"{label}: {', '.join(diff[label])}", markup=False)


@eval_app.command("list")
def list_runs(
    ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="Print as JSON")
) -> None:
    """Stored eval runs, newest first."""
    import sqlalchemy as sa

    from data.store import EvalRun

    table = EvalRun.__table__
    with _engine(ctx.obj).connect() as conn:
        rows = (
            conn.execute(
                sa.select(
                    table.c.id,
                    table.c.suite,
                    table.c.model,
                    table.c.code_version,
                    table.c.started_at,
                    table.c.metrics,
                )
                .order_by(table.c.id.desc())
                .limit(50)
            )
            .mappings()
            .all()
        )
    listed = [
        {
            "id": r["id"],
            "suite": r["suite"],
            "model": r["model"],
            "code": r["code_version"],
            "started_at": str(r["started_at"]),
            "pass_rate": (r["metrics"] or {}).get("summary", {}).get("pass_rate"),
        }
        for r in rows
    ]
    if as_json:
        print_json(listed)
        return
    if not listed:
        err_console.print(
            "no eval runs stored yet: `signaldesk eval run core` runs and stores one",
            markup=False,
        )
    for r in listed:
        console.print(
            f"{r['id']:>4}  {r['suite']:<12} {r['model']:<40} {r['code']:<20} "
            f"pass {r['pass_rate']}",
            markup=False,
        )
