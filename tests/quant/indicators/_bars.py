"""Bundled real daily bars for the indicator and signal tests (offline, cached per process)."""

from __future__ import annotations

from datetime import date
from functools import cache

import numpy as np
import pandas as pd

from data.providers.bundled import BundledProvider
from data.service import MarketData

END = date(2013, 2, 28)


@cache
def _bars(ticker: str) -> pd.DataFrame:
    return MarketData([BundledProvider()]).bars(ticker, start=None, end=END).frame


def real_bars(ticker: str) -> pd.DataFrame:
    """Adjusted daily OHLCV for ``ticker`` up to 2013-02-28 (a fresh copy)."""
    return _bars(ticker).copy()


def arrays(bars: pd.DataFrame) -> tuple[np.ndarray, ...]:
    """open, high, low, close, volume as contiguous float64 arrays, for calling TA-Lib."""
    return tuple(
        np.ascontiguousarray(bars[c].to_numpy(dtype=np.float64))
        for c in ("open", "high", "low", "close", "volume")
    )


def make_bars(
    close: np.ndarray, *, spread: float = 0.01, start: str = "2010-01-04"
) -> pd.DataFrame:
    """Business-day bars around ``close``: open = previous close, high/low +/- ``spread``."""
    close = np.asarray(close, dtype=np.float64)
    open_ = np.concatenate([[close[0]], close[:-1]])
    return pd.DataFrame(
        {
            "open": open_,
            "high": np.maximum(open_, close) * (1 + spread),
            "low": np.minimum(open_, close) * (1 - spread),
            "close": close,
            "volume": np.full(len(close), 1e6),
        },
        index=pd.bdate_range(start, periods=len(close), name="date"),
    )
