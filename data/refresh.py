"""Load a ticker's bars from a provider into the database: fetched, checked, stored.

``load_ticker`` is what ``signaldesk data load`` and the scheduled refresh job
(``signaldesk jobs run refresh``) run per ticker. Idempotent: loading the same bars twice
changes nothing; bars that fail the quality checks go to the quarantine table.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from data.errors import DataError
from data.service import MarketData
from data.store.bars import BarStore

__all__ = ["load_ticker"]


def load_ticker(
    market: MarketData, store: BarStore, ticker: str, start: date | None, end: date
) -> dict[str, Any]:
    """Fetch, check and store one ticker; a data error is returned (``{"ticker", "error"}``),
    not raised, so that the other tickers go on."""
    try:
        fetched = market.fetch(ticker, start=start, end=end)
    except DataError as err:
        return {"ticker": ticker, "error": str(err)}
    provider = fetched.provenance.provider
    result = store.upsert_bars(ticker=ticker, source=provider, raw=fetched.clean)
    quarantined = store.add_quarantined(ticker=ticker, source=provider, rows=fetched.quarantined)
    return {
        "ticker": ticker,
        "provider": provider,
        "rows": len(fetched.clean),
        "inserted": result.inserted,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "quarantined": quarantined,
    }
