"""Each ticker's track record line in the briefing: how SignalDesk's own 5-day calls on it did,
as known on the briefing's as-of date, from one read of the briefing's database
(``tools.track_record``: every entry point pooled, a call shown twice counted once, outcomes
due by the as-of date scored from its bars).

The line is read before the briefing stores its own calls, so a run and its re-run of the same
date show the same scores (the calls of the day are not resolved by then anyway).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from briefing.models import TrackLine
from data.store.errors import StoreError
from tools.context import ToolContext
from tools.track_record import HEADLINE_HORIZON, LAST, closes_of, records_by_ticker

__all__ = ["track_line", "track_lines"]

log = logging.getLogger(__name__)


def track_line(values: dict[str, Any], *, horizon: int = HEADLINE_HORIZON) -> TrackLine:
    """The line of one ticker from its ``tools.track_record.record_values``."""
    row = next(r for r in values["horizons"] if r["horizon_days"] == horizon)
    w = row["recent"]
    return TrackLine(
        horizon_days=horizon,
        last=LAST,
        calls=row["calls"],
        resolved=row["resolved"],
        pending=row["pending"],
        scored=w["calls"],
        directional=w["directional"],
        hit_rate=w["hit_rate"],
        always_buy=w["always_buy"],
        momentum=w["momentum"],
    )


def track_lines(
    ctx: ToolContext, tickers: Sequence[str]
) -> tuple[dict[str, TrackLine], str | None]:
    """Each ticker's line at ``ctx.as_of`` (none without a database), or why they could not
    be read (the briefing reports it and goes on)."""
    if ctx.predictions is None:
        return {}, None
    try:
        store = ctx.predictions()
        if store is None:
            return {}, None
        records = records_by_ticker(store, tickers, as_of=ctx.as_of, closes=closes_of(ctx))
    except (SQLAlchemyError, StoreError) as err:
        log.warning("briefing: no track record (%s): %s", type(err).__name__, err)
        return {}, f"track record not read: {str(err).strip().splitlines()[0]}"
    return {t: track_line(v) for t, v in records.items()}, None
