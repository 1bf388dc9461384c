"""Simulated daily bars for the drift tests: a seeded random walk on NYSE sessions whose daily
volatility can be multiplied by ``factor`` from a date on (a planted feature shift)."""

from __future__ import annotations

from pathlib import Path

import exchange_calendars as xcals
import numpy as np
import pandas as pd

SHIFT_AT = "2012-06-01"


def sessions(start: str, end: str) -> pd.DatetimeIndex:
    cal = xcals.get_calendar("XNYS", start=start, end=end)
    return pd.DatetimeIndex(cal.sessions_in_range(start, end)).tz_localize(None)


def bars(
    seed: int,
    *,
    shift_at: str | None = None,
    factor: float = 3.0,
    start: str = "2006-01-03",
    end: str = "2012-12-31",
    vol: float = 0.01,
) -> pd.DataFrame:
    """OHLCV bars (with ``adj_close`` = close) whose daily log returns are N(0.0003, vol), the
    volatility (and the bars' ranges) times ``factor`` from ``shift_at`` on."""
    rng = np.random.default_rng(seed)
    days = sessions(start, end)
    sigma = np.full(len(days), vol)
    if shift_at is not None:
        sigma[days >= pd.Timestamp(shift_at)] *= factor
    close = 50.0 * np.exp(np.cumsum(rng.normal(0.0003, sigma)))
    high = close * (1 + np.abs(rng.normal(0.0, sigma)))
    low = close * (1 - np.abs(rng.normal(0.0, sigma)))
    open_ = np.clip(close * (1 + rng.normal(0.0, sigma / 2)), low, high)
    volume = rng.lognormal(14.0, 0.3, len(days)).round()
    frame = {"open": open_, "high": high, "low": low, "close": close, "volume": volume}
    return pd.DataFrame({**frame, "adj_close": close}, index=days.rename("date"))


def universe() -> dict[str, pd.DataFrame]:
    """SHFT (volatility tripled from SHIFT_AT), CALM (unchanged) and a calm ^GSPC."""
    return {"SHFT": bars(1, shift_at=SHIFT_AT), "CALM": bars(2), "^GSPC": bars(3, vol=0.008)}


def write_csv(folder: Path, frames: dict[str, pd.DataFrame], *, end: str | None = None) -> Path:
    """``folder/TICKER.csv`` per frame (rows up to ``end`` when given), for ``csv:folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for ticker, frame in frames.items():
        rows = frame if end is None else frame.loc[:end]
        rows.reset_index().to_csv(folder / f"{ticker}.csv", index=False)
    return folder
