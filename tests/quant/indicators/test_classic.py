"""Golden tests: every TA-Lib-backed column equals TA-Lib called directly on the bundled data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import talib

from quant.indicators import WARMUP, compute_indicators
from tests.quant.indicators._bars import arrays, real_bars

TOL = 1e-9


def talib_reference(bars: pd.DataFrame) -> dict[str, np.ndarray]:
    """The TA-Lib outputs, computed here independently of the layer's code."""
    _, h, lo, c, v = arrays(bars)
    macd = talib.MACD(c, 12, 26, 9)
    stoch = talib.STOCH(h, lo, c, 14, 3, 0, 3, 0)
    bb = talib.BBANDS(c, 20, 2.0, 2.0, 0)
    return {
        "rsi_14": talib.RSI(c, 14),
        "macd": macd[0],
        "macd_signal": macd[1],
        "macd_hist": macd[2],
        "roc_12": talib.ROC(c, 12),
        "mfi_14": talib.MFI(h, lo, c, v, 14),
        "stoch_slowk": stoch[0],
        "stoch_slowd": stoch[1],
        "willr_14": talib.WILLR(h, lo, c, 14),
        "cci_20": talib.CCI(h, lo, c, 20),
        "sma_20": talib.SMA(c, 20),
        "sma_50": talib.SMA(c, 50),
        "sma_200": talib.SMA(c, 200),
        "ema_12": talib.EMA(c, 12),
        "ema_26": talib.EMA(c, 26),
        "adx_14": talib.ADX(h, lo, c, 14),
        "plus_di_14": talib.PLUS_DI(h, lo, c, 14),
        "minus_di_14": talib.MINUS_DI(h, lo, c, 14),
        "bb_upper": bb[0],
        "bb_middle": bb[1],
        "bb_lower": bb[2],
        "atr_14": talib.ATR(h, lo, c, 14),
    }


@pytest.mark.parametrize("ticker", ["AAPL", "IBM"])
def test_talib_columns_equal_talib_after_the_warmup(ticker: str) -> None:
    bars = real_bars(ticker)
    frame = compute_indicators(bars)
    reference = talib_reference(bars)
    for name, expected in reference.items():
        actual = frame[name].to_numpy()
        assert np.isnan(actual[:WARMUP]).all(), name
        assert np.isfinite(actual[WARMUP:]).all(), name
        np.testing.assert_allclose(
            actual[WARMUP:], expected[WARMUP:], rtol=0, atol=TOL, err_msg=name
        )


@pytest.mark.parametrize("ticker", ["AAPL", "IBM"])
def test_bollinger_pct_b_and_bandwidth_follow_from_talib_bands(ticker: str) -> None:
    bars = real_bars(ticker)
    frame = compute_indicators(bars).iloc[WARMUP:]
    upper, middle, lower = (x[WARMUP:] for x in talib.BBANDS(arrays(bars)[3], 20, 2.0, 2.0, 0))
    close = bars["close"].to_numpy()[WARMUP:]
    np.testing.assert_allclose(frame["bb_pct_b"], (close - lower) / (upper - lower), atol=TOL)
    np.testing.assert_allclose(frame["bb_bandwidth"], (upper - lower) / middle, atol=TOL)


@pytest.mark.parametrize("ticker", ["AAPL", "IBM"])
def test_obv_and_ad_changes_match_a_pandas_implementation(ticker: str) -> None:
    bars = real_bars(ticker)
    frame = compute_indicators(bars).iloc[WARMUP:]
    close, high, low, volume = bars["close"], bars["high"], bars["low"], bars["volume"]
    avg_volume = volume.rolling(20).mean()
    # OBV: +volume on an up close, -volume on a down close; its 20-bar change is the sum of the
    # last 20 signed volumes.
    signed = np.sign(close.diff()) * volume
    obv_change = signed.rolling(20).sum() / avg_volume
    # A/D: money-flow multiplier ((c - l) - (h - c)) / (h - l), times volume, summed likewise.
    multiplier = ((close - low) - (high - close)) / (high - low)
    ad_change = (multiplier.where(high > low, 0.0) * volume).rolling(20).sum() / avg_volume
    np.testing.assert_allclose(frame["obv_change_20"], obv_change.iloc[WARMUP:], atol=TOL)
    np.testing.assert_allclose(frame["ad_change_20"], ad_change.iloc[WARMUP:], atol=TOL)
    # and directly from TA-Lib's levels
    _, h, lo, c, v = arrays(bars)
    obv = talib.OBV(c, v)
    expected = (obv[20:] - obv[:-20]) / talib.SMA(v, 20)[20:]
    np.testing.assert_allclose(frame["obv_change_20"], expected[WARMUP - 20 :], atol=TOL)


def test_obv_change_hand_computed() -> None:
    # closes up, up, down, flat, up with volumes 10, 20, 30, 40, 50 -> signed +20 -30 +0 +50
    idx = pd.bdate_range("2020-01-01", periods=5, name="date")
    close = np.array([10.0, 11.0, 12.0, 11.5, 11.5, 12.0][1:])
    bars = pd.DataFrame(
        {"open": close, "high": close + 1, "low": close - 1, "close": close},
        index=idx,
    )
    bars["volume"] = [10.0, 20.0, 30.0, 40.0, 50.0]
    from quant.indicators import flow_change

    obv = talib.OBV(arrays(bars)[3], arrays(bars)[4])
    np.testing.assert_array_equal(obv, [10.0, 30.0, 0.0, 0.0, 50.0])
    change = flow_change(obv, np.full(5, 10.0), period=2)
    np.testing.assert_array_equal(change[2:], [-1.0, -3.0, 5.0])
    assert np.isnan(change[:2]).all()
