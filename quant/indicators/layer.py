"""The indicator layer: every indicator for every bar, and a point-in-time snapshot.

``compute_indicators`` returns one column per output (``INDICATOR_COLUMNS``) on the bars'
index. The first ``warmup`` bars (250 by default) are NaN, so every reported value has at least
``warmup`` bars of history behind it: enough for SMA 200 and for the exponential averages
(RSI, MACD, ADX, ATR) to forget their seed. Values at bar ``t`` use bars ``<= t`` only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from quant._types import FloatArray
from quant.indicators.channels import channel_indicators
from quant.indicators.classic import (
    band_indicators,
    flow_indicators,
    momentum_indicators,
    trend_indicators,
)
from quant.indicators.derived import historical_volatility, volume_roc
from quant.indicators.inputs import (
    OHLCV,
    DataWindow,
    Rows,
    bars_up_to,
    ohlcv_arrays,
    require_history,
)

WARMUP = 250

INDICATOR_COLUMNS: tuple[str, ...] = (
    # momentum (TA-Lib)
    "rsi_14", "macd", "macd_signal", "macd_hist", "roc_12", "mfi_14",
    "stoch_slowk", "stoch_slowd", "willr_14", "cci_20",
    # trend (TA-Lib)
    "sma_20", "sma_50", "sma_200", "ema_12", "ema_26", "adx_14", "plus_di_14", "minus_di_14",
    # bands and range (TA-Lib)
    "bb_upper", "bb_middle", "bb_lower", "bb_pct_b", "bb_bandwidth", "atr_14",
    # volume flows (TA-Lib OBV and AD, reported as 20-bar changes)
    "obv_change_20", "ad_change_20",
    # channels (implemented here)
    "ichimoku_tenkan_9", "ichimoku_kijun_26", "ichimoku_senkou_a", "ichimoku_senkou_b",
    "ichimoku_cloud_a", "ichimoku_cloud_b",
    "donchian_upper_20", "donchian_lower_20", "donchian_mid_20",
    # statistics (implemented here)
    "hv_20", "vroc_12",
)  # fmt: skip
_COLUMNS = pd.Index(INDICATOR_COLUMNS)


def _channels(bars: OHLCV, out: Rows) -> None:
    channel_indicators(bars.high, bars.low, out)


def _statistics(bars: OHLCV, out: Rows) -> None:
    historical_volatility(bars.close, period=20, out=out["hv_20"])
    volume_roc(bars.volume, period=12, out=out["vroc_12"])


_GROUPS = (
    momentum_indicators,
    trend_indicators,
    band_indicators,
    flow_indicators,
    _channels,
    _statistics,
)


def _fill(bars: OHLCV) -> FloatArray:
    """Every indicator as one block of shape (len(INDICATOR_COLUMNS), n_bars), unmasked.

    Each column is written into its row as soon as it is computed: one allocation for the
    output, few temporaries alive at once, and the allocator reuses warm memory.
    """
    block = np.empty((len(INDICATOR_COLUMNS), len(bars.close)))
    rows = dict(zip(INDICATOR_COLUMNS, block, strict=True))
    for group in _GROUPS:
        group(bars, rows)
    return block


def indicator_arrays(bars: OHLCV) -> dict[str, FloatArray]:
    """Every indicator as a float64 array of shape (n_bars,), with no warm-up mask."""
    return dict(zip(INDICATOR_COLUMNS, _fill(bars), strict=True))


def compute_indicators(bars: pd.DataFrame, *, warmup: int = WARMUP) -> pd.DataFrame:
    """All indicators for every bar: columns ``INDICATOR_COLUMNS``, the same index as ``bars``.

    bars: daily OHLCV, strictly increasing ``DatetimeIndex`` (oldest first), no NaN. The first
    ``warmup`` rows are NaN. Raises ``InvalidBarsError`` for malformed bars.
    """
    if warmup < 0:
        raise ValueError(f"warmup must be >= 0, got {warmup}")
    block = _fill(ohlcv_arrays(bars))
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
    upto = bars_up_to(bars, as_of)
    window = require_history(upto, as_of=as_of, warmup=warmup)
    arrays = indicator_arrays(ohlcv_arrays(upto))
    return IndicatorSnapshot(
        as_of=as_of,
        bar_date=window.last,
        window=window,
        warmup=warmup,
        values={name: float(arrays[name][-1]) for name in INDICATOR_COLUMNS},
    )
