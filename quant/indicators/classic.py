"""The indicators TA-Lib computes, called on contiguous float64 arrays.

Parameters are the conventional ones: RSI 14, MACD 12/26/9, ROC 12, SMA 20/50/200, EMA 12/26,
ADX/+DI/-DI 14, Bollinger 20/2 (simple moving average), ATR 14, MFI 14, slow stochastic 14/3/3
(simple averages), Williams %R 14, CCI 20. OBV and accumulation/distribution are reported as
20-bar changes in units of 20-bar average volume (see ``derived.flow_change``).

Each group writes its ``*_COLUMNS``, in that order, into the rows of ``out`` (shape
(len(columns), n_bars), a slice of the layer's output block), each as soon as it is computed:
one temporary alive at a time keeps the working set small, which is most of the speed here.
"""

from __future__ import annotations

import numpy as np
import talib

from quant.arrays import FloatArray
from quant.indicators.derived import flow_change
from quant.indicators.inputs import OHLCV

FLOW_PERIOD = 20

MOMENTUM_COLUMNS: tuple[str, ...] = (
    "rsi_14", "macd", "macd_signal", "macd_hist", "roc_12", "mfi_14",
    "stoch_slowk", "stoch_slowd", "willr_14", "cci_20",
)  # fmt: skip
TREND_COLUMNS: tuple[str, ...] = (
    "sma_20", "sma_50", "sma_200", "ema_12", "ema_26", "adx_14", "plus_di_14", "minus_di_14",
)  # fmt: skip
BAND_COLUMNS: tuple[str, ...] = (
    "bb_upper", "bb_middle", "bb_lower", "bb_pct_b", "bb_bandwidth", "atr_14",
)  # fmt: skip
FLOW_COLUMNS: tuple[str, ...] = ("obv_change_20", "ad_change_20")


def momentum_indicators(bars: OHLCV, out: FloatArray) -> None:
    """RSI, MACD (line, signal, histogram), ROC, MFI, stochastic, Williams %R and CCI."""
    h, lo, c, v = bars.high, bars.low, bars.close, bars.volume
    out[0] = talib.RSI(c, timeperiod=14)
    out[1], out[2], out[3] = talib.MACD(c, fastperiod=12, slowperiod=26, signalperiod=9)
    out[4] = talib.ROC(c, timeperiod=12)
    out[5] = talib.MFI(h, lo, c, v, timeperiod=14)
    out[6], out[7] = talib.STOCH(
        h,
        lo,
        c,
        fastk_period=14,
        slowk_period=3,
        slowk_matype=talib.MA_Type.SMA,
        slowd_period=3,
        slowd_matype=talib.MA_Type.SMA,
    )
    out[8] = talib.WILLR(h, lo, c, timeperiod=14)
    out[9] = talib.CCI(h, lo, c, timeperiod=20)


def trend_indicators(bars: OHLCV, out: FloatArray) -> None:
    """Simple and exponential moving averages, ADX and the directional indicators."""
    h, lo, c = bars.high, bars.low, bars.close
    out[0] = talib.SMA(c, timeperiod=20)
    out[1] = talib.SMA(c, timeperiod=50)
    out[2] = talib.SMA(c, timeperiod=200)
    out[3] = talib.EMA(c, timeperiod=12)
    out[4] = talib.EMA(c, timeperiod=26)
    out[5] = talib.ADX(h, lo, c, timeperiod=14)
    out[6] = talib.PLUS_DI(h, lo, c, timeperiod=14)
    out[7] = talib.MINUS_DI(h, lo, c, timeperiod=14)


def band_indicators(bars: OHLCV, out: FloatArray) -> None:
    """Bollinger bands 20/2 with %b and bandwidth, and ATR 14.

    %b = (close - lower) / (upper - lower); bandwidth = (upper - lower) / middle. %b is NaN
    where the bands are flat (no dispersion in the window).
    """
    upper, middle, lower, pct_b, width = out[0], out[1], out[2], out[3], out[4]
    out[0], out[1], out[2] = talib.BBANDS(bars.close, timeperiod=20, nbdevup=2.0, nbdevdn=2.0)
    np.subtract(upper, lower, out=width)
    np.subtract(bars.close, lower, out=pct_b)
    with np.errstate(divide="ignore", invalid="ignore"):
        pct_b /= width
    if not width.all():  # flat bands somewhere (NaN counts as non-zero)
        pct_b[width == 0.0] = np.nan
    width /= middle
    out[5] = talib.ATR(bars.high, bars.low, bars.close, timeperiod=14)


def flow_indicators(bars: OHLCV, out: FloatArray) -> None:
    """20-bar changes of on-balance volume and accumulation/distribution, per average volume."""
    h, lo, c, v = bars.high, bars.low, bars.close, bars.volume
    avg_volume = talib.SMA(v, timeperiod=FLOW_PERIOD)
    flow_change(talib.OBV(c, v), avg_volume, period=FLOW_PERIOD, out=out[0])
    flow_change(talib.AD(h, lo, c, v), avg_volume, period=FLOW_PERIOD, out=out[1])
