"""The as-of date: one type (``datetime.date``), one "today" default, one way to cut data at it.

Every entry point (CLI, chat, API) turns its input into a ``date`` with ``parse_as_of`` (or
takes ``today()`` when none is given); the agent's state, the tools' run context and the quant
functions all carry that ``date``. Below the tools, data are cut at the as-of date with ``up_to``
only: a row belongs to the as-of view when the calendar date of its index is on or before
``as_of``, whatever the index's time of day or time zone.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:  # pandas loads on first use: the CLI parses dates without it
    import numpy as np
    import numpy.typing as npt
    import pandas as pd

__all__ = ["AsOfError", "on_or_before", "parse_as_of", "today", "up_to"]

Frame = TypeVar("Frame", "pd.DataFrame", "pd.Series")


class AsOfError(ValueError):
    """An as-of date that cannot be read (not YYYY-MM-DD)."""


def today() -> date:
    """The default as-of date: the local calendar date of this process."""
    return date.today()


def parse_as_of(text: str | date | None, *, name: str = "as-of") -> date:
    """The as-of date in ``text`` (ISO ``YYYY-MM-DD``), or ``today()`` when it is None.

    A ``date`` passes through unchanged (a ``datetime`` is reduced to its date). Raises
    ``AsOfError`` with a one-line message naming ``name`` when ``text`` is not a date.
    """
    if text is None:
        return today()
    if isinstance(text, datetime):
        return text.date()
    if isinstance(text, date):
        return text
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise AsOfError(f"{name} {text!r} is not a date: use YYYY-MM-DD") from None


def _dates(index: pd.Index) -> pd.DatetimeIndex:
    import pandas as pd

    if isinstance(index, pd.MultiIndex):
        index = index.get_level_values(0)
    if not isinstance(index, pd.DatetimeIndex):
        raise TypeError(
            f"cutting at an as-of date needs a DatetimeIndex, got {type(index).__name__}"
        )
    return index


def _next_midnight(as_of: date, index: pd.DatetimeIndex) -> pd.Timestamp:
    """The first instant after ``as_of`` in the index's time zone."""
    import pandas as pd

    return pd.Timestamp(as_of + timedelta(days=1), tz=index.tz)


def on_or_before(index: pd.Index, as_of: date) -> npt.NDArray[np.bool_]:
    """Which entries of ``index`` are dated on or before ``as_of`` (a boolean mask).

    index: a DatetimeIndex, tz-naive or tz-aware (dates are read in its own time zone), or a
    MultiIndex whose first level is one. NaT is never on or before anything.
    """
    import numpy as np

    dates = _dates(index)
    return np.asarray(dates < _next_midnight(as_of, dates), dtype=bool)


def up_to(frame: Frame, *, as_of: date) -> Frame:
    """The rows of ``frame`` dated on or before ``as_of``: the as-of view of the data.

    frame: a DataFrame or Series with a DatetimeIndex (tz-naive or tz-aware; time of day
    ignored) or a MultiIndex whose first level is one; an empty frame comes back as it is. A sorted
    index is cut by position (a view of the leading rows); an unsorted one by mask.
    """
    if frame.empty:
        return frame
    dates = _dates(frame.index)
    if dates.is_monotonic_increasing:
        stop = int(dates.searchsorted(_next_midnight(as_of, dates), side="left"))
        return frame.iloc[:stop]
    return frame.loc[on_or_before(frame.index, as_of)]
