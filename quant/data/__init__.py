"""Point-in-time market data: providers behind one interface, a resilient chain, quality checks."""

from quant.data.bars import Bars, Provenance, adjust_point_in_time, normalize_ticker
from quant.data.errors import (
    DataError,
    DataQualityError,
    DataUnavailableError,
    EmptyRangeError,
    InvalidRangeError,
    InvalidTickerError,
    ProviderError,
    UnknownTickerError,
)
from quant.data.quality import QualityIssue, QualityReport, check_bars, quarantine
from quant.data.service import ChainPolicy, Fetched, MarketData

__all__ = [
    "Bars",
    "ChainPolicy",
    "DataError",
    "DataQualityError",
    "DataUnavailableError",
    "EmptyRangeError",
    "Fetched",
    "InvalidRangeError",
    "InvalidTickerError",
    "MarketData",
    "Provenance",
    "ProviderError",
    "QualityIssue",
    "QualityReport",
    "UnknownTickerError",
    "adjust_point_in_time",
    "check_bars",
    "normalize_ticker",
    "quarantine",
]
