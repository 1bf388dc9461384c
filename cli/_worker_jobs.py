"""The worker's daily jobs, on the code paths of the commands a cron would run instead:
``day`` is ``signaldesk jobs run day`` (the learning loop's jobs in order: ``cli._loop``) and
``briefing`` is ``signaldesk briefing`` (``cli.briefing``), over the configured watchlist
(``SIGNALDESK_BRIEFING_WATCHLIST``), every format, in ``{home}/reports``. A job fails as its
command would exit non-zero: the loop with a failure to act on, a briefing that is incomplete
(its alert raised as the command raises it).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from cli._worker import Job, JobFailedError

if TYPE_CHECKING:
    from core.settings import Settings

__all__ = ["daily_jobs", "worker_as_of"]

FORMATS = ["md", "html", "json"]


def worker_as_of(settings: Settings, watchlist: Sequence[str]) -> date:
    """The as-of day of a run: today, or with ``as_of_default`` ``data`` the last day offline
    data hold for the watchlist (as the commands given no date)."""
    from agent.services import build_market_data
    from core.asof import today

    now = today()
    if settings.as_of_default != "data":
        return now
    return build_market_data(settings).last_day(today=now, tickers=list(watchlist)) or now


def daily_jobs(settings: Settings, watchlist: Sequence[str]) -> list[Job]:
    """The loop's day, then the briefing, over ``watchlist``."""
    tickers = list(watchlist)

    def day(as_of: date) -> str:
        from cli._loop import build_loop
        from cli.jobs import _failed

        loop = build_loop(settings, tickers, as_of=as_of, clock=lambda _day: datetime.now(UTC))
        try:
            report = loop.run_day(as_of)
        finally:
            loop.predictions.engine.dispose()
        failures = _failed(report)
        if failures:
            raise JobFailedError("; ".join(failures))
        return (
            f"{report.resolved} outcomes resolved, {report.recorded} calls recorded, "
            f"{len(report.retrains)} retrains, {len(report.alerts)} alerts"
        )

    def briefing(as_of: date) -> str:
        from agent.runner import open_agent
        from briefing import Watchlist
        from cli._loop import alert_failed_briefing
        from cli._output import Exit
        from cli.briefing import _exit_code, briefing_plan, run_alerting

        folder = settings.reports_dir
        folder.mkdir(parents=True, exist_ok=True)
        with open_agent(settings) as agent:
            report, paths = run_alerting(
                settings,
                agent,
                watchlist=Watchlist.of(tickers),
                as_of=as_of,
                out=folder,
                formats=FORMATS,
                plan=briefing_plan(settings),
            )
        said = f"{len(report.covered)} of {len(report.tickers)} tickers briefed"
        if _exit_code(report) != Exit.OK:
            alert_failed_briefing(settings, report, as_of=as_of)
            raise JobFailedError(f"{said}, incomplete: {_incomplete(report)}")
        return f"{said}, {len(paths)} files written"

    return [Job("day", day), Job("briefing", briefing)]


def _incomplete(report: Any) -> str:  # noqa: ANN401 - briefing.BriefingReport
    """Why a briefing is incomplete, in a line."""
    parts = [f"{b.ticker} {b.status}" for b in report.tickers if b.status != "ok"]
    parts += [
        f"{b.ticker} not verified"
        for b in report.covered
        if b.verification is not None and not b.verification.ok
    ]
    if report.stale:
        parts.append(f"stale data: {', '.join(report.stale)}")
    if report.portfolio is None:
        parts.append(f"portfolio: {report.portfolio_error or 'not computed'}")
    return "; ".join(parts) or "see the report"
