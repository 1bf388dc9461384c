"""The text of a declined request: the first sentence declines and says why, the next says
what can be done instead (``prompts/declines.md``)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

import prompts
from agent.request import Decline
from core import asof

__all__ = ["bad_date_text", "capabilities_text", "decline_text", "future_limit"]


def _listed(known: Collection[str]) -> str:
    return ", ".join(sorted(known))


def decline_text(
    decline: Decline, *, tickers: Collection[str], known: Collection[str], limit: str = ""
) -> str:
    """The answer to a declined request. ``tickers``: the companies the question named (for
    "an exact price for MSFT"); ``limit``: the last date the run may see, worded ("today
    (2026-12-07)" or "the as-of date 2012-06-29"), for a future date."""
    detail = decline.detail or ", ".join(tickers)
    values = {
        "detail": detail,
        "limit": limit,
        "listed": _listed(known),
        "for_whom": f" for {', '.join(tickers)}" if tickers else "",
    }
    return prompts.templates("declines")[decline.reason].format(**values)


def capabilities_text(*, known: Collection[str]) -> str:
    """What the agent can do, for "what can you do?"."""
    return prompts.templates("declines")["capabilities"].format(listed=_listed(known))


def bad_date_text(value: object, *, where: str) -> str:
    """The answer to a run whose as-of date (``where``: "as_of", "context as_of", ...) is not
    a YYYY-MM-DD date."""
    shown = repr(value) if isinstance(value, str) else str(value)
    return prompts.templates("declines")["bad_date"].format(detail=shown[:40], where=where)


def future_limit(*, today: date, as_of: date) -> str:
    """How the last visible date is worded in a future-date decline ("today" is the data's last
    day when the offline data end before the wall clock: see ``Settings.as_of_default``)."""
    if as_of < today:
        return f"the as-of date {as_of}"
    return f"today ({today})" if today >= asof.today() else f"the data's last day ({today})"
