"""Historical volatility, volume rate of change and flow changes against pandas and by hand."""

from __future__ import annotations

import numpy as np
import pytest

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


def test_historical_volatility_of_a_constant_series_is_zero() -> None:
    hv = historical_volatility(np.full(30, 50.0), period=20)
    np.testing.assert_array_equal(hv[20:], 0.0)


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
