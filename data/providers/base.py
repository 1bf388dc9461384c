"""The one interface every price provider implements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol, runtime_checkable

import pandas as pd


@dataclass(frozen=True, slots=True)
class RawBars:
    """What a provider returns: raw bars (see ``data.bars.to_raw_frame``) and their origin.

    frame: canonical raw frame, possibly wider than the requested window (the service trims it).
    source: a path, package or URL a reader can follow.
    basis: how prices relate to what traded, e.g. ``"raw + source adj_close"``.
    notes: what the provider did to the rows on reading them (e.g. sorted them by date); the
    service reports each as a quality warning.
    """

    frame: pd.DataFrame
    source: str
    basis: str
    notes: tuple[str, ...] = ()


@runtime_checkable
class Provider(Protocol):
    """A source of daily bars.

    ``fetch`` raises ``UnknownTickerError`` for a symbol the provider does not carry and
    ``ProviderError`` for failures that may pass (``transient=True``) or not; it never filters
    quality problems away.
    """

    name: str
    online: bool

    def fetch(self, ticker: str, *, start: date | None, end: date) -> RawBars: ...

    def tickers(self) -> list[str] | None:
        """Symbols the provider carries, or None when it cannot list them (online sources)."""
        ...
