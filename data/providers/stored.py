"""Bars previously loaded into the database (``signaldesk data load``), as a provider."""

from __future__ import annotations

from datetime import date
from typing import Any

from data.errors import UnknownTickerError
from data.providers.base import RawBars


class StoredProvider:
    """Reads raw bars from a ``BarStore``; when a ticker was loaded from several sources, the one
    with the most rows wins."""

    name = "db"
    online = False

    def __init__(self, store: Any) -> None:
        self.store = store

    def tickers(self) -> list[str]:
        return sorted({row["ticker"] for row in self.store.tickers()})

    def version(self, ticker: str) -> str:
        """Changes when ``ticker``'s stored bars change (a cache key's data version)."""
        last = self.store.last_loaded(ticker)
        return "" if last is None else last.isoformat()

    def fetch(self, ticker: str, *, start: date | None, end: date) -> RawBars:
        sources = self.store.sources(ticker)  # most rows first
        if not sources:
            raise UnknownTickerError(
                ticker, providers=[self.name], hint="Load it first: signaldesk data load TICKER."
            )
        frame = self.store.read_bars(ticker=ticker, source=sources[0], start=start, end=end)
        return RawBars(
            frame=frame,
            source=f"database table daily_bars (loaded from {sources[0]})",
            basis=f"as loaded from {sources[0]}",
        )
