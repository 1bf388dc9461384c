"""Named errors of the indicator layer, named by how the caller should react."""

from __future__ import annotations


class InsufficientDataError(ValueError):
    """Too few bars up to the as-of date; fetch more history or pick a later date.

    ``needed`` and ``available`` are bar counts; the message says both.
    """

    def __init__(self, message: str, *, needed: int, available: int) -> None:
        super().__init__(message)
        self.needed = needed
        self.available = available


class InvalidBarsError(ValueError):
    """The bars frame is malformed (missing columns, unsorted dates, NaN or non-positive prices)."""
