"""``signaldesk jobs run NAME``: one scheduled job of the learning loop, for cron or a
Kubernetes CronJob (``deploy/``). The jobs and what they do: ``loop.jobs``.

Exit codes: 0 done; 1 done with a failure to act on (a ticker's data could not be refreshed or
read, a retrain failed, a call could not be made); 2 bad input.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.table import Table

from cli._output import Exit, as_of_option, console, err_console, print_json

if TYPE_CHECKING:
    from core.settings import Settings
    from loop.jobs import DayReport

JOBS = ("refresh", "outcomes", "accuracy", "drift", "retrain", "calls", "day")

jobs_app = typer.Typer(
    help="The learning loop's scheduled jobs: refresh, outcomes, accuracy, drift, retrain, calls.",
    no_args_is_help=True,
)


def _summary(report: DayReport) -> dict[str, Any]:
    return {
        "as_of": report.day.isoformat(),
        "loaded": report.loaded,
        "resolved": report.resolved,
        "recorded": report.recorded,
        "call_failures": report.call_failures,
        "hit_rates": {
            slot: {"hit_rate": None if rate != rate else rate, "resolved": n}
            for slot, (rate, n) in report.hit_rates.items()
        },
        "drift": report.drift,
        "data": {t: q.model_dump(mode="json") for t, q in report.data.items()},
        "retrains": [
            {
                "slot": r.slot,
                "trigger": r.trigger.kind,
                "outcome": r.outcome,
                "model_id": r.challenger.model_id if r.challenger else None,
                "champion_id": r.champion_id,
                "reason": r.reason,
            }
            for r in report.retrains
        ],
        "alerts": [
            {"kind": a.alert.kind, "status": a.status, "title": a.alert.title}
            for a in report.alerts
        ],
    }


def _failed(report: DayReport) -> list[str]:
    why = [f"{r['ticker']}: {r['error']}" for r in report.loaded if "error" in r]
    why += [f"{t}: {q.error}" for t, q in report.data.items() if q.error]
    why += [f"{r.slot}: {r.reason}" for r in report.retrains if r.outcome == "failed"]
    why += [f"{t}: {m}" for t, m in report.call_failures.items()]
    return why


def _print(name: str, summary: dict[str, Any]) -> None:
    console.print(f"{name} as of {summary['as_of']}", markup=False)
    if summary["loaded"]:
        console.print(f"  loaded: {len(summary['loaded'])} ticker(s)", markup=False)
    if name in ("outcomes", "day"):
        console.print(f"  outcomes resolved: {summary['resolved']}", markup=False)
    if name in ("calls", "day"):
        console.print(f"  calls recorded: {summary['recorded']}", markup=False)
    if summary["hit_rates"]:
        table = Table(title="Rolling hit rate of each model in use")
        for col in ("slot", "hit rate", "resolved forecasts"):
            table.add_column(col)
        for slot, v in summary["hit_rates"].items():
            rate = "-" if v["hit_rate"] is None else f"{v['hit_rate']:.1%}"
            table.add_row(slot, rate, str(v["resolved"]))
        console.print(table)
    for slot, drifted in summary["drift"].items():
        console.print(f"  drift {slot}: {'DRIFTED' if drifted else 'no drift'}", markup=False)
    for r in summary["retrains"]:
        console.print(
            f"  retrain {r['slot']} ({r['trigger']}): {r['outcome']} - {r['reason']}", markup=False
        )
    for a in summary["alerts"]:
        console.print(f"  alert [{a['kind']}] {a['status']}: {a['title']}", markup=False)


@jobs_app.command("run")
def run(
    ctx: typer.Context,
    name: str = typer.Argument(..., help=f"One of {', '.join(JOBS)} (day: all, in order)"),
    as_of: str | None = typer.Option(None, "--as-of", help="YYYY-MM-DD (default: today)"),
    watchlist: str | None = typer.Option(
        None, "--watchlist", help="Comma-separated tickers (default: the briefing watchlist)"
    ),
    watchlist_file: Path | None = typer.Option(
        None, "--watchlist-file", help="One ticker per line (as the briefing reads it)"
    ),
    load_from: str | None = typer.Option(
        None,
        "--load-from",
        help="refresh: load the recent bars from this source (e.g. yahoo) into the database",
    ),
    source: str | None = typer.Option(None, "--source", help="Provider chain the jobs read"),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable JSON"),
) -> None:
    """Run one job of the learning loop at --as-of.

    Example: signaldesk jobs run outcomes --as-of 2013-02-25

    Example: signaldesk jobs run refresh --load-from yahoo --watchlist AAPL,MSFT
    """
    from agent.services import build_market_data, open_bar_store
    from cli._loop import build_loop
    from cli.briefing import _watchlist
    from loop.jobs import DayReport

    settings: Settings = ctx.obj
    if name not in JOBS:
        err_console.print(f"error: unknown job {name!r}: choose from {', '.join(JOBS)}")
        raise typer.Exit(Exit.BAD_INPUT)
    day = as_of_option(as_of)
    names = list(_watchlist(watchlist, watchlist_file, settings).tickers)
    if not names:
        err_console.print(
            "error: no watchlist: give --watchlist or set SIGNALDESK_BRIEFING_WATCHLIST"
        )
        raise typer.Exit(Exit.BAD_INPUT)
    loop = build_loop(
        settings, names, as_of=day, sources=source, clock=lambda _day: datetime.now(UTC)
    )
    report = DayReport(day=day)
    if name == "refresh":
        load = build_market_data(settings, sources=load_from) if load_from else None
        store = open_bar_store(settings) if load_from else None
        loop.refresh(day, report, load_from=load, bar_store=store)
    elif name == "day":
        report = loop.run_day(day)
    else:
        getattr(loop, name)(day, report)
    summary = _summary(report)
    if as_json:
        print_json(summary)
    else:
        _print(name, summary)
    failures = _failed(report)
    for why in failures:
        err_console.print(f"warning: {why}", markup=False)
    if failures:
        raise typer.Exit(Exit.CHECK_FAILED)
