from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from data.providers.bundled import BundledProvider
from data.service import MarketData
from quant.risk import (
    InsufficientDataError,
    RiskInputError,
    component_var,
    covariance_factor,
    historical_var,
    normal_var,
    portfolio_historical_var,
    portfolio_monte_carlo_var,
    portfolio_normal_var,
    portfolio_returns,
)

WEIGHTS = {"AAPL": 0.3, "IBM": 0.5, "MSFT": -0.2}


@pytest.fixture(scope="module")
def returns() -> pd.DataFrame:
    md = MarketData([BundledProvider()])
    closes = {
        t: md.bars(t, start=date(2005, 1, 1), end=date(2011, 12, 30)).frame["close"]
        for t in ("AAPL", "IBM", "MSFT")
    }
    return pd.DataFrame(closes).pct_change().iloc[1:]


def normal_band(mean: float, std: float, level: float, n: int) -> tuple[float, float]:
    """VaR range holding the empirical quantile of n normal draws (4 binomial std errors)."""
    p = 1 - level
    se = math.sqrt(p * (1 - p) / n)
    return -(mean + std * norm.ppf(p + 4 * se)), -(mean + std * norm.ppf(p - 4 * se))


def test_single_asset_portfolio_equals_single_asset_var(returns: pd.DataFrame) -> None:
    ibm = returns["IBM"]
    for horizon in (1, 10):
        assert portfolio_historical_var(
            returns, weights={"IBM": 1.0}, level=0.99, horizon_days=horizon
        ) == historical_var(ibm, level=0.99, horizon_days=horizon)
        port = portfolio_normal_var(returns, weights={"IBM": 1.0}, level=0.99, horizon_days=horizon)
        single = normal_var(ibm, level=0.99, horizon_days=horizon)
        assert port.var == pytest.approx(single.var, rel=1e-12)
        assert port.cvar == pytest.approx(single.cvar, rel=1e-12)
        assert (port.window_start, port.window_end) == (single.window_start, single.window_end)


def test_portfolio_returns_are_weighted_sums_on_complete_days(returns: pd.DataFrame) -> None:
    holed = returns.copy()
    holed.iloc[3, 0] = np.nan  # AAPL missing on one day: that day is dropped for the portfolio
    series = portfolio_returns(holed, weights=pd.Series(WEIGHTS))
    assert len(series) == len(returns) - 1
    day = returns.index[10]
    expected = sum(w * returns.loc[day, t] for t, w in WEIGHTS.items())
    assert series.loc[day] == pytest.approx(expected, rel=1e-14)


def test_component_var_sums_to_the_parametric_total(returns: pd.DataFrame) -> None:
    for level, horizon in [(0.95, 1), (0.99, 10)]:
        parts = component_var(returns, weights=WEIGHTS, level=level, horizon_days=horizon)
        total = portfolio_normal_var(returns, weights=WEIGHTS, level=level, horizon_days=horizon)
        assert parts.var == pytest.approx(total.var, rel=1e-13)
        assert parts.component_var.sum() == pytest.approx(total.var, rel=1e-12)
        assert parts.component_cvar.sum() == pytest.approx(total.cvar, rel=1e-12)
        frame = parts.to_frame()
        assert list(frame.index) == list(WEIGHTS)
        assert frame["share_of_var"].sum() == pytest.approx(1.0, rel=1e-12)


def test_marginal_var_is_the_derivative(returns: pd.DataFrame) -> None:
    parts = component_var(returns, weights=WEIGHTS, level=0.99)
    h = 1e-6
    bumped = dict(WEIGHTS, IBM=WEIGHTS["IBM"] + h)
    slope = (portfolio_normal_var(returns, weights=bumped, level=0.99).var - parts.var) / h
    assert parts.marginal_var[1] == pytest.approx(slope, rel=1e-4)


def test_monte_carlo_matches_the_parametric_normal(returns: pd.DataFrame) -> None:
    n = 20_000
    mc = portfolio_monte_carlo_var(
        returns, weights=WEIGHTS, rng=np.random.default_rng(31), level=0.99, n_paths=n
    )
    series = portfolio_returns(returns, weights=WEIGHTS)
    low, high = normal_band(series.mean(), series.std(), 0.99, n)
    assert low <= mc.var <= high
    assert mc.method == "monte_carlo_normal" and mc.note is None and mc.n_paths == n
    again = portfolio_monte_carlo_var(
        returns, weights=WEIGHTS, rng=np.random.default_rng(31), level=0.99, n_paths=n
    )
    assert again == mc


def test_singular_covariance_falls_back_to_eigen_and_says_so(returns: pd.DataFrame) -> None:
    twins = returns[["IBM"]].assign(IBM2=returns["IBM"])  # perfectly collinear
    mc = portfolio_monte_carlo_var(
        twins, weights={"IBM": 0.5, "IBM2": 0.5}, rng=np.random.default_rng(32), level=0.95
    )
    assert mc.note is not None and "not positive definite" in mc.note
    ibm = returns["IBM"]
    low, high = normal_band(ibm.mean(), ibm.std(), 0.95, 10_000)
    assert low <= mc.var <= high  # half in each twin is all in IBM


def test_covariance_factor_of_an_indefinite_matrix_is_its_psd_projection() -> None:
    bad = np.array([[1.0, 0.9, 0.9], [0.9, 1.0, -0.9], [0.9, -0.9, 1.0]])
    values, vectors = np.linalg.eigh(bad)
    assert values.min() < 0
    factor, note = covariance_factor(bad)
    projected = vectors @ np.diag(np.clip(values, 0, None)) @ vectors.T
    np.testing.assert_allclose(factor @ factor.T, projected, atol=1e-12)
    assert note is not None
    good = np.array([[2.0, 0.5], [0.5, 1.0]])
    factor, note = covariance_factor(good)
    np.testing.assert_allclose(factor, np.linalg.cholesky(good))
    assert note is None
    with pytest.raises(RiskInputError):
        covariance_factor(np.array([[np.nan]]))


def test_bad_portfolio_inputs_raise(returns: pd.DataFrame) -> None:
    with pytest.raises(RiskInputError):
        portfolio_normal_var(returns, weights={"TSLA": 1.0})
    with pytest.raises(RiskInputError):
        portfolio_normal_var(returns, weights={})
    with pytest.raises(RiskInputError):
        portfolio_normal_var(returns, weights={"IBM": math.nan})
    with pytest.raises(InsufficientDataError):
        portfolio_normal_var(returns.iloc[:1], weights=WEIGHTS)
