"""``signaldesk worker``: the long-running worker. Every day at ``--run-at`` (UTC) it runs the
learning loop's day (``signaldesk jobs run day``) and then the briefing of the configured
watchlist (``signaldesk briefing``), for the as-of day the settings give; it serves
``/healthz``, ``/readyz`` (readiness, the last run, the next one) and ``/metrics`` meanwhile.

SIGTERM or SIGINT stops it within a few seconds: at once between runs; during a run, after the
current job, or abandoning it (a log line says so) when it runs on. ``--once`` runs the jobs
now and exits (for a CronJob, or a catch-up).

Exit codes: 0 stopped when asked, or with ``--once`` every job ok; 1 with ``--once`` a job
failed, or the server stopped by itself; 2 bad input (--run-at); 4 configuration (no
watchlist, the address is taken).
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import time
from typing import TYPE_CHECKING

import typer

from cli._output import BadInputError, Exit, console, err_console, print_json

if TYPE_CHECKING:
    from cli._worker import RunRecord, Worker
    from core.settings import Settings

__all__ = ["worker"]

log = logging.getLogger(__name__)
STOP_GRACE_S = 5.0  # a job still running this long after SIGTERM is abandoned


def worker(
    ctx: typer.Context,
    host: str | None = typer.Option(
        None,
        "--host",
        help="Address of /healthz, /readyz, /metrics (default SIGNALDESK_WORKER_HOST)",
    ),
    port: int | None = typer.Option(
        None, "--port", min=1, max=65535, help="Port (default SIGNALDESK_WORKER_PORT, 8090)"
    ),
    run_at: str | None = typer.Option(
        None, "--run-at", help="HH:MM, UTC, every day (default SIGNALDESK_WORKER_RUN_AT, 22:30)"
    ),
    once: bool = typer.Option(False, "--once", help="Run the jobs now, then exit"),
    as_json: bool = typer.Option(False, "--json", help="With --once: the run as JSON"),
) -> None:
    """The worker: the learning loop's daily jobs, then the briefing, every day at --run-at.

    Examples:
      signaldesk worker                    # daily at 22:30 UTC; /readyz on port 8090
      signaldesk worker --host 0.0.0.0 --run-at 21:15
      signaldesk worker --once             # now, then exit (1 if a job failed)
    """
    from cli._worker import Worker, parse_run_at
    from cli._worker_jobs import daily_jobs, worker_as_of

    settings: Settings = ctx.obj
    try:
        at = parse_run_at(run_at or settings.worker_run_at)
    except ValueError as err:
        raise BadInputError(f"--run-at: {err}") from None
    watchlist = _watchlist(settings)
    chosen = Worker(
        daily_jobs(settings, watchlist), run_at=at, as_of=lambda: worker_as_of(settings, watchlist)
    )
    if once:
        record = chosen.run_once()
        _print(record, as_json=as_json)
        raise typer.Exit(Exit.OK if record.ok else Exit.CHECK_FAILED)
    _serve(settings, chosen, host=host or settings.worker_host, port=port or settings.worker_port)


def _watchlist(settings: Settings) -> list[str]:
    from briefing import Watchlist, WatchlistError

    try:
        return list(Watchlist.of(list(settings.briefing_watchlist)).tickers)
    except WatchlistError as err:
        err_console.print(f"error: SIGNALDESK_BRIEFING_WATCHLIST: {err}", markup=False)
        raise typer.Exit(Exit.CONFIG) from None


def _print(record: RunRecord, *, as_json: bool) -> None:
    if as_json:
        print_json(record.as_json())
        return
    if record.error:
        err_console.print(f"error: {record.error}", markup=False)
    for job in record.jobs:
        line = f"{job.name}: {job.status} in {job.seconds:.1f} s - {job.summary}"
        (console if job.status == "ok" else err_console).print(line, markup=False)


def _serve(settings: Settings, chosen: Worker, *, host: str, port: int) -> None:
    """Serve and schedule until SIGTERM or SIGINT (module doc)."""
    from agent.services import build_market_data
    from cli._worker_http import WorkerService, worker_app
    from data.store import make_engine, upgrade
    from loop.health import Dependencies

    engine = make_engine(settings.sqlalchemy_url)
    upgrade(engine)
    market = build_market_data(settings)
    dependencies = Dependencies.from_settings(
        settings, engine=engine, sources=lambda: market.providers, as_of=chosen.as_of
    )
    service = WorkerService(chosen, worker_app(chosen, dependencies), host=host, port=port)
    asked: list[int] = []  # the handler only notes the signal: the main loop acts on it
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda number, _frame: asked.append(number))
    service.start()
    console.print(
        f"SignalDesk worker on http://{host}:{port} (/healthz, /readyz, /metrics); jobs every "
        f"day at {chosen.run_at.strftime('%H:%M')} UTC; Ctrl-C stops it",
        markup=False,
    )
    while not asked and service.running:
        time.sleep(0.2)
    why = signal.Signals(asked[0]).name if asked else "the server or the scheduler stopped"
    log.info("worker: stopping (%s)", why, extra={"reason": why})
    abandoned = service.stop(grace_s=STOP_GRACE_S)
    engine.dispose()
    code = Exit.OK if asked else Exit.CHECK_FAILED
    if abandoned:  # the job's threads would hold the interpreter's exit: leave without them
        from core import tracing

        tracing.flush()
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    raise typer.Exit(code)
