"""Ichimoku and Donchian against straightforward pandas implementations, TA-Lib and hand cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import talib

from quant.indicators import WARMUP, compute_indicators, donchian, ichimoku
from tests.quant.indicators._bars import real_bars


def mid(high: pd.Series, low: pd.Series, window: int) -> pd.Series:
    return (high.rolling(window).max() + low.rolling(window).min()) / 2


@pytest.mark.parametrize("ticker", ["AAPL", "IBM", "GOOG"])
def test_ichimoku_and_donchian_match_pandas_rolling_windows(ticker: str) -> None:
    bars = real_bars(ticker)
    frame = compute_indicators(bars).iloc[WARMUP:]
    high, low = bars["high"], bars["low"]
    tenkan, kijun, span_b = mid(high, low, 9), mid(high, low, 26), mid(high, low, 52)
    span_a = (tenkan + kijun) / 2
    expected = {
        "ichimoku_tenkan_9": tenkan,
        "ichimoku_kijun_26": kijun,
        "ichimoku_senkou_a": span_a,
        "ichimoku_senkou_b": span_b,
        # the cloud drawn at t was computed 26 bars earlier: shift forward, never backward
        "ichimoku_cloud_a": span_a.shift(26),
        "ichimoku_cloud_b": span_b.shift(26),
        "donchian_upper_20": high.rolling(20).max(),
        "donchian_lower_20": low.rolling(20).min(),
        "donchian_mid_20": mid(high, low, 20),
    }
    for name, series in expected.items():
        np.testing.assert_allclose(frame[name], series.iloc[WARMUP:], rtol=0, atol=1e-9)


def test_channels_are_talib_midprice_max_and_min() -> None:
    bars = real_bars("MSFT")
    high, low = bars["high"].to_numpy(), bars["low"].to_numpy()
    lines, channel = ichimoku(high, low), donchian(high, low)
    expected = {
        "ichimoku_tenkan_9": talib.MIDPRICE(high, low, timeperiod=9),
        "ichimoku_kijun_26": talib.MIDPRICE(high, low, timeperiod=26),
        "ichimoku_senkou_b": talib.MIDPRICE(high, low, timeperiod=52),
        "donchian_upper_20": talib.MAX(high, timeperiod=20),
        "donchian_lower_20": talib.MIN(low, timeperiod=20),
        "donchian_mid_20": talib.MIDPRICE(high, low, timeperiod=20),  # (upper + lower) / 2
    }
    for name, values in expected.items():
        np.testing.assert_array_equal({**lines, **channel}[name], values, err_msg=name)


def test_ichimoku_hand_computed() -> None:
    # high = i + 1, low = i: the max high of a window ending at t is t + 1, the min low t - w + 1
    t = np.arange(80, dtype=np.float64)
    lines = ichimoku(t + 1.0, t.copy())
    i = 79
    assert lines["ichimoku_tenkan_9"][i] == (80 + 71) / 2
    assert lines["ichimoku_kijun_26"][i] == (80 + 54) / 2
    assert lines["ichimoku_senkou_a"][i] == ((80 + 71) / 2 + (80 + 54) / 2) / 2
    assert lines["ichimoku_senkou_b"][i] == (80 + 28) / 2
    # the cloud at 79 is the spans computed at 53, plotted 26 bars ahead
    assert lines["ichimoku_cloud_b"][i] == lines["ichimoku_senkou_b"][53] == (54 + 2) / 2
    assert lines["ichimoku_cloud_a"][i] == lines["ichimoku_senkou_a"][53]
    assert np.isnan(lines["ichimoku_tenkan_9"][:8]).all() and lines["ichimoku_tenkan_9"][8] == 4.5
    assert np.isnan(lines["ichimoku_senkou_b"][:51]).all()
    assert np.isnan(lines["ichimoku_cloud_b"][: 51 + 26]).all()


def test_ichimoku_spans_never_use_future_bars() -> None:
    rng = np.random.default_rng(3)
    high = 100 + rng.random(200).cumsum()
    low = high - 1
    full = ichimoku(high, low)
    spiked = high.copy()
    spiked[150:] += 1000  # only the future changes
    cut = ichimoku(spiked, low)
    for name in full:
        np.testing.assert_array_equal(full[name][:150], cut[name][:150])


def test_donchian_hand_computed() -> None:
    high = np.array([5.0, 7.0, 6.0, 9.0, 4.0, 3.0])
    low = np.array([1.0, 2.0, 0.5, 3.0, 2.0, 2.5])
    ch = donchian(high, low, period=3)
    np.testing.assert_array_equal(ch["donchian_upper_3"][2:], [7.0, 9.0, 9.0, 9.0])
    np.testing.assert_array_equal(ch["donchian_lower_3"][2:], [0.5, 0.5, 0.5, 2.0])
    np.testing.assert_array_equal(ch["donchian_mid_3"][2:], [3.75, 4.75, 4.75, 5.5])
    assert np.isnan(ch["donchian_upper_3"][:2]).all()
