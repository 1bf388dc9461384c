"""The indicator layer: every indicator for every bar, and a point-in-time snapshot.

``compute_indicators`` returns one column per output (``INDICATOR_COLUMNS``) on the bars'
index. The first ``warmup`` bars (250 by default) are NaN, so every reported value has at least
``warmup`` bars of history behind it: enough for SMA 200 and for the exponential averages
(RSI, MACD, ADX, ATR) to forget their seed. Values at bar ``t`` use bars ``<= t`` only.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from core.asof import up_to
from quant.arrays import FloatArray
from quant.indicators.channels import CHANNEL_COLUMNS, channel_indicators
from quant.indicators.classic import (
    BAND_COLUMNS,
    FLOW_COLUMNS,
    MOMENTUM_COLUMNS,
    TREND_COLUMNS,
    band_indicators,
    flow_indicators,
    momentum_indicators,
    trend_indicators,
)
from quant.indicators.derived import STATISTIC_COLUMNS, statistic_indicators
from quant.indicators.inputs import (
    OHLCV,
    DataWindow,
    ohlcv_arrays,
    require_history,
)

WARMUP = 250


def _channels(bars: OHLCV, out: FloatArray) -> None:
    channel_indicators(bars.high, bars.low, out)


_Group = Callable[[OHLCV, FloatArray], None]
_GROUPS: tuple[tuple[tuple[str, ...], _Group], ...] = (
    (MOMENTUM_COLUMNS, momentum_indicators),  # TA-Lib
    (TREND_COLUMNS, trend_indicators),  # TA-Lib
    (BAND_COLUMNS, band_indicators),  # TA-Lib Bollinger bands (with %b, bandwidth) and ATR
    (FLOW_COLUMNS, flow_indicators),  # TA-Lib OBV and AD, reported as 20-bar changes
    (CHANNEL_COLUMNS, _channels),  # TA-Lib MIDPRICE, MAX, MIN
    (STATISTIC_COLUMNS, statistic_indicators),  # TA-Lib STDDEV of log returns, ROC of volume
)
INDICATOR_COLUMNS: tuple[str, ...] = tuple(name for names, _ in _GROUPS for name in names)
_COLUMNS = pd.Index(INDICATOR_COLUMNS)


def _row_slices() -> tuple[tuple[slice, _Group], ...]:
    """Each group with the rows of the block it writes."""
    rows: list[tuple[slice, _Group]] = []
    start = 0
    for names, group in _GROUPS:
        rows.append((slice(start, start + len(names)), group))
        start += len(names)
    return tuple(rows)


_ROWS = _row_slices()


def _block(bars: OHLCV) -> FloatArray:
    """Every indicator as one C-contiguous block of shape (len(INDICATOR_COLUMNS), n_bars),
    unmasked. Each group writes its rows as it computes them (see ``classic``)."""
    block = np.empty((len(INDICATOR_COLUMNS), len(bars.close)))
    for rows, group in _ROWS:
        group(bars, block[rows])
    return block


def indicator_arrays(bars: OHLCV) -> dict[str, FloatArray]:
    """Every indicator as a float64 array of shape (n_bars,), with no warm-up mask."""
    return dict(zip(INDICATOR_COLUMNS, _block(bars), strict=True))


def compute_indicators(bars: pd.DataFrame, *, warmup: int = WARMUP) -> pd.DataFrame:
    """All indicators for every bar: columns ``INDICATOR_COLUMNS``, the same index as ``bars``.

    bars: daily OHLCV, strictly increasing ``DatetimeIndex`` (oldest first), no NaN. The first
    ``warmup`` rows are NaN. Raises ``InvalidBarsError`` for malformed bars.
    """
    if warmup < 0:
        raise ValueError(f"warmup must be >= 0, got {warmup}")
    block = _block(ohlcv_arrays(bars))
    block[:, :warmup] = np.nan
    return pd.DataFrame(block.T, index=bars.index, columns=_COLUMNS, copy=False)


@dataclass(frozen=True, slots=True)
class IndicatorSnapshot:
    """Every indicator at one bar: the last bar on or before ``as_of``.

    values: ``INDICATOR_COLUMNS`` -> value (read-only by convention). window: the bars used,
    all dated on or before ``as_of``.
    """

    as_of: date
    bar_date: date
    window: DataWindow
    warmup: int
    values: dict[str, float]

    def to_dict(self) -> dict[str, object]:
        """JSON-ready: dates as ISO strings, NaN values as ``None``."""
        return {
            "as_of": self.as_of.isoformat(),
            "bar_date": self.bar_date.isoformat(),
            "window": self.window.to_dict(),
            "warmup": self.warmup,
            "values": {k: None if math.isnan(v) else v for k, v in self.values.items()},
        }


def indicator_snapshot(
    bars: pd.DataFrame, *, as_of: date, warmup: int = WARMUP
) -> IndicatorSnapshot:
    """Every indicator at the last bar on or before ``as_of``, from bars ``<= as_of`` only.

    Raises ``InsufficientDataError`` when fewer than ``warmup + 1`` bars exist up to ``as_of``.
    """
    upto = up_to(bars, as_of=as_of)
    window = require_history(upto, as_of=as_of, warmup=warmup)
    arrays = indicator_arrays(ohlcv_arrays(upto))
    return IndicatorSnapshot(
        as_of=as_of,
        bar_date=window.last,
        window=window,
        warmup=warmup,
        values={name: float(arrays[name][-1]) for name in INDICATOR_COLUMNS},
    )
