"""``build_features``: the point-in-time feature panel for a universe of tickers.

Groups, in column order (each module documents its features; ``FEATURE_DESCRIPTIONS`` has one
line per column):

returns, volatility, trend, oscillators, volume, relative (vs the benchmark), regime (benchmark
and ticker states), calendar, cross_section (ranks and z-scores across the universe per date).

Every value on date ``d`` uses only bars dated on or before ``d``: time-series features use the
ticker's own bars (windows count bars, never centred), benchmark values are carried forward
from the last benchmark bar on or before ``d``, and cross-sectional values use only the tickers
with a value on ``d``. Missing history gives NaN, never a filled value; +-inf becomes NaN.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

import numpy as np
import pandas as pd

from quant.arrays import FloatArray
from quant.features import (
    calendar,
    cross_section,
    market,
    oscillators,
    relative,
    returns,
    trend,
    volatility,
    volume,
)
from quant.features._stack import BarStack, align_to_stack, prepare_benchmark, stack_bars

FEATURE_GROUPS: dict[str, tuple[str, ...]] = {
    "returns": returns.NAMES,
    "volatility": volatility.NAMES,
    "trend": trend.NAMES,
    "oscillators": oscillators.NAMES,
    "volume": volume.NAMES,
    "relative": relative.NAMES,
    "regime": market.NAMES,
    "calendar": calendar.NAMES,
    "cross_section": cross_section.NAMES,
}
FEATURE_NAMES: tuple[str, ...] = tuple(n for names in FEATURE_GROUPS.values() for n in names)
FEATURE_DESCRIPTIONS: dict[str, str] = {
    **returns.DESCRIPTIONS,
    **volatility.DESCRIPTIONS,
    **trend.DESCRIPTIONS,
    **oscillators.DESCRIPTIONS,
    **volume.DESCRIPTIONS,
    **relative.DESCRIPTIONS,
    **market.DESCRIPTIONS,
    **calendar.DESCRIPTIONS,
    **cross_section.DESCRIPTIONS,
}


Compute = Callable[[], dict[str, FloatArray]]


def _stack_groups(stack: BarStack, benchmark_close: pd.Series | None) -> list[Compute]:
    """Features computed down each ticker's bars: stack matrices."""
    aligned = (
        None
        if benchmark_close is None
        else align_to_stack(
            pd.DatetimeIndex(benchmark_close.index), benchmark_close.to_numpy(), stack
        )
    )
    return [
        lambda: returns.return_features(stack),
        lambda: volatility.volatility_features(stack),
        lambda: trend.trend_features(stack),
        lambda: oscillators.oscillator_features(stack),
        lambda: volume.volume_features(stack),
        lambda: relative.relative_features(stack, benchmark_close=aligned),
        lambda: market.ticker_regime_features(stack),
        lambda: calendar.bar_gap_features(stack),
    ]


def _date_groups(dates: pd.DatetimeIndex, benchmark_close: pd.Series | None) -> list[Compute]:
    """Features that depend only on the date: one value per date."""
    return [
        lambda: market.benchmark_regime_features(dates, benchmark_close=benchmark_close),
        lambda: calendar.date_features(dates),
    ]


def build_features(
    bars: Mapping[str, pd.DataFrame],
    *,
    benchmark: pd.DataFrame | None,
    as_of: date | None = None,
    min_cross_section: int = 2,
) -> pd.DataFrame:
    """The feature panel of ``bars`` as known on each date up to ``as_of``.

    bars: ticker -> daily bars (float columns open, high, low, close, volume; DatetimeIndex
        sorted oldest first, unique), adjusted consistently within each frame.
    benchmark: the index's daily bars (only ``close`` is used), or None: the relative and
        benchmark-regime features are then NaN.
    as_of: when given, every input is first cut to rows dated on or before it.
    min_cross_section: the fewest tickers with a value on a date for a cross-sectional rank or
        z-score on that date.

    Returns a frame indexed by (date, ticker), sorted, one row per input row, with the float64
    columns ``FEATURE_NAMES`` in that order. Rows whose bar is unusable (a missing or
    non-positive price, a missing or negative volume) are all NaN and are skipped by the other
    rows' windows.
    """
    if min_cross_section < 2:
        raise ValueError("min_cross_section must be >= 2 (a rank needs two values)")
    stack, layout = stack_bars(bars, as_of=as_of)
    benchmark_close = prepare_benchmark(benchmark, as_of=as_of)
    column = {name: i for i, name in enumerate(FEATURE_NAMES)}
    out = np.full((len(FEATURE_NAMES), layout.n_rows), np.nan)
    written: list[str] = []
    dates = pd.DatetimeIndex(layout.index.levels[0])
    groups = [
        *((c, layout.scatter) for c in _stack_groups(stack, benchmark_close)),
        *((c, layout.broadcast) for c in _date_groups(dates, benchmark_close)),
    ]
    for compute, place in groups:
        with np.errstate(divide="ignore", invalid="ignore"):  # 0/0 and x/0 become NaN below
            values_by_name = compute()
        for name, values in values_by_name.items():
            row = out[column[name]]
            place(values, out=row)
            row[np.isinf(row)] = np.nan
            written.append(name)
        del values_by_name
    for base in cross_section.CS_BASES:
        rank, z = cross_section.rank_and_zscore(
            out[column[base]],
            date_code=layout.date_code,
            ticker_code=layout.ticker_code,
            min_count=min_cross_section,
        )
        out[column[f"cs_rank_{base}"]], out[column[f"cs_z_{base}"]] = rank, z
        written += [f"cs_rank_{base}", f"cs_z_{base}"]
    if sorted(written) != sorted(FEATURE_NAMES):
        raise RuntimeError("feature groups and FEATURE_NAMES disagree")
    return pd.DataFrame(out.T, index=layout.index, columns=list(FEATURE_NAMES), copy=False)
