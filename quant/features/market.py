"""Regime features: the trend and volatility state of the benchmark and of each ticker.

States come from ``quant.regime`` (its rule, default thresholds) coded bull = 1, choppy = 0,
bear = -1. Benchmark measures are computed on the benchmark's own calendar and carried onto
each ticker's bars with an as-of join (the last benchmark value dated on or before the bar).
Benchmark features are NaN without a benchmark.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from quant.arrays import FloatArray
from quant.features import _rolling as roll
from quant.features._stack import BarStack, asof_positions
from quant.regime import regime_measures_wide

DESCRIPTIONS: dict[str, str] = {
    "regime": "the ticker's own regime code (bull 1, choppy 0, bear -1) by quant.regime's rule",
    "vol_pct": "percentile of the ticker's 20-bar volatility against its own history so far",
    "mkt_regime": "the benchmark's regime code (bull 1, choppy 0, bear -1)",
    "mkt_vol_20d": "the benchmark's 20-bar close-to-close volatility (annualised)",
    "mkt_vol_pct": "percentile of mkt_vol_20d against its own history so far",
    "mkt_dist_sma_200": "benchmark close / its SMA200 - 1",
    "mkt_sma_50_slope_20d": "benchmark SMA50 / SMA50 20 bars earlier - 1",
    "mkt_ret_20d": "benchmark return over its last 20 bars",
    "mkt_ret_60d": "benchmark return over its last 60 bars",
}
NAMES: tuple[str, ...] = tuple(DESCRIPTIONS)


def ticker_regime_features(stack: BarStack) -> dict[str, FloatArray]:
    """``regime`` and ``vol_pct`` as stack matrices."""
    measures = regime_measures_wide(pd.DataFrame(stack.close, copy=False))
    return {
        "regime": measures["code"].to_numpy(),
        "vol_pct": measures["volatility_percentile"].to_numpy(),
    }


def benchmark_regime_features(
    dates: pd.DatetimeIndex, *, benchmark_close: pd.Series | None
) -> dict[str, FloatArray]:
    """The ``mkt_*`` features on each of ``dates``: the benchmark's values as of that date.

    benchmark_close: the benchmark's usable closes on its own dates (oldest first), or None.
    """
    names = [name for name in NAMES if name.startswith("mkt_")]
    if benchmark_close is None or benchmark_close.empty:
        return {name: np.full(len(dates), np.nan) for name in names}
    close = benchmark_close.to_numpy(dtype="float64")[:, None]
    measures = {k: v.to_numpy()[:, 0] for k, v in regime_measures_wide(pd.DataFrame(close)).items()}
    own = {
        "mkt_regime": measures["code"],
        "mkt_vol_20d": measures["volatility"],
        "mkt_vol_pct": measures["volatility_percentile"],
        "mkt_dist_sma_200": measures["distance_long"],
        "mkt_sma_50_slope_20d": measures["slope_short"],
        "mkt_ret_20d": roll.change(close, 20)[:, 0],
        "mkt_ret_60d": roll.change(close, 60)[:, 0],
    }
    pos = asof_positions(pd.DatetimeIndex(benchmark_close.index), dates.to_numpy("datetime64[ns]"))
    return {name: np.where(pos >= 0, own[name][np.maximum(pos, 0)], np.nan) for name in names}
