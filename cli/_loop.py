"""The learning loop as the CLI builds it: ``signaldesk jobs run`` and ``signaldesk simulate``."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.settings import Settings
    from loop.jobs import Loop


def build_loop(
    settings: Settings,
    watchlist: Sequence[str],
    *,
    as_of: date,
    database_url: str | None = None,
    models_dir: Path | None = None,
    send_alerts: bool = True,
    clock: Callable[[date], datetime] | None = None,
    sources: str | None = None,
    remember: bool = False,
) -> Loop:
    """The loop over ``watchlist`` on the configured data, database, models and alert channels
    (``database_url``/``models_dir`` replace the configured ones: the simulation keeps its own;
    ``send_alerts`` False stores alerts without sending them; ``remember``: the market data
    remember recent reads, for a replay over data that do not change: ``simulate``)."""
    from agent.services import build_tool_context
    from data.store import (
        DriftCheckStore,
        LoopEventStore,
        PredictionStore,
        make_engine,
        upgrade,
    )
    from loop.alerts import Alerter
    from loop.jobs import Loop, loop_settings

    ctx = build_tool_context(settings, as_of=as_of, sources=sources)
    if models_dir is not None:
        ctx = dataclasses.replace(ctx, models_dir=models_dir)
    if remember:
        ctx = dataclasses.replace(ctx, market=ctx.market.remembering())
    engine = make_engine(database_url or settings.sqlalchemy_url)
    upgrade(engine)
    alerter = (
        Alerter.from_settings(settings, engine)
        if send_alerts
        else Alerter(
            engine,
            dedup_days=settings.alert_dedup_days,
            max_per_day=settings.alert_max_per_day,
            store_only=True,
        )
    )
    loop = Loop(
        ctx=ctx,
        settings=loop_settings(settings, watchlist, horizon=ctx.config.ml_horizon),
        predictions=PredictionStore(engine),
        drift_checks=DriftCheckStore(engine),
        events=LoopEventStore(engine),
        alerter=alerter,
    )
    if clock is not None:
        loop.clock = clock
    return loop


def alert_failed_briefing(settings: Settings, report: Any, *, as_of: date) -> None:  # noqa: ANN401
    """Raise a ``briefing`` alert (``loop.alerts``) for a briefing that did not complete: the
    tickers that failed or timed out, stale data, no portfolio. Never raises: a briefing's
    exit code says what happened even when the alert cannot be stored or sent."""
    failed = [b.ticker for b in report.tickers if b.status != "ok"]
    parts = []
    if failed:
        parts.append(f"not briefed: {', '.join(failed)}")
    if report.stale:
        parts.append(
            "stale data: " + ", ".join(f"{t} (last bar {d})" for t, d in report.stale.items())
        )
    if report.portfolio_error:
        parts.append(f"portfolio: {report.portfolio_error}")
    _alert(
        settings,
        as_of=as_of,
        key=f"briefing:{report.watchlist_key}",
        title=f"Briefing of {', '.join(report.watchlist)} on {as_of} is incomplete",
        body="; ".join(parts) or "incomplete",
        details={"failed": failed, "run_id": report.run_id},
    )


def alert_crashed_briefing(
    settings: Settings, err: BaseException, *, as_of: date, watchlist: Sequence[str]
) -> None:
    """Raise a ``briefing`` alert for a briefing that stopped with an error; never raises."""
    first = str(err).splitlines()[0] if str(err) else type(err).__name__
    _alert(
        settings,
        as_of=as_of,
        key=f"briefing:{','.join(watchlist)}",
        title=f"Briefing of {', '.join(watchlist)} on {as_of} failed",
        body=f"{type(err).__name__}: {first}",
        details={"error": type(err).__name__},
        severity="critical",
    )


def _alert(settings: Settings, *, severity: str = "warning", **alert: Any) -> None:  # noqa: ANN401
    import logging

    try:
        from data.store import make_engine, upgrade
        from loop.alerts import Alerter, AlertIn

        engine = make_engine(settings.sqlalchemy_url)
        upgrade(engine)
        Alerter.from_settings(settings, engine).raise_alert(
            AlertIn(kind="briefing", severity=severity, **alert)
        )
    except Exception:  # the alert is a side channel: its failure must not hide the briefing's
        logging.getLogger(__name__).warning("briefing alert could not be raised", exc_info=True)
