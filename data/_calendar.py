"""The date axis of daily bars: row order, runs, missing sessions and bars on non-sessions.

Calendars come from ``exchange_calendars``. Building one takes a noticeable fraction of a second,
so they are built to cover whole years and cached per (name, first year, last year).
"""

from __future__ import annotations

import warnings
from bisect import bisect_right
from datetime import date
from functools import lru_cache

import exchange_calendars as xcals
import numpy as np
import pandas as pd


@lru_cache(maxsize=32)
def _calendar(name: str, start_year: int, end_year: int) -> xcals.ExchangeCalendar:
    try:
        with warnings.catch_warnings():  # exchange_calendars 4.13 trips a pandas 3.1 deprecation
            warnings.filterwarnings("ignore", message="Series.values returning an ndarray")
            return xcals.get_calendar(name, start=f"{start_year}-01-01", end=f"{end_year}-12-31")
    except xcals.errors.InvalidCalendarName:
        raise ValueError(
            f"unknown exchange calendar {name!r}: use an exchange_calendars code such as 'XNYS'"
        ) from None


def _longest_in_order(values: list[int]) -> np.ndarray:
    """Mask of one longest non-decreasing subsequence (patience sorting, O(n log n))."""
    tails: list[int] = []
    tail_pos: list[int] = []
    prev = [-1] * len(values)
    for i, value in enumerate(values):
        k = bisect_right(tails, value)
        if k == len(tails):
            tails.append(value)
            tail_pos.append(i)
        else:
            tails[k], tail_pos[k] = value, i
        prev[i] = tail_pos[k - 1] if k else -1
    keep = np.zeros(len(values), dtype=bool)
    i = tail_pos[-1] if tail_pos else -1
    while i >= 0:
        keep[i], i = True, prev[i]
    return keep


def in_order(dates: pd.Series) -> pd.Series:
    """False for the fewest rows whose removal leaves the dates non-decreasing (NaT counts as
    in order). Linear when the dates are already sorted, O(n log n) otherwise."""
    valid = dates.notna().to_numpy()
    ok = np.ones(len(dates), dtype=bool)
    known = dates[valid]
    if not known.is_monotonic_increasing:
        ok[valid] = _longest_in_order(known.astype("int64").tolist())
    return pd.Series(ok, index=dates.index)


def sessions_between(name: str, first: date, last: date) -> pd.DatetimeIndex:
    """Sessions of calendar ``name`` from ``first`` to ``last`` inclusive (tz-naive midnight).

    The calendar covers whole years, but its first session is after 1 January (a holiday) and
    its last may be before 31 December, and ``exchange_calendars`` refuses dates outside them:
    the range is clipped to the sessions the calendar has (none when it falls between them).
    """
    cal = _calendar(name, first.year, last.year)
    lo = max(pd.Timestamp(first), cal.first_session)
    hi = min(pd.Timestamp(last), cal.last_session)
    if lo > hi:
        return pd.DatetimeIndex([])
    return cal.sessions_in_range(lo, hi)


def true_runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) positions of each run of consecutive True values in a boolean array."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(np.int8), [0]])))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def missing_runs(dates: pd.DatetimeIndex, sessions: pd.DatetimeIndex) -> list[pd.DatetimeIndex]:
    """Sessions absent from ``dates``, grouped into runs of consecutive sessions, oldest first."""
    return [sessions[a:b] for a, b in true_runs(~sessions.isin(dates))]


def off_sessions(dates: pd.DatetimeIndex, sessions: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """The dates in ``dates`` that are not sessions (weekends, holidays, closures), sorted."""
    return dates[~dates.isin(sessions)].unique().sort_values()


def span(days: pd.DatetimeIndex) -> str:
    """``2012-06-04..2012-06-06``, or a single ISO date when the span is one day."""
    first, last = f"{days[0]:%Y-%m-%d}", f"{days[-1]:%Y-%m-%d}"
    return first if first == last else f"{first}..{last}"


def calendar_findings(
    dates: pd.DatetimeIndex, name: str
) -> list[tuple[str, str, pd.DatetimeIndex]]:
    """(rule, message, dates) for missing-session runs and non-session bars within the bars' span.

    dates: the bars' dates, any order, duplicates allowed, no NaT.
    """
    days = dates.unique().sort_values()
    sessions = sessions_between(name, days[0].date(), days[-1].date())
    findings = []
    for run in missing_runs(days, sessions):
        noun = "session" if len(run) == 1 else "sessions"
        findings.append(("calendar_gap", f"{len(run)} {noun} missing {span(run)}", run))
    for day in off_sessions(days, sessions):
        message = f"bar on {day:%Y-%m-%d} ({day:%A}): no {name} session that day"
        findings.append(("non_session", message, pd.DatetimeIndex([day])))
    return findings
