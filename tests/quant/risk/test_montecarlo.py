"""Monte Carlo VaR against closed forms, with tolerances from the sampling error.

Quantile tolerance: the empirical p-quantile of n draws lies between the true quantiles at
p -/+ k * sqrt(p (1 - p) / n) except with probability ~2 Phi(-k) (binomial count of draws below
a point); k = 4. The generators are seeded, so each test is deterministic anyway.
"""

from __future__ import annotations

import math
import tracemalloc
from datetime import date

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from data.providers.bundled import BundledProvider
from data.service import MarketData
from quant.risk import (
    GBM,
    InsufficientDataError,
    InvalidLevelError,
    RiskInputError,
    historical_var,
    monte_carlo_var,
    monte_carlo_vars,
    simulate_horizon_returns,
)

K = 4.0


@pytest.fixture(scope="module")
def ibm() -> pd.Series:
    bars = MarketData([BundledProvider()]).bars("IBM", start=None, end=date(2011, 12, 30))
    return bars.frame["close"].pct_change().iloc[1:]


def probability_band(p: float, n: int) -> tuple[float, float]:
    se = math.sqrt(p * (1 - p) / n)
    return p - K * se, p + K * se


@pytest.mark.parametrize(("level", "horizon"), [(0.95, 1), (0.99, 10), (0.99, 252)])
def test_gbm_var_matches_the_lognormal_quantile(ibm: pd.Series, level: float, horizon: int) -> None:
    n = 10_000
    result = monte_carlo_var(
        ibm, rng=np.random.default_rng(11), level=level, horizon_days=horizon, model="gbm"
    )
    fit = GBM.fit(ibm)
    m, s = horizon * fit.mu, math.sqrt(horizon) * fit.sigma

    def var_at(p: float) -> float:  # VaR = -(exp(m + s z_p) - 1)
        return -math.expm1(m + s * norm.ppf(p))

    p_low, p_high = probability_band(1 - level, n)
    assert var_at(p_high) <= result.var <= var_at(p_low)
    # CVaR = 1 - exp(m + s^2/2) Phi(z_p - s) / p; its estimator's standard error is
    # sqrt((Var(L | L >= VaR) + level * (CVaR - VaR)^2) / (n (1 - level)))  (Chen 2008)
    p = 1 - level
    cvar = 1 - math.exp(m + s * s / 2) * norm.cdf(norm.ppf(p) - s) / p
    sample = simulate_horizon_returns(fit, horizon_days=horizon, rng=np.random.default_rng(11))
    tail = -sample[sample <= -result.var]
    se = math.sqrt((tail.var() + level * (cvar - var_at(p)) ** 2) / (n * p))
    assert result.cvar == pytest.approx(cvar, abs=K * se)
    assert result.n_paths == n and result.method == "monte_carlo_gbm"
    assert result.window_end == date(2011, 12, 30) and result.n_obs == len(ibm)


@pytest.mark.parametrize("level", [0.95, 0.99])
def test_one_day_bootstrap_matches_historical(ibm: pd.Series, level: float) -> None:
    n = 10_000
    boot = monte_carlo_var(ibm, rng=np.random.default_rng(12), level=level, model="bootstrap")
    hist = historical_var(ibm, level=level)
    p_low, p_high = probability_band(1 - level, n)
    q = np.quantile(ibm.to_numpy(), [p_low, p_high], method="inverted_cdf")
    float32 = 1e-6  # the bootstrap resamples float32 log returns
    assert -q[1] - float32 <= boot.var <= -q[0] + float32
    assert -q[1] <= hist.var <= -q[0]
    assert boot.method == "monte_carlo_bootstrap" and boot.n_paths == n


def test_seeds_reproduce_and_differ(ibm: pd.Series) -> None:
    for model in ("gbm", "bootstrap"):
        a = monte_carlo_var(ibm, rng=np.random.default_rng(5), horizon_days=10, model=model)
        b = monte_carlo_var(ibm, rng=np.random.default_rng(5), horizon_days=10, model=model)
        c = monte_carlo_var(ibm, rng=np.random.default_rng(6), horizon_days=10, model=model)
        assert a == b
        assert a.var != c.var and a.cvar != c.cvar


def test_levels_share_one_sample(ibm: pd.Series) -> None:
    both = monte_carlo_vars(
        ibm, rng=np.random.default_rng(8), levels=(0.95, 0.99), horizon_days=5, model="bootstrap"
    )
    alone = monte_carlo_var(
        ibm, rng=np.random.default_rng(8), level=0.99, horizon_days=5, model="bootstrap"
    )
    assert both[1] == alone
    assert both[1].var > both[0].var


def test_block_bootstrap_is_noted_and_close_to_iid_for_ibm(ibm: pd.Series) -> None:
    block = monte_carlo_var(
        ibm, rng=np.random.default_rng(9), horizon_days=10, model="bootstrap", block_size=5
    )
    iid = monte_carlo_var(ibm, rng=np.random.default_rng(9), horizon_days=10, model="bootstrap")
    assert block.note == "circular block bootstrap, block_size=5" and iid.note is None
    assert block.var == pytest.approx(iid.var, rel=0.15)


def test_monte_carlo_of_10k_by_252_paths_is_memory_lean(ibm: pd.Series) -> None:
    x = ibm.to_numpy()
    tracemalloc.start()
    try:
        monte_carlo_var(x, rng=np.random.default_rng(0), horizon_days=252, model="bootstrap")
        monte_carlo_var(x, rng=np.random.default_rng(0), horizon_days=252, model="gbm")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 25 * 2**20


def test_bad_inputs_raise(ibm: pd.Series) -> None:
    rng = np.random.default_rng(0)
    with pytest.raises(InvalidLevelError):
        monte_carlo_var(ibm, rng=rng, level=1.5)
    with pytest.raises(RiskInputError):
        monte_carlo_var(ibm, rng=rng, model="garch")  # type: ignore[arg-type]
    with pytest.raises(RiskInputError):
        monte_carlo_var(ibm, rng=rng, n_paths=0)
    with pytest.raises(RiskInputError):
        monte_carlo_var(ibm, rng=rng, model="gbm", block_size=5)
    with pytest.raises(InsufficientDataError):
        monte_carlo_var(pd.Series([np.nan, np.nan]), rng=rng, model="bootstrap")
