"""Per-document limits on reading: a size in bytes and a parsing time in seconds.

A document over either limit is skipped with a reason that names the limit and the setting
that raises it (``SIGNALDESK_INGEST_MAX_BYTES``, ``SIGNALDESK_INGEST_MAX_SECONDS``). The size is
checked before a byte is parsed; the time is checked cooperatively by the parsers (every few
thousand HTML nodes, every PDF page, every text block), so a check costs nothing measurable
and a runaway document stops within moments of its deadline.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from retrieval.sources.common import MalformedFileError

__all__ = ["DEFAULT_MAX_BYTES", "DEFAULT_MAX_SECONDS", "Deadline", "ParseLimitError", "ParseLimits"]

DEFAULT_MAX_BYTES = 50_000_000  # a large 10-K with inline XBRL is 10-20 MB of HTML
DEFAULT_MAX_SECONDS = 120.0


class ParseLimitError(MalformedFileError):
    """A document over a size or time limit; ``str(err)`` is the skip reason."""


@dataclass(frozen=True)
class ParseLimits:
    """``max_bytes``: the largest file read; ``max_seconds``: the longest one document may take
    to parse (None: no limit)."""

    max_bytes: int | None = DEFAULT_MAX_BYTES
    max_seconds: float | None = DEFAULT_MAX_SECONDS

    def check_size(self, size: int) -> None:
        """ParseLimitError when a document of ``size`` bytes is over ``max_bytes``."""
        if self.max_bytes is not None and size > self.max_bytes:
            raise ParseLimitError(
                f"too large: {size:,} bytes, over the {self.max_bytes:,}-byte limit "
                "(SIGNALDESK_INGEST_MAX_BYTES)"
            )

    def deadline(self, *, clock: Callable[[], float] = time.monotonic) -> Deadline:
        """A deadline ``max_seconds`` from now (never expiring without a limit)."""
        return Deadline(self.max_seconds, clock=clock)


class Deadline:
    """``check()`` raises ParseLimitError once ``seconds`` have passed since it was made."""

    def __init__(self, seconds: float | None, *, clock: Callable[[], float] = time.monotonic):
        self.seconds = seconds
        self._clock = clock
        self._end = None if seconds is None else clock() + seconds

    def check(self) -> None:
        if self._end is not None and self._clock() > self._end:
            raise ParseLimitError(
                f"took too long: parsing passed the {self.seconds:g}-second limit "
                "(SIGNALDESK_INGEST_MAX_SECONDS)"
            )
