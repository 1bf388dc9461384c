"""Technical indicators on daily bars, computed by TA-Lib (numpy only for the arithmetic
around it: %b, bandwidth, flow changes, the displaced Ichimoku cloud).

``compute_indicators(bars)`` gives every indicator for every bar (NaN in the warm-up);
``indicator_snapshot(bars, as_of=...)`` gives them at one date from bars on or before it.
"""

from quant.indicators.channels import donchian, ichimoku
from quant.indicators.derived import flow_change, historical_volatility, volume_roc
from quant.indicators.errors import InsufficientDataError, InvalidBarsError
from quant.indicators.inputs import (
    OHLCV,
    DataWindow,
    ohlcv_arrays,
    require_history,
)
from quant.indicators.layer import (
    INDICATOR_COLUMNS,
    WARMUP,
    IndicatorSnapshot,
    compute_indicators,
    indicator_arrays,
    indicator_snapshot,
)
from quant.indicators.resample import weekly_bars

__all__ = [
    "INDICATOR_COLUMNS",
    "OHLCV",
    "WARMUP",
    "DataWindow",
    "IndicatorSnapshot",
    "InsufficientDataError",
    "InvalidBarsError",
    "compute_indicators",
    "donchian",
    "flow_change",
    "historical_volatility",
    "ichimoku",
    "indicator_arrays",
    "indicator_snapshot",
    "ohlcv_arrays",
    "require_history",
    "volume_roc",
    "weekly_bars",
]
