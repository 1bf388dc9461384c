"""``signaldesk simulate``: the production loop replayed one trading day at a time over history
(``loop.simulate``), in its own database and model registry (under ``--out``), with a report
in Markdown, JSON and HTML.

Exit codes: 0 done; 2 bad input (dates, watchlist).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from cli._output import (
    BadInputError,
    ProgressOpt,
    console,
    err_console,
    parse_date,
    print_json,
    show_progress,
)

if TYPE_CHECKING:
    from core.settings import Settings


def simulate(
    ctx: typer.Context,
    start: str = typer.Option("2009-01-01", "--start", help="First day, YYYY-MM-DD"),
    end: str = typer.Option("2013-02-28", "--end", help="Last day, YYYY-MM-DD"),
    watchlist: str = typer.Option(
        "AAPL,MSFT,IBM,GOOG", "--watchlist", help="Comma-separated tickers"
    ),
    out: Path | None = typer.Option(
        None,
        "--out",
        help="Folder of the run's database, models and report "
        "(default: SIGNALDESK_HOME/simulate/START_END); emptied first",
    ),
    drift_every: int = typer.Option(
        10, "--drift-every", min=1, help="Trading days between drift checks"
    ),
    send_alerts: bool = typer.Option(
        False,
        "--send-alerts",
        help="Send the alerts to the configured webhook/e-mail (default: stored only)",
    ),
    source: str | None = typer.Option(None, "--source", help="Provider chain, e.g. bundled"),
    progress: bool | None = ProgressOpt,
    as_json: bool = typer.Option(False, "--json", help="Print the whole result as JSON"),
) -> None:
    """Replay the learning loop over history: each trading day, point in time, refresh checks,
    outcomes, accuracy, drift (weekly), retrain under the policy, the day's calls.

    Example: signaldesk simulate --start 2009-01-01 --end 2013-02-28 --watchlist AAPL,MSFT,IBM,GOOG
    """
    from cli._loop import build_loop
    from loop.report import simulation_markdown, write_simulation
    from loop.simulate import simulate as run_simulation

    settings: Settings = ctx.obj
    first, last = parse_date(start, name="--start"), parse_date(end, name="--end")
    assert first is not None and last is not None  # the options have defaults
    if last < first:
        raise BadInputError(f"--end {last} is before --start {first}")
    names = [t.strip().upper() for t in watchlist.split(",") if t.strip()]
    if not names:
        raise BadInputError("--watchlist names no ticker")
    folder = out or settings.home / "simulate" / f"{first}_{last}"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    loop = build_loop(
        settings,
        names,
        as_of=last,
        database_url=f"sqlite:///{(folder / 'simulate.db').resolve()}",
        models_dir=folder / "models",
        send_alerts=send_alerts,
        sources=source,
        remember=True,
    )
    with show_progress(None, "simulate", progress) as steps:
        result = run_simulation(
            loop,
            start=first,
            end=last,
            drift_every=drift_every,
            progress=lambda done, total, day: steps.at(done, total, str(day)),
        )
    paths = write_simulation(result, folder)
    if as_json:
        print_json(result.model_dump(mode="json"))
    else:
        console.print(simulation_markdown(result), markup=False)
    err_console.print(
        "report: " + ", ".join(str(p) for p in paths.values()), markup=False, soft_wrap=True
    )
