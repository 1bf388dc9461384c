"""The private rolling-window helpers against pandas, on random inputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from quant.indicators._rolling import lag, rolling_max, rolling_min, rolling_std, rolling_sum

values = arrays(
    np.float64,
    st.integers(1, 150),
    elements=st.floats(-1e3, 1e3, allow_nan=False, allow_subnormal=False),
)
windows = st.lists(st.integers(1, 70), min_size=1, max_size=4)


@settings(max_examples=200, deadline=None)
@given(x=values, ws=windows)
def test_rolling_extrema_match_pandas(x: np.ndarray, ws: list[int]) -> None:
    s = pd.Series(x)
    for w, hi, lo in zip(ws, rolling_max(x, ws), rolling_min(x, ws), strict=True):
        np.testing.assert_array_equal(hi, s.rolling(w).max().to_numpy())
        np.testing.assert_array_equal(lo, s.rolling(w).min().to_numpy())


@settings(max_examples=100, deadline=None)
@given(x=values, w=st.integers(2, 40))
def test_rolling_sum_and_std_match_pandas(x: np.ndarray, w: int) -> None:
    s = pd.Series(x)
    np.testing.assert_allclose(rolling_sum(x, w), s.rolling(w).sum(), rtol=1e-9, atol=1e-9)
    scaled = x * 1e-5  # returns-sized values, as used for historical volatility
    expected = pd.Series(scaled).rolling(w).std(ddof=1)
    # running sums of squares: absolute error about sqrt(n * eps) * max|x| where the true
    # deviation is ~0, relative error ~eps elsewhere
    bound = 1e-6 * float(np.abs(scaled).max())
    np.testing.assert_allclose(rolling_std(scaled, w), expected, rtol=1e-6, atol=bound)


def test_rolling_max_runs_on_rows_of_a_2d_array() -> None:
    x = np.random.default_rng(5).normal(size=(2, 90))
    (out,) = rolling_max(x, [21])
    for row in range(2):
        expected = pd.Series(x[row]).rolling(21).max().to_numpy()
        np.testing.assert_array_equal(out[row], expected)


def test_lag_shifts_later_with_nan_in_front() -> None:
    np.testing.assert_array_equal(lag(np.array([1.0, 2.0, 3.0]), 2), [np.nan, np.nan, 1.0])
    assert np.isnan(lag(np.array([1.0, 2.0]), 5)).all()
