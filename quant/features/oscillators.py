"""Oscillators computed with TA-Lib on each ticker's bars: RSI, MACD, Bollinger, stochastics.

TA-Lib's exponential indicators (RSI, MACD, stochastics) start from the ticker's first bar, so
their early values depend on where the history given to ``build_features`` begins (never on
later bars). MACD lines are divided by the close so that they compare across prices.
"""

from __future__ import annotations

import talib

from quant.arrays import FloatArray
from quant.features import _rolling as roll
from quant.features._stack import BarStack

RSI_WINDOWS: tuple[int, ...] = (2, 14, 28)

DESCRIPTIONS: dict[str, str] = {
    **{f"rsi_{n}": f"relative strength index, {n} bars (Wilder), 0-100" for n in RSI_WINDOWS},
    "macd_pct": "MACD(12, 26) line / close",
    "macd_signal_pct": "MACD signal line (9-bar EMA of MACD) / close",
    "macd_hist_pct": "(MACD - signal) / close",
    "bb_pctb_20": "Bollinger %b: (close - lower) / (upper - lower), 20 bars, 2 sd",
    "bb_width_20": "Bollinger bandwidth: (upper - lower) / middle, 20 bars, 2 sd",
    "stoch_k_14": "slow stochastic %K (14, 3), 0-100",
    "stoch_d_14": "slow stochastic %D (3-bar SMA of %K), 0-100",
    "willr_14": "Williams %R, 14 bars, -100..0",
    "cci_20": "commodity channel index, 20 bars",
    "ultosc_7_14_28": "ultimate oscillator (7, 14, 28), 0-100",
}
NAMES: tuple[str, ...] = tuple(DESCRIPTIONS)


def oscillator_features(stack: BarStack) -> dict[str, FloatArray]:
    """The features of ``NAMES`` as stack matrices."""
    high, low, close, lengths = stack.high, stack.low, stack.close, stack.lengths
    out: dict[str, FloatArray] = {}
    for n in RSI_WINDOWS:
        (out[f"rsi_{n}"],) = roll.per_column(talib.RSI, lengths, close, timeperiod=n)
    macd, signal, hist = roll.per_column(
        talib.MACD, lengths, close, n_out=3, fastperiod=12, slowperiod=26, signalperiod=9
    )
    out["macd_pct"], out["macd_signal_pct"] = macd / close, signal / close
    out["macd_hist_pct"] = hist / close
    upper, middle, lower = roll.per_column(
        talib.BBANDS, lengths, close, n_out=3, timeperiod=20, nbdevup=2.0, nbdevdn=2.0, matype=0
    )
    out["bb_pctb_20"] = (close - lower) / (upper - lower)
    out["bb_width_20"] = (upper - lower) / middle
    out["stoch_k_14"], out["stoch_d_14"] = roll.per_column(
        talib.STOCH,
        lengths,
        high,
        low,
        close,
        n_out=2,
        fastk_period=14,
        slowk_period=3,
        slowk_matype=0,
        slowd_period=3,
        slowd_matype=0,
    )
    (out["willr_14"],) = roll.per_column(talib.WILLR, lengths, high, low, close, timeperiod=14)
    (out["cci_20"],) = roll.per_column(talib.CCI, lengths, high, low, close, timeperiod=20)
    (out["ultosc_7_14_28"],) = roll.per_column(
        talib.ULTOSC, lengths, high, low, close, timeperiod1=7, timeperiod2=14, timeperiod3=28
    )
    return out
