"""The indicators TA-Lib computes, called on contiguous float64 arrays.

Parameters are the conventional ones: RSI 14, MACD 12/26/9, ROC 12, SMA 20/50/200, EMA 12/26,
ADX/+DI/-DI 14, Bollinger 20/2 (simple moving average), ATR 14, MFI 14, slow stochastic 14/3/3
(simple averages), Williams %R 14, CCI 20. OBV and accumulation/distribution are reported as
20-bar changes in units of 20-bar average volume (see ``derived.flow_change``).

Each group writes its columns into ``out`` (column name -> a row of the output block), so the
layer builds one block and one DataFrame with no intermediate frames.
"""

from __future__ import annotations

import numpy as np
import talib

from quant.indicators.derived import flow_change
from quant.indicators.inputs import OHLCV, Rows

FLOW_PERIOD = 20


def momentum_indicators(bars: OHLCV, out: Rows) -> None:
    """RSI, MACD (line, signal, histogram), ROC, MFI, stochastic, Williams %R and CCI."""
    h, lo, c, v = bars.high, bars.low, bars.close, bars.volume
    out["rsi_14"][:] = talib.RSI(c, timeperiod=14)
    macd = talib.MACD(c, fastperiod=12, slowperiod=26, signalperiod=9)
    out["macd"][:], out["macd_signal"][:], out["macd_hist"][:] = macd
    out["roc_12"][:] = talib.ROC(c, timeperiod=12)
    out["mfi_14"][:] = talib.MFI(h, lo, c, v, timeperiod=14)
    out["stoch_slowk"][:], out["stoch_slowd"][:] = talib.STOCH(
        h, lo, c, fastk_period=14, slowk_period=3, slowk_matype=0, slowd_period=3, slowd_matype=0
    )
    out["willr_14"][:] = talib.WILLR(h, lo, c, timeperiod=14)
    out["cci_20"][:] = talib.CCI(h, lo, c, timeperiod=20)


def trend_indicators(bars: OHLCV, out: Rows) -> None:
    """Simple and exponential moving averages, ADX and the directional indicators."""
    h, lo, c = bars.high, bars.low, bars.close
    out["sma_20"][:] = talib.SMA(c, timeperiod=20)
    out["sma_50"][:] = talib.SMA(c, timeperiod=50)
    out["sma_200"][:] = talib.SMA(c, timeperiod=200)
    out["ema_12"][:] = talib.EMA(c, timeperiod=12)
    out["ema_26"][:] = talib.EMA(c, timeperiod=26)
    out["adx_14"][:] = talib.ADX(h, lo, c, timeperiod=14)
    out["plus_di_14"][:] = talib.PLUS_DI(h, lo, c, timeperiod=14)
    out["minus_di_14"][:] = talib.MINUS_DI(h, lo, c, timeperiod=14)


def band_indicators(bars: OHLCV, out: Rows) -> None:
    """Bollinger bands 20/2 with %b and bandwidth, and ATR 14.

    %b = (close - lower) / (upper - lower); bandwidth = (upper - lower) / middle. %b is NaN
    where the bands are flat (no dispersion in the window).
    """
    upper, middle, lower = talib.BBANDS(bars.close, timeperiod=20, nbdevup=2.0, nbdevdn=2.0)
    out["bb_upper"][:], out["bb_middle"][:], out["bb_lower"][:] = upper, middle, lower
    width, pct_b = np.subtract(upper, lower, out=upper), out["bb_pct_b"]
    np.subtract(bars.close, lower, out=pct_b)
    with np.errstate(divide="ignore", invalid="ignore"):
        pct_b /= width
    flat = width == 0.0
    if flat.any():
        pct_b[flat] = np.nan
    np.divide(width, middle, out=out["bb_bandwidth"])
    out["atr_14"][:] = talib.ATR(bars.high, bars.low, bars.close, timeperiod=14)


def flow_indicators(bars: OHLCV, out: Rows) -> None:
    """20-bar changes of on-balance volume and accumulation/distribution, per average volume."""
    h, lo, c, v = bars.high, bars.low, bars.close, bars.volume
    avg_volume = talib.SMA(v, timeperiod=FLOW_PERIOD)
    obv, ad = talib.OBV(c, v), talib.AD(h, lo, c, v)
    flow_change(obv, avg_volume, period=FLOW_PERIOD, out=out["obv_change_20"])
    flow_change(ad, avg_volume, period=FLOW_PERIOD, out=out["ad_change_20"])
