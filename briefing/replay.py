"""Replay: the briefing run point in time over history, its calls stored for scoring.

Each date gets its own tool context (``context_for(day)``), so every computation sees only
bars, documents and models available on that date; the calls land in ``signals`` and the
briefings in ``briefings`` exactly as a live run would store them, and in ``predictions``
under the source ``replay`` (a live run's are ``briefing``). The eval suites join them
with what happened next.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Literal

import pandas as pd

from agent.runner import Agent
from briefing.changes import DocumentSource
from briefing.models import BriefingReport
from briefing.runner import BriefingPlan, run_briefing
from briefing.store import BriefingStore
from briefing.watchlist import Watchlist
from data.errors import InvalidRangeError
from tools.context import ToolContext

__all__ = ["Every", "ReplaySummary", "replay", "replay_dates"]

Every = Literal["day", "week", "month"]
_FREQ = {"day": "B", "week": "W-FRI", "month": "BME"}


def replay_dates(start: date, end: date, *, every: Every | str = "week") -> list[date]:
    """Weekdays, Fridays or last weekdays of the month in [start, end] (a holiday date still
    counts: its briefing sees the bars up to the session before). ``every`` comes as typed on
    the command line: anything but day, week or month raises ``InvalidRangeError``."""
    if start > end:
        raise InvalidRangeError(f"--start {start} is after --end {end}")
    if every not in _FREQ:
        raise InvalidRangeError(f"--every must be day, week or month, got {every!r}")
    days = [d.date() for d in pd.date_range(start, end, freq=_FREQ[every])]
    if not days:
        raise InvalidRangeError(f"no {every} end between {start} and {end}")
    return days


@dataclass(frozen=True)
class ReplaySummary:
    run_id: str
    dates: int
    calls: int  # tickers covered, summed over dates
    failed: int  # tickers not covered, summed over dates
    seconds: float

    @property
    def seconds_per_call(self) -> float:
        attempted = self.calls + self.failed
        return self.seconds / attempted if attempted else float("nan")


def replay(
    agent: Agent | None,
    context_for: Callable[[date], ToolContext],
    *,
    watchlist: Watchlist,
    dates: list[date],
    store: BriefingStore,
    run_id: str,
    plan: BriefingPlan = BriefingPlan(keep_threads=False),
    documents: DocumentSource | None = None,
    on_date: Callable[[BriefingReport], None] | None = None,
) -> ReplaySummary:
    """Run and store the briefing at each of ``dates`` (oldest first)."""
    started = time.perf_counter()
    previous = store.previous(watchlist.key, before=dates[0])
    calls = failed = 0
    for day in sorted(dates):
        report = run_briefing(
            agent,
            context_for(day),
            watchlist=watchlist,
            plan=plan,
            previous=previous,
            documents=documents,
            run_id=run_id,
        )
        store.save(report, source="replay")
        calls += len(report.covered)
        failed += len(report.tickers) - len(report.covered)
        previous = report
        if on_date is not None:
            on_date(report)
    return ReplaySummary(
        run_id=run_id,
        dates=len(dates),
        calls=calls,
        failed=failed,
        seconds=time.perf_counter() - started,
    )
