"""Period evidence: what a ticker did over a past window (return, drawdown, volatility, range).

The window is given one way only: ``start`` (with an optional ``end``), ``lookback_days``
(calendar days back from the as-of date) or ``year_to_date`` (from 1 January of the as-of
date's year). Relative windows are resolved here against ``ctx.as_of``, never the wall clock;
``end`` defaults to, and is clipped to, the as-of date. The statistics and their conventions
(the return is measured from the last close before the window) are ``quant.period``'s.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

from quant.period import PeriodWindowError, period_stats
from tools.context import ToolContext
from tools.evidence import Evidence, Window
from tools.runtime import ToolInputError

__all__ = ["period_evidence", "resolve_window"]


def resolve_window(
    *,
    as_of: date,
    start: date | None = None,
    end: date | None = None,
    lookback_days: int | None = None,
    year_to_date: bool = False,
) -> tuple[date, date]:
    """The ``(start, end)`` calendar window asked for, ``end`` clipped to ``as_of``.

    Raises ``ToolInputError`` unless exactly one of ``start``, ``lookback_days`` and
    ``year_to_date`` is given, when ``end`` comes without ``start``, or when ``lookback_days``
    is not positive.
    """
    ways = [start is not None, lookback_days is not None, year_to_date]
    if sum(ways) != 1 or (end is not None and start is None):
        raise ToolInputError(
            "give the window exactly one way: start (YYYY-MM-DD, with an optional end), "
            "lookback_days (calendar days back from the as-of date) or year_to_date=true"
        )
    if lookback_days is not None:
        if lookback_days < 1:
            raise ToolInputError(f"lookback_days must be at least 1, got {lookback_days}")
        return as_of - timedelta(days=lookback_days), as_of
    if year_to_date:
        return date(as_of.year, 1, 1), as_of
    assert start is not None  # one way was given, and it is start
    return start, as_of if end is None or end > as_of else end


def period_evidence(
    ctx: ToolContext,
    ticker: str,
    *,
    start: date | None = None,
    end: date | None = None,
    lookback_days: int | None = None,
    year_to_date: bool = False,
    label: str | None = None,
    amount: float | None = None,
) -> Evidence:
    """Realised return, max drawdown, annualised volatility, high and low of ``ticker`` over the
    window, from the bars up to ``ctx.as_of``. ``label`` names the period in the values and the
    summary (e.g. "2011"); by default it is the first and last bar dates, "2011-01-03..2011-12-30".

    ``amount``: a sum invested at the start; ``amount_end`` is what it became (price return).
    A window that starts after the as-of date, is reversed or holds no bars is a
    ``ToolInputError`` (the model can fix it).
    """
    first, last = resolve_window(
        as_of=ctx.as_of,
        start=start,
        end=end,
        lookback_days=lookback_days,
        year_to_date=year_to_date,
    )
    bars = ctx.bars(ticker)
    try:
        stats = period_stats(bars.frame, start=first, end=last, as_of=ctx.as_of)
    except PeriodWindowError as err:
        raise ToolInputError(f"{bars.ticker}: {err}") from err
    name = label or f"{stats.start_date.isoformat()}..{stats.end_date.isoformat()}"
    values = {
        "start_date": stats.start_date,
        "end_date": stats.end_date,
        "start_close": stats.start_close,
        "end_close": stats.end_close,
        "return": stats.period_return,
        "max_drawdown": stats.max_drawdown,
        "volatility_annual": stats.volatility_annual,
        "high": stats.high,
        "low": stats.low,
        "bars": stats.bars,
        "label": name,
        "base_date": stats.base_date,
        **_months(stats.monthly_returns),
    }
    if amount is not None:  # "what would $10k invested in 2009 be worth?"
        values |= {"amount": amount, "amount_end": amount * (1.0 + stats.period_return)}
    based = (
        f"from the {stats.base_date} close {stats.start_close:.2f}"
        if stats.base_date < stats.start_date
        else f"from the first close in the window, {stats.start_close:.2f} on {stats.base_date}"
    )
    vol = stats.volatility_annual
    return Evidence.make(
        kind="period",
        tickers=[bars.ticker],
        as_of=ctx.as_of,
        values=values,
        window=Window(start=stats.start_date, end=stats.end_date, bars=stats.bars),
        source={
            "provider": bars.provenance.provider,
            "adjustment": bars.provenance.adjustment,
            "requested": {"start": first, "end": last},
            "return_base": "last close before the window, else its first close",
        },
        summary=(
            f"{bars.ticker} over {name} ({stats.bars} bars"
            + (f" {stats.start_date}..{stats.end_date}" if label else "")
            + f", as of {ctx.as_of}): return {stats.period_return:+.2%} {based} to "
            f"{stats.end_close:.2f}; max drawdown {stats.max_drawdown:.2%}; realised volatility "
            + ("n/a (under two returns)" if math.isnan(vol) else f"{vol:.2%} a year")
            + f"; high {stats.high:.2f}, low {stats.low:.2f}."
        ),
    )


def _months(monthly: tuple[tuple[date, float], ...]) -> dict[str, Any]:
    """The best and worst calendar months of the window, named as people write them ("October
    2011"), with every month's return; nothing for a window inside one month."""
    if len(monthly) < 2:
        return {}
    named = [(f"{m:%B %Y}", r) for m, r in monthly]
    best = max(named, key=lambda item: item[1])
    worst = min(named, key=lambda item: item[1])
    return {
        "best_month": best[0],
        "best_month_return": best[1],
        "worst_month": worst[0],
        "worst_month_return": worst[1],
        "monthly_returns": [{"month": m, "return": r} for m, r in named],
    }
