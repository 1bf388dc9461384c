from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from data.providers.bundled import BundledProvider
from data.service import MarketData
from quant.risk import (
    InsufficientDataError,
    InvalidLevelError,
    RiskInputError,
    empirical_var_cvar,
    historical_var,
    overlapping_returns,
)


@pytest.fixture(scope="module")
def ibm() -> pd.Series:
    bars = MarketData([BundledProvider()]).bars("IBM", start=None, end=date(2011, 12, 30))
    return bars.frame["close"].pct_change().iloc[1:]


def test_hand_computed_quantile_and_tail() -> None:
    x = np.array([0.03, -0.05, 0.01, -0.01, 0.0, 0.02, -0.03, 0.04, 0.05, 0.06])
    result = historical_var(x, level=0.9)
    # sorted: -0.05, -0.03, ...; (n - 1) * 0.1 = 0.9 -> -0.05 + 0.9 * 0.02 = -0.032
    assert result.var == pytest.approx(0.032, abs=1e-15)
    assert result.cvar == pytest.approx(0.05, abs=1e-15)  # only -0.05 is at or below -0.032
    assert result.n_obs == 10 and result.window_start is None


@pytest.mark.parametrize("level", [0.95, 0.99, 0.975])
def test_var_is_the_numpy_linear_quantile_and_cvar_the_tail_mean(
    ibm: pd.Series, level: float
) -> None:
    x = ibm.to_numpy()
    result = historical_var(ibm, level=level)
    q = np.quantile(x, 1 - level, method="linear")
    assert result.var == -q
    assert result.cvar == -x[x <= q].mean()
    assert result.method == "historical" and result.horizon_days == 1
    assert result.n_obs == len(ibm)
    assert result.window_start == date(2000, 3, 2) and result.window_end == date(2011, 12, 30)
    assert 0.02 < result.var < result.cvar < 0.1  # IBM 2000-2011: ~2.8% at 95%


def test_n_day_uses_overlapping_compounded_returns(ibm: pd.Series) -> None:
    x = ibm.to_numpy()
    windows = np.lib.stride_tricks.sliding_window_view(1 + x, 10).prod(axis=1) - 1
    np.testing.assert_allclose(overlapping_returns(x, horizon_days=10), windows, atol=1e-13)
    result = historical_var(ibm, level=0.99, horizon_days=10)
    q = np.quantile(windows, 0.01)
    assert result.var == pytest.approx(-q, abs=1e-12)
    assert result.cvar == pytest.approx(-windows[windows <= q].mean(), abs=1e-12)
    assert result.n_obs == len(ibm)


def test_sqrt_time_scales_the_one_day_numbers(ibm: pd.Series) -> None:
    one = historical_var(ibm, level=0.95)
    ten = historical_var(ibm, level=0.95, horizon_days=10, scaling="sqrt_time")
    assert ten.method == "historical_sqrt_time"
    assert ten.var == pytest.approx(one.var * math.sqrt(10), rel=1e-15)
    assert ten.cvar == pytest.approx(one.cvar * math.sqrt(10), rel=1e-15)


def test_nans_are_dropped_and_dates_come_from_the_kept_values(ibm: pd.Series) -> None:
    holed = ibm.copy()
    holed.iloc[[0, 5, 100, -1]] = np.nan
    result = historical_var(holed, level=0.95)
    assert result == historical_var(holed.dropna(), level=0.95)
    assert result.n_obs == len(ibm) - 4
    assert result.window_start == ibm.index[1].date()
    assert result.window_end == ibm.index[-2].date()


@pytest.mark.parametrize("bad", [[np.nan, np.nan], [], np.full(5, np.nan)])
def test_no_finite_returns_raises(bad: list[float]) -> None:
    with pytest.raises(InsufficientDataError):
        historical_var(np.asarray(bad, dtype=float), level=0.95)


@pytest.mark.parametrize("level", [1.5, 0.0, 1.0, 95, -0.1, math.nan, True])
def test_bad_levels_raise(level: float) -> None:
    with pytest.raises(InvalidLevelError):
        historical_var(np.array([0.01, -0.02, 0.0]), level=level)


def test_other_bad_inputs_raise() -> None:
    x = np.array([0.01, -0.02, 0.0])
    with pytest.raises(RiskInputError):
        historical_var(np.array([0.01, np.inf]), level=0.95)
    with pytest.raises(RiskInputError):
        historical_var(x, horizon_days=0)
    with pytest.raises(RiskInputError):
        historical_var(x, scaling="linear")  # type: ignore[arg-type]
    with pytest.raises(InsufficientDataError):
        historical_var(x, horizon_days=4)
    with pytest.raises(RiskInputError):
        historical_var(np.array([[0.01, 0.02]]))
    with pytest.raises(RiskInputError):
        historical_var(pd.Series([0.01, 0.02], index=pd.to_datetime(["2020-01-02", "2020-01-01"])))


# Property tests -----------------------------------------------------------------------------

returns_arrays = arrays(
    np.float64,
    st.integers(2, 300),
    elements=st.floats(-0.5, 0.5, allow_nan=False, allow_subnormal=False),
)
level_pairs = st.tuples(st.floats(0.5, 0.999), st.floats(0.5, 0.999)).map(sorted)


@settings(max_examples=200, deadline=None)
@given(x=returns_arrays, levels=level_pairs)
def test_var_is_monotone_in_level_and_cvar_at_least_var(x: np.ndarray, levels: list[float]) -> None:
    low, high = (historical_var(x, level=lv) for lv in levels)
    assert high.var >= low.var
    assert high.cvar >= low.cvar
    for r in (low, high):
        assert r.cvar >= r.var


@settings(max_examples=200, deadline=None)
@given(x=returns_arrays, level=st.floats(0.5, 0.999), k=st.floats(0.01, 100))
def test_scaling_returns_scales_var(x: np.ndarray, level: float, k: float) -> None:
    base, scaled = historical_var(x, level=level), historical_var(k * x, level=level)
    tol = 1e-12 * k * float(np.abs(x).max(initial=0.0))
    assert scaled.var == pytest.approx(k * base.var, rel=1e-9, abs=tol)
    assert scaled.cvar == pytest.approx(k * base.cvar, rel=1e-9, abs=tol)


@settings(max_examples=100, deadline=None)
@given(x=returns_arrays, level=st.floats(0.5, 0.999))
def test_tail_is_never_empty_and_matches_the_result(x: np.ndarray, level: float) -> None:
    var, cvar = empirical_var_cvar(x, level=level)
    assert x.min() <= -var  # the quantile is at least the sample minimum
    assert (var, cvar) == (historical_var(x, level=level).var, historical_var(x, level=level).cvar)
