"""Historical volatility, volume rate of change and flow changes against pandas, TA-Lib and by
hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import talib

from quant.indicators import (
    WARMUP,
    compute_indicators,
    flow_change,
    historical_volatility,
    volume_roc,
)
from tests.quant.indicators._bars import real_bars


@pytest.mark.parametrize("ticker", ["AAPL", "IBM", "MSFT"])
def test_hv_and_vroc_match_pandas(ticker: str) -> None:
    bars = real_bars(ticker)
    frame = compute_indicators(bars).iloc[WARMUP:]
    log_returns = np.log(bars["close"]).diff()
    hv = log_returns.rolling(20).std(ddof=1) * np.sqrt(252)
    vroc = bars["volume"].pct_change(12) * 100
    np.testing.assert_allclose(frame["hv_20"], hv.iloc[WARMUP:], rtol=0, atol=1e-9)
    np.testing.assert_allclose(frame["vroc_12"], vroc.iloc[WARMUP:], rtol=0, atol=1e-9)


def test_historical_volatility_hand_computed() -> None:
    # log returns alternate +r, -r: sample stdev of 4 of them is r * sqrt(4 / 3)
    r = 0.01
    close = 100 * np.exp(np.cumsum([0.0, r, -r, r, -r, r]))
    hv = historical_volatility(close, period=4, periods_per_year=252)
    assert np.isnan(hv[:4]).all()
    np.testing.assert_allclose(hv[4:], r * np.sqrt(4 / 3) * np.sqrt(252), rtol=1e-10)


@pytest.mark.parametrize(
    ("drift", "sigma"),
    [(0.0, 1e-5), (0.01, 1e-6)],  # daily variances of 1e-10 and 1e-12, far below 1e-8
)
def test_historical_volatility_of_calm_series_matches_pandas(drift: float, sigma: float) -> None:
    # Older TA-Lib builds return 0 for a variance below 1e-8; with drift, the running sums
    # TA-Lib keeps cancel. Either would show here as an absolute error far above 1e-13.
    rng = np.random.default_rng(7)
    close = 100 * np.exp(np.cumsum(drift + rng.normal(0.0, sigma, 400)))
    hv = historical_volatility(close, period=20)
    expected = pd.Series(np.log(close)).diff().rolling(20).std(ddof=1) * np.sqrt(252)
    assert np.isnan(hv[:20]).all()
    np.testing.assert_allclose(hv[20:], expected.to_numpy()[20:], rtol=1e-6, atol=1e-13)


def test_historical_volatility_is_talib_stddev_of_log_returns() -> None:
    close = real_bars("IBM")["close"].to_numpy()
    returns = np.log(close[1:] / close[:-1])
    expected = talib.STDDEV(returns, timeperiod=20) * np.sqrt(20 / 19) * np.sqrt(252)
    np.testing.assert_allclose(historical_volatility(close)[1:], expected, rtol=1e-14)


def test_historical_volatility_of_a_constant_series_is_zero() -> None:
    hv = historical_volatility(np.full(30, 50.0), period=20)
    np.testing.assert_array_equal(hv[20:], 0.0)


def test_volume_roc_is_talib_roc_except_after_zero_volume() -> None:
    volume = real_bars("MSFT")["volume"].to_numpy().copy()
    volume[100] = 0.0
    roc, expected = volume_roc(volume), talib.ROC(volume, timeperiod=12)
    np.testing.assert_array_equal(np.delete(roc, 112), np.delete(expected, 112))
    assert expected[112] == 0.0 and np.isnan(roc[112])  # TA-Lib's 0 has no meaning there


def test_volume_roc_hand_computed_and_zero_volume_is_nan() -> None:
    volume = np.array([100.0, 0.0, 150.0, 50.0, 30.0])
    roc = volume_roc(volume, period=2)
    assert np.isnan(roc[:2]).all()
    assert roc[2] == 50.0  # 150 vs 100
    assert np.isnan(roc[3])  # the earlier volume was 0
    assert roc[4] == -80.0  # 30 vs 150


def test_flow_change_is_independent_of_where_the_flow_starts() -> None:
    flow = np.array([3.0, 5.0, 4.0, 8.0, 8.0])  # no volume on the last bar: no flow
    avg = np.array([np.nan, 2.0, 2.0, 2.0, 0.0])
    change = flow_change(flow, avg, period=1)
    np.testing.assert_array_equal(flow_change(flow + 1e6, avg, period=1), change)
    np.testing.assert_array_equal(change[1:4], [1.0, -0.5, 2.0])
    assert np.isnan(change[0]) and np.isnan(change[4])  # no window / zero average volume
