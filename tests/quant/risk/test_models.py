from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from quant.risk import GBM, Bootstrap, InsufficientDataError, RiskInputError
from quant.risk.models import chunk_sizes, standard_normal_f32


def test_gbm_fit_is_mean_and_std_of_log_returns() -> None:
    r = np.array([0.01, -0.02, 0.015, np.nan, 0.0, 0.03])
    logs = np.log1p(r[~np.isnan(r)])
    model = GBM.fit(r)
    assert model.mu == pytest.approx(logs.mean(), rel=1e-15)
    assert model.sigma == pytest.approx(logs.std(ddof=1), rel=1e-15)


def test_gbm_increments_have_the_fitted_moments() -> None:
    inc = GBM(mu=0.001, sigma=0.02).log_increments(
        horizon_days=50, n_paths=20_000, rng=np.random.default_rng(0)
    )
    assert inc.shape == (50, 20_000) and inc.dtype == np.float32
    n = inc.size
    assert inc.mean() == pytest.approx(0.001, abs=4 * 0.02 / np.sqrt(n))
    assert inc.std() == pytest.approx(0.02, rel=4 / np.sqrt(2 * n))


def test_box_muller_draws_are_standard_normal() -> None:
    z = standard_normal_f32((250, 801), rng=np.random.default_rng(7))  # odd count: one pair cut
    assert z.shape == (250, 801) and z.dtype == np.float32
    x = z.ravel().astype(np.float64)
    n = x.size
    assert x.mean() == pytest.approx(0.0, abs=4 / np.sqrt(n))
    assert x.var() == pytest.approx(1.0, abs=4 * np.sqrt(2 / n))
    assert stats.kstest(x, "norm").pvalue > 1e-4
    tail = np.mean(x < stats.norm.ppf(0.01))  # the 1% tail, where VaR lives
    assert tail == pytest.approx(0.01, abs=4 * np.sqrt(0.01 * 0.99 / n))
    # cos and sin halves share radii but are independent normals: no correlation between them
    half = (n + 1) // 2
    assert abs(np.corrcoef(x[: n - half], x[half:])[0, 1]) < 4 / np.sqrt(n - half)


def test_bootstrap_draws_only_history() -> None:
    r = np.array([0.01, -0.02, 0.03])
    inc = Bootstrap.fit(r).log_increments(horizon_days=7, n_paths=500, rng=np.random.default_rng(1))
    assert inc.shape == (7, 500)
    assert set(np.unique(inc)) == set(np.log1p(r).astype(np.float32))


def test_block_bootstrap_keeps_consecutive_days_wrapping_around() -> None:
    history = np.arange(1, 11) / 1000  # ten distinct returns
    model = Bootstrap.fit(history, block_size=4)
    inc = model.log_increments(horizon_days=10, n_paths=300, rng=np.random.default_rng(2))
    day = np.rint(np.expm1(inc.astype(np.float64)) * 1000).astype(int) - 1  # history position
    step = (day[1:] - day[:-1]) % 10
    within_block = np.arange(1, 10) % 4 != 0  # rows 1,2,3 continue the block, row 4 starts anew
    assert (step[within_block] == 1).all()
    assert not (step[~within_block] == 1).all()  # new blocks start anywhere


def test_block_size_one_is_the_iid_bootstrap() -> None:
    history = np.random.default_rng(3).normal(0, 0.01, 500)
    iid = Bootstrap.fit(history).log_increments(
        horizon_days=9, n_paths=40, rng=np.random.default_rng(4)
    )
    blocks = Bootstrap(history=np.log1p(history), block_size=1).log_increments(
        horizon_days=9, n_paths=40, rng=np.random.default_rng(4)
    )
    np.testing.assert_array_equal(iid, blocks)


def test_terminal_log_returns_sum_the_increments_chunk_by_chunk() -> None:
    model = Bootstrap.fit(np.random.default_rng(5).normal(0, 0.01, 300))
    whole = model.terminal_log_returns(
        horizon_days=20, n_paths=1000, rng=np.random.default_rng(6), chunk_elements=20_000
    )
    inc = model.log_increments(horizon_days=20, n_paths=1000, rng=np.random.default_rng(6))
    np.testing.assert_allclose(whole, inc.sum(axis=0, dtype=np.float64), rtol=0, atol=1e-12)


def test_chunk_sizes_cover_all_paths() -> None:
    assert list(chunk_sizes(n_paths=10, horizon_days=3, chunk_elements=9)) == [3, 3, 3, 1]
    assert list(chunk_sizes(n_paths=5, horizon_days=300, chunk_elements=10)) == [1] * 5
    assert sum(chunk_sizes(n_paths=10_000, horizon_days=252, chunk_elements=1 << 16)) == 10_000


def test_bad_model_inputs_raise() -> None:
    with pytest.raises(RiskInputError):
        GBM(mu=0.0, sigma=-0.1)
    with pytest.raises(RiskInputError):
        GBM.fit(np.array([0.01, -1.5, 0.02]))  # a loss beyond 100% has no log return
    with pytest.raises(InsufficientDataError):
        GBM.fit(np.array([0.01, np.nan]))
    with pytest.raises(RiskInputError):
        Bootstrap.fit(np.array([0.01, 0.02]), block_size=3)
    with pytest.raises(RiskInputError):
        Bootstrap.fit(np.array([0.01, 0.02]), block_size=0)
