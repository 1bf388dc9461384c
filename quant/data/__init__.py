"""Point-in-time market data: providers behind one interface, a resilient chain, quality checks.

Names are re-exported lazily (PEP 562), so ``from quant.data.errors import ...`` stays cheap and
the heavy modules (pandas, pandera, exchange calendars) load when first used.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Bars": "quant.data.bars",
    "Provenance": "quant.data.bars",
    "adjust_point_in_time": "quant.data.bars",
    "normalize_ticker": "quant.data.bars",
    "DataError": "quant.data.errors",
    "DataQualityError": "quant.data.errors",
    "DataUnavailableError": "quant.data.errors",
    "EmptyRangeError": "quant.data.errors",
    "InvalidRangeError": "quant.data.errors",
    "InvalidTickerError": "quant.data.errors",
    "ProviderError": "quant.data.errors",
    "UnknownTickerError": "quant.data.errors",
    "QualityIssue": "quant.data.quality",
    "QualityReport": "quant.data.quality",
    "check_bars": "quant.data.quality",
    "quarantine": "quant.data.quality",
    "ChainPolicy": "quant.data.service",
    "Fetched": "quant.data.service",
    "MarketData": "quant.data.service",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'quant.data' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value
