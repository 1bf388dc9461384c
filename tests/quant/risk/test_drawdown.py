from __future__ import annotations

import math
import tracemalloc

import numpy as np
import pytest
from scipy.stats import norm

from quant.risk import (
    GBM,
    Bootstrap,
    RiskInputError,
    drawdown_distribution,
    probability_of_ruin,
    simulate_path_risk,
)

BGK_BETA = 0.5825971579390106  # -zeta(1/2) / sqrt(2 pi), Broadie-Glasserman-Kou (1997)


def test_zero_drift_gbm_ruin_matches_the_reflection_principle() -> None:
    """P(min_t sigma W_t <= -b) = 2 Phi(-b / (sigma sqrt(T))) for continuous monitoring.

    Paths are monitored once a day, which misses crossings between closes; Broadie, Glasserman
    & Kou's continuity correction moves the barrier out by beta sigma sqrt(dt) (dt = 1 day).
    The tolerance is 4 binomial standard errors of the simulated frequency.
    """
    sigma, days, threshold, n = 0.02, 252, 0.2, 20_000
    b = -math.log(1 - threshold)
    continuous = 2 * norm.cdf(-b / (sigma * math.sqrt(days)))
    daily = 2 * norm.cdf(-(b + BGK_BETA * sigma) / (sigma * math.sqrt(days)))
    p = probability_of_ruin(
        GBM(mu=0.0, sigma=sigma),
        rng=np.random.default_rng(21),
        horizon_days=days,
        threshold=threshold,
        n_paths=n,
    )
    se = math.sqrt(daily * (1 - daily) / n)
    assert p == pytest.approx(daily, abs=4 * se)
    assert p < continuous - 2 * se  # discrete monitoring sees fewer crossings


def test_deterministic_paths_give_exact_drawdowns_and_ruin() -> None:
    model = Bootstrap.fit(np.array([-0.1]))  # every path loses 10% a day
    dist = drawdown_distribution(
        model, rng=np.random.default_rng(0), horizon_days=3, n_paths=10, ruin_threshold=0.25
    )
    expected = 1 - 0.9**3  # 0.271
    assert dist.mean == pytest.approx(expected, abs=1e-6)
    assert all(v == pytest.approx(expected, abs=1e-6) for v in dist.quantiles.values())
    assert dist.ruin_probability == 1.0  # 0.729 <= 0.75
    short = drawdown_distribution(
        model, rng=np.random.default_rng(0), horizon_days=2, n_paths=10, ruin_threshold=0.25
    )
    assert short.ruin_probability == 0.0  # 0.81 > 0.75


def test_drawdown_is_measured_from_the_running_peak() -> None:
    # Blocks of two days: +10% then -10% (peak 1.1, low 0.99) or -10% then +10% (low 0.9).
    model = Bootstrap(history=np.log1p(np.array([0.1, -0.1])), block_size=2)
    risk = simulate_path_risk(model, horizon_days=2, rng=np.random.default_rng(1), n_paths=200)
    np.testing.assert_allclose(risk.terminal_value, 0.99, atol=1e-6)
    np.testing.assert_allclose(risk.max_drawdown, 0.1, atol=1e-6)  # both fall 10% from a peak
    up_down = np.isclose(risk.min_value, 0.99, atol=1e-6)
    down_up = np.isclose(risk.min_value, 0.9, atol=1e-6)
    assert (up_down ^ down_up).all() and up_down.any() and down_up.any()
    # ruin counts the loss from the start, not from the peak: only down-up paths lose 5%
    assert risk.ruin_probability(threshold=0.05) == pytest.approx(down_up.mean())


def test_one_day_drawdown_is_the_loss() -> None:
    model = GBM(mu=0.0, sigma=0.01)
    risk = simulate_path_risk(model, horizon_days=1, rng=np.random.default_rng(2), n_paths=5000)
    expected = np.maximum(1 - risk.terminal_value, 0.0)
    np.testing.assert_allclose(risk.max_drawdown, expected, atol=1e-7)


def test_gbm_drawdown_distribution_is_reproducible_and_ordered() -> None:
    model = GBM(mu=0.0002, sigma=0.018)
    a = drawdown_distribution(model, rng=np.random.default_rng(3))
    b = drawdown_distribution(model, rng=np.random.default_rng(3))
    c = drawdown_distribution(model, rng=np.random.default_rng(4))
    assert a == b and a.mean != c.mean
    q = a.quantiles
    assert 0 < q[0.5] < q[0.95] < q[0.99] < 1
    assert a.horizon_days == 252 and a.n_paths == 10_000
    assert a.to_dict()["quantiles"] == {"0.5": q[0.5], "0.95": q[0.95], "0.99": q[0.99]}


def test_path_risk_of_10k_by_252_paths_is_memory_lean() -> None:
    tracemalloc.start()
    try:
        drawdown_distribution(GBM(mu=0.0, sigma=0.02), rng=np.random.default_rng(0))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 25 * 2**20


def test_bad_thresholds_raise() -> None:
    model = GBM(mu=0.0, sigma=0.02)
    for bad in (0.0, 1.5, math.nan):
        with pytest.raises(RiskInputError):
            probability_of_ruin(model, rng=np.random.default_rng(0), threshold=bad)
