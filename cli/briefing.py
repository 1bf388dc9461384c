"""``signaldesk briefing``: the watchlist's daily briefing, and ``briefing replay`` over history.

Exit codes a scheduler can alert on: 0 every ticker covered with a verified explanation and the
portfolio panel computed; 1 the briefing was written but is partial (a ticker failed or timed
out, an explanation failed verification, or no portfolio); 2 bad input (watchlist, dates,
formats); 3 nothing could be covered (data or a service down: retry later); 4 configuration.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.table import Table

from cli._output import (
    BadInputError,
    Exit,
    ProgressOpt,
    as_of_option,
    console,
    err_console,
    parse_date,
    print_json,
    show_progress,
)

if TYPE_CHECKING:
    import pandas as pd

    from core.settings import Settings

__all__ = ["briefing_app", "briefing_plan", "print_summary", "run_alerting", "run_and_write"]

briefing_app = typer.Typer(
    help="The daily briefing of a watchlist: cited signals, what changed, a risk panel, reports.",
    invoke_without_command=True,
    no_args_is_help=False,
)

_STATUS_STYLE = {"ok": "green", "failed": "red", "timeout": "yellow"}


def _watchlist(spec: str | None, file: Path | None, settings: Settings):  # noqa: ANN202
    from briefing import Watchlist, WatchlistError, load_watchlist, parse_watchlist

    try:
        if spec is not None and file is not None:
            raise WatchlistError("give --watchlist or --watchlist-file, not both")
        if file is not None:
            return load_watchlist(file)
        if spec is not None:
            return parse_watchlist(spec)
        return Watchlist.of(list(settings.briefing_watchlist))
    except WatchlistError as err:
        err_console.print(f"error: {err}", markup=False)
        raise typer.Exit(Exit.BAD_INPUT) from None


def _out_dir(out: Path) -> Path:
    """The report folder, created now: a path that cannot be a folder is bad input, found
    before the briefing runs (so that nothing is stored for a report that cannot be written)."""
    if out.exists() and not out.is_dir():
        err_console.print(f"error: --out {out} is a file, not a folder", markup=False)
        raise typer.Exit(Exit.BAD_INPUT)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError, FileNotFoundError) as err:
        err_console.print(
            f"error: --out {out} cannot be a folder: {err.strerror or err}", markup=False
        )
        raise typer.Exit(Exit.BAD_INPUT) from None
    return out


def _unknown_only(agent: Any, tickers: tuple[str, ...]) -> None:  # noqa: ANN401 - agent.runner.Agent
    """Exit 2 when no ticker of the watchlist is known to a source that lists its tickers."""
    deps = agent.deps
    if deps.open_universe or any(t in deps.known_tickers for t in tickers):
        return
    known = ", ".join(sorted(deps.known_tickers)) or "none"
    err_console.print(
        f"error: no data for any ticker of the watchlist ({', '.join(tickers)}); "
        f"tickers the sources carry: {known}",
        markup=False,
    )
    raise typer.Exit(Exit.BAD_INPUT)


def _formats(spec: str) -> list[str]:
    from briefing.files import FORMATS

    chosen = [f.strip().lower() for f in spec.split(",") if f.strip()]
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        err_console.print(
            f"error: unknown format {unknown[0] if unknown else spec!r}: use md, html, json",
            markup=False,
        )
        raise typer.Exit(Exit.BAD_INPUT)
    return chosen


def _past_as_of(value: str | None) -> date:
    """--as-of as a date, refused (exit 2, before anything runs or is stored) after today."""
    from core.asof import today

    day, now = as_of_option(value), today()
    if day > now:
        raise BadInputError(
            f"--as-of {day} is after today ({now}): a briefing reports what the data showed up"
            " to a date, never what it will show"
        )
    return day


def _store(settings: Settings):  # noqa: ANN202
    from briefing import BriefingStore
    from data.store import make_engine, upgrade

    engine = make_engine(settings.sqlalchemy_url)
    upgrade(engine)
    return BriefingStore(engine)


def print_summary(report: Any, paths: list[Path]) -> None:  # noqa: ANN401 - BriefingReport
    table = Table(title=f"Briefing {report.as_of} · {report.model}", title_justify="left")
    for column in ("ticker", "status", "signal", "score", "confidence", "position", "verified"):
        table.add_column(column)
    for b in report.tickers:
        style = _STATUS_STYLE[b.status]
        table.add_row(
            b.ticker,
            f"[{style}]{b.status}[/{style}]",
            b.action or "-",
            "-" if b.score is None else f"{b.score:.3f}",
            "-" if b.confidence is None else f"{b.confidence:.2f}",
            "-" if b.position_size is None else f"{b.position_size:+.2%}",
            "n/a" if b.verification is None else ("yes" if b.verified else "no"),
        )
    console.print(table)
    for warning in report.warnings:
        err_console.print(f"warning: {warning}", markup=False)
    if report.portfolio_error:
        err_console.print(f"warning: portfolio: {report.portfolio_error}", markup=False)
    if report.changes is not None:
        flips = [c for c in report.changes.signals if c.flipped]
        said = ", ".join(f"{c.ticker} {c.before} → {c.after}" for c in flips) or "no flips"
        console.print(f"Since {report.changes.previous_as_of}: {said}.", markup=False)
    for path in paths:
        console.print(f"wrote {path}", markup=False)


def _exit_code(report: Any) -> Exit:  # noqa: ANN401
    if not report.covered:
        return Exit.UNAVAILABLE
    return Exit.OK if report.complete else Exit.CHECK_FAILED


def _write(report: Any, out: Path, formats: list[str], *, ctx: Any, store: Any) -> list[Path]:  # noqa: ANN401
    from briefing.files import report_stem
    from briefing.markdown import render_markdown
    from core.files import write_atomic

    stem = out / report_stem(report)
    paths: list[Path] = []
    if "json" in formats:
        paths.append(write_atomic(stem.with_suffix(".json"), report.model_dump_json(indent=2)))
    if "md" in formats:
        paths.append(write_atomic(stem.with_suffix(".md"), render_markdown(report)))
    if "html" in formats:
        from briefing.html import render_html

        covered = [b.ticker for b in report.covered]
        bars = {t: ctx.bars(t).frame for t in covered}
        calls: dict[str, pd.DataFrame] = {t: store.calls(t, end=report.as_of) for t in covered}
        page = render_html(report, bars=bars, config=ctx.config, calls=calls)
        paths.append(write_atomic(stem.with_suffix(".html"), page))
    return paths


def run_and_write(
    settings: Settings,
    agent: Any,  # noqa: ANN401 - agent.runner.Agent
    *,
    watchlist: Any,  # noqa: ANN401 - briefing.Watchlist
    as_of: date,
    out: Path,
    formats: list[str],
    plan: Any = None,  # noqa: ANN401 - briefing.BriefingPlan
    on_ticker: Callable[[Any], None] | None = None,
) -> tuple[Any, list[Path]]:
    """Run the briefing, store it and write its reports (the CLI's and the demo's job)."""
    from agent.services import open_corpus
    from briefing import BriefingPlan, run_briefing

    store = _store(settings)
    tools = agent.deps.context_for(as_of)
    report = run_briefing(
        agent,
        tools,
        watchlist=watchlist,
        plan=plan or BriefingPlan(),
        previous=store.previous(watchlist.key, before=as_of),
        documents=open_corpus(settings),
        on_ticker=on_ticker,
        run_id=f"briefing-{uuid.uuid4().hex[:12]}",
    )
    store.save(report, report_dir=str(out.resolve()))
    return report, _write(report, out, formats, ctx=tools, store=store)


def briefing_plan(
    settings: Settings, *, workers: int | None = None, timeout_s: float | None = None
) -> Any:  # noqa: ANN401 - briefing.BriefingPlan
    """How the daily briefing runs: the options given, else the settings."""
    from briefing import BriefingPlan

    return BriefingPlan(
        workers=workers or settings.briefing_workers,
        ticker_timeout_s=timeout_s or settings.briefing_ticker_timeout_s,
        stale_after_days=settings.stale_after_days,
    )


def run_alerting(
    settings: Settings,
    agent: Any,  # noqa: ANN401 - agent.runner.Agent
    *,
    watchlist: Any,  # noqa: ANN401 - briefing.Watchlist
    as_of: date,
    **options: Any,  # noqa: ANN401 - the rest of run_and_write's
) -> tuple[Any, list[Path]]:
    """``run_and_write``; a briefing that stops with an error raises a ``briefing`` alert
    first (``signaldesk briefing`` and the worker)."""
    from cli._loop import alert_crashed_briefing

    try:
        return run_and_write(settings, agent, watchlist=watchlist, as_of=as_of, **options)
    except Exception as err:
        alert_crashed_briefing(settings, err, as_of=as_of, watchlist=watchlist.tickers)
        raise


@briefing_app.callback(invoke_without_command=True)
def briefing(
    ctx: typer.Context,
    watchlist: str | None = typer.Option(
        None, "--watchlist", help="Tickers, e.g. AAPL,MSFT,IBM,GOOG (or AAPL:0.4,MSFT:0.6)"
    ),
    watchlist_file: Path | None = typer.Option(
        None, "--watchlist-file", help="One ticker per line, optional weight after it"
    ),
    as_of: str | None = typer.Option(None, "--as-of", help="YYYY-MM-DD (default: today)"),
    out: Path | None = typer.Option(None, "--out", help="Report folder (default: HOME/reports)"),
    formats: str = typer.Option("md,html,json", "--format", help="Any of md, html, json"),
    workers: int | None = typer.Option(None, "--workers", min=1, max=32, help="Tickers at once"),
    timeout: float | None = typer.Option(
        None, "--timeout", min=1, help="Seconds per ticker before it is reported timed out"
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the briefing as JSON"),
    progress: bool | None = ProgressOpt,
) -> None:
    """Brief a watchlist: each ticker's signal with a cited, verified explanation (a chat
    thread you can continue), what changed since the last briefing, and a portfolio panel.

    Example: signaldesk briefing --watchlist AAPL,MSFT,IBM,GOOG --as-of 2013-02-28 --out out/
    """
    if ctx.invoked_subcommand is not None:
        return
    from cli.ask import _agent

    settings: Settings = ctx.obj
    wl = _watchlist(watchlist, watchlist_file, settings)
    chosen = _formats(formats)
    day = _past_as_of(as_of)
    plan = briefing_plan(settings, workers=workers, timeout_s=timeout)
    folder = _out_dir(out if out is not None else settings.reports_dir)
    from cli._loop import alert_failed_briefing

    with _agent(settings) as agent:
        _unknown_only(agent, wl.tickers)
        with show_progress(len(wl.tickers), "briefing", progress) as step:
            report, paths = run_alerting(
                settings,
                agent,
                watchlist=wl,
                as_of=day,
                out=folder,
                formats=chosen,
                plan=plan,
                on_ticker=lambda b: step(f"{b.ticker}: {b.action or b.status}"),
            )
    if as_json:
        print_json(json.loads(report.model_dump_json()))
    else:
        print_summary(report, paths)
    code = _exit_code(report)
    if code != Exit.OK:
        alert_failed_briefing(settings, report, as_of=day)
    raise typer.Exit(code)


@briefing_app.command("replay")
def replay_command(
    ctx: typer.Context,
    watchlist: str | None = typer.Option(None, "--watchlist", help="Tickers, e.g. AAPL,MSFT"),
    watchlist_file: Path | None = typer.Option(None, "--watchlist-file", help="A watchlist file"),
    start: str = typer.Option(..., "--start", help="First date, YYYY-MM-DD"),
    end: str = typer.Option(..., "--end", help="Last date, YYYY-MM-DD"),
    every: str = typer.Option("week", "--every", help="day, week (Fridays) or month"),
    explain: bool = typer.Option(
        True, "--explain/--no-explain", help="Run the agent's explanation (slower) or numbers only"
    ),
    workers: int | None = typer.Option(None, "--workers", min=1, max=32, help="Tickers at once"),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON"),
    progress: bool | None = ProgressOpt,
) -> None:
    """Run the briefing point in time at every date of a range and store its calls (each date
    sees only data up to that date), so they can be scored against what happened next.

    Example: signaldesk briefing replay --watchlist AAPL,MSFT,IBM,GOOG --start 2011-01-01
    --end 2012-12-31 --every week
    """
    from agent.deps import deps_from_settings
    from agent.services import open_corpus
    from briefing import BriefingPlan
    from briefing.replay import replay, replay_dates
    from cli.ask import _agent

    settings: Settings = ctx.obj
    wl = _watchlist(watchlist, watchlist_file, settings)
    first = parse_date(start, name="--start")
    last = parse_date(end, name="--end")
    assert first is not None and last is not None  # required options
    dates = replay_dates(first, last, every=every)
    store = _store(settings)
    plan = BriefingPlan(
        workers=workers or settings.briefing_workers,
        ticker_timeout_s=settings.briefing_ticker_timeout_s,
        keep_threads=False,
    )
    run_id = f"replay-{uuid.uuid4().hex[:12]}"
    with _agent(settings) as live, show_progress(len(dates), "replay", progress) as step:
        agent = live if explain else None
        context_for = (
            live.deps.context_for
            if explain
            else deps_from_settings(settings, model=None).context_for
        )
        summary = replay(
            agent,
            context_for,
            watchlist=wl,
            dates=dates,
            store=store,
            run_id=run_id,
            plan=plan,
            documents=open_corpus(settings),
            on_date=lambda r: step(f"{r.as_of}: {len(r.covered)}/{len(r.tickers)}"),
        )
    result = {
        "run_id": summary.run_id,
        "watchlist": wl.key,
        "dates": summary.dates,
        "calls": summary.calls,
        "failed": summary.failed,
        "seconds": round(summary.seconds, 2),
        "seconds_per_call": round(summary.seconds_per_call, 4),
    }
    if as_json:
        print_json(result)
    else:
        console.print(
            f"replayed {summary.dates} dates from {dates[0]} to {dates[-1]}: {summary.calls} calls "
            f"stored, {summary.failed} not covered, {summary.seconds:.1f} s "
            f"({summary.seconds_per_call:.3f} s per call) · run {summary.run_id}",
            markup=False,
        )
    raise typer.Exit(Exit.OK if summary.calls else Exit.UNAVAILABLE)
