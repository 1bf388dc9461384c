"""Point-in-time market data: providers behind one interface, a resilient chain, quality checks.

Names are re-exported lazily (PEP 562), so ``from data.errors import ...`` stays cheap and
the heavy modules (pandas, pandera, exchange calendars) load when first used.
"""

from __future__ import annotations

from core.lazy import lazy_exports

_EXPORTS = {
    "Bars": "data.bars",
    "Provenance": "data.bars",
    "adjust_point_in_time": "data.bars",
    "normalize_ticker": "data.bars",
    "AmbiguousFileError": "data.errors",
    "DataError": "data.errors",
    "DataQualityError": "data.errors",
    "DataUnavailableError": "data.errors",
    "EmptyRangeError": "data.errors",
    "InvalidRangeError": "data.errors",
    "InvalidTickerError": "data.errors",
    "ProviderError": "data.errors",
    "UnknownTickerError": "data.errors",
    "QualityIssue": "data.quality",
    "QualityReport": "data.quality",
    "check_bars": "data.quality",
    "quarantine": "data.quality",
    "ChainPolicy": "data.service",
    "Fetched": "data.service",
    "MarketData": "data.service",
}

__all__ = sorted(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
