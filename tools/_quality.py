"""Data quality of one ticker's recent bars at an as-of date: staleness, gaps in the exchange
calendar and quarantined bars, from the quality report the data service makes
(``data.quality``). Part of ``tools.drift``."""

from __future__ import annotations

from datetime import date

import pandas as pd
from pydantic import BaseModel, ConfigDict

from data.errors import DataError
from data.service import MarketData


class TickerQuality(BaseModel):
    """Data quality of one ticker's bars up to ``as_of``. stale_days: calendar days from the last
    bar to as_of (stale above the setting ``stale_after_days``); missing_sessions: sessions of
    the exchange calendar with no bar between window_start and the last bar (None without a
    calendar), gaps: their runs; quarantined: bars dated from window_start to as_of that
    failed the quality checks, with their dates and reasons. error: why no bar could be read."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    ticker: str
    last_bar: date | None = None
    stale_days: int | None = None
    stale: bool = False
    window_start: date | None = None
    window_bars: int = 0
    missing_sessions: int | None = None
    gaps: tuple[str, ...] = ()
    quarantined: int = 0
    quarantined_dates: tuple[date, ...] = ()
    quarantine_reasons: tuple[str, ...] = ()
    error: str | None = None


def first_line(err: Exception) -> str:
    text = str(err)
    return text.splitlines()[0] if text else type(err).__name__


def data_quality(
    market: MarketData, ticker: str, *, as_of: date, window_days: int, stale_after_days: int
) -> TickerQuality:
    """Staleness, calendar gaps and quarantined bars of ``ticker`` in its last ``window_days``
    bars up to ``as_of`` (the quality report of ``data.quality``, as the data service makes
    it); a ticker whose bars cannot be read comes back with its ``error``."""
    try:
        fetched = market.fetch(ticker, end=as_of)
    except DataError as err:
        return TickerQuality(ticker=ticker, error=first_line(err))
    days = pd.DatetimeIndex(fetched.clean.index)
    last = days[-1].date()
    start = days[max(0, len(days) - window_days)]
    gaps = [
        i
        for i in fetched.report.warnings
        if i.rule == "calendar_gap" and any(d >= start.date() for d in i.dates)
    ]
    missing = sum(1 for i in gaps for d in i.dates if d >= start.date())
    bad = fetched.quarantined
    bad = bad.loc[bad.index.notna() & (bad.index >= start)]
    stale = (as_of - last).days
    return TickerQuality(
        ticker=ticker,
        last_bar=last,
        stale_days=stale,
        stale=stale > stale_after_days,
        window_start=start.date(),
        window_bars=int((days >= start).sum()),
        missing_sessions=None if market.calendar is None else missing,
        gaps=tuple(i.message for i in gaps),
        quarantined=len(bad),
        quarantined_dates=tuple(sorted({ts.date() for ts in bad.index})),
        quarantine_reasons=tuple(sorted(set(bad["reason"].astype(str)))),
    )
