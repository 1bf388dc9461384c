"""Daily bars to weekly bars, point in time."""

from __future__ import annotations

import numpy as np
import pandas as pd

from quant.indicators.inputs import ohlcv_arrays


def weekly_bars(bars: pd.DataFrame) -> pd.DataFrame:
    """Daily bars resampled to weeks ending Friday, each dated by its last available bar.

    open: first, high: max, low: min, close: last, volume: sum. Point in time: a week is dated
    by its last daily bar (Thursday when Friday is a holiday), so the current, incomplete week
    ends at the last available bar and no weekly bar is dated before the data it contains.
    """
    o = ohlcv_arrays(bars)
    if len(bars) == 0:
        return bars.iloc[:0].copy()
    days = bars.index.values.astype("datetime64[D]").astype(np.int64)  # 1970-01-01 = Thursday
    week = (days - 2) // 7  # weeks run Saturday..Friday
    starts = np.flatnonzero(np.diff(week, prepend=week[0] - 1))
    ends = np.append(starts[1:] - 1, len(week) - 1)
    return pd.DataFrame(
        {
            "open": o.open[starts],
            "high": np.maximum.reduceat(o.high, starts),
            "low": np.minimum.reduceat(o.low, starts),
            "close": o.close[ends],
            "volume": np.add.reduceat(o.volume, starts),
        },
        index=bars.index[ends],
    )
