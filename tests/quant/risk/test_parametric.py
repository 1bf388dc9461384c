from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, reject, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.integrate import quad
from scipy.stats import norm

from data.providers.bundled import BundledProvider
from data.service import MarketData
from quant.risk import (
    CornishFisherDomainError,
    InsufficientDataError,
    InvalidLevelError,
    cornish_fisher_var,
    cornish_fisher_var_cvar,
    normal_var,
    normal_var_cvar,
    sample_moments,
)
from quant.risk.parametric import cornish_fisher_valid, cornish_fisher_z


@pytest.fixture(scope="module")
def ibm() -> pd.Series:
    bars = MarketData([BundledProvider()]).bars("IBM", start=None, end=date(2011, 12, 30))
    return bars.frame["close"].pct_change().iloc[1:]


def test_normal_closed_form_hand_computed() -> None:
    # z_0.95 = 1.6448536269514727, phi(z) / 0.05 = 2.0627128075074...  (computed with mpmath)
    var, cvar = normal_var_cvar(mean=0.001, std=0.02, level=0.95)
    assert var == pytest.approx(0.0318970725390294543, rel=1e-14)
    assert cvar == pytest.approx(0.0402542561501485204, rel=1e-14)


def test_normal_var_of_a_series_uses_sample_mean_and_std(ibm: pd.Series) -> None:
    x = ibm.to_numpy()
    mu, sd = x.mean(), x.std(ddof=1)
    for level, horizon in [(0.95, 1), (0.99, 1), (0.99, 10)]:
        r = normal_var(ibm, level=level, horizon_days=horizon)
        z = norm.ppf(level)
        assert r.var == pytest.approx(-horizon * mu + math.sqrt(horizon) * sd * z, rel=1e-12)
        expected_cvar = -horizon * mu + math.sqrt(horizon) * sd * norm.pdf(z) / (1 - level)
        assert r.cvar == pytest.approx(expected_cvar, rel=1e-12)
        assert r.method == "normal" and r.window_end == date(2011, 12, 30)


def test_moments_match_pandas(ibm: pd.Series) -> None:
    m = sample_moments(ibm.to_numpy())
    assert m.mean == pytest.approx(ibm.mean(), rel=1e-12)
    assert m.std == pytest.approx(ibm.std(), rel=1e-12)
    assert m.skew == pytest.approx(ibm.skew(), rel=1e-10)
    assert m.excess_kurtosis == pytest.approx(ibm.kurt(), rel=1e-10)
    ten = m.over(10)
    assert (ten.mean, ten.std) == pytest.approx((10 * m.mean, math.sqrt(10) * m.std))
    assert (ten.skew, ten.excess_kurtosis) == pytest.approx(
        (m.skew / math.sqrt(10), m.excess_kurtosis / 10)
    )


@pytest.mark.parametrize("level", [0.9, 0.95, 0.99, 0.999])
def test_cornish_fisher_without_skew_or_kurtosis_is_normal(level: float) -> None:
    cf = cornish_fisher_var_cvar(mean=0.0004, std=0.013, skew=0.0, excess_kurtosis=0.0, level=level)
    assert cf == pytest.approx(normal_var_cvar(mean=0.0004, std=0.013, level=level), rel=1e-14)


def test_cornish_fisher_hand_computed() -> None:
    # mean 0.0005, std 0.015, skew -0.6, excess kurtosis 4, level 0.99: z = -2.3263478740408411
    # g(z) = z + (z^2-1)S/6 + (z^3-3z)K/24 - (2z^3-5z)S^2/36 = -3.5672066424463510
    # tail average of g over u < 0.01 = -4.9831847088710406 (mpmath quadrature)
    z = -2.3263478740408411
    assert cornish_fisher_z(z, skew=-0.6, excess_kurtosis=4.0) == pytest.approx(
        -3.5672066424463510, rel=1e-14
    )
    var, cvar = cornish_fisher_var_cvar(
        mean=0.0005, std=0.015, skew=-0.6, excess_kurtosis=4.0, level=0.99
    )
    assert var == pytest.approx(0.0530080996366952649, rel=1e-13)
    assert cvar == pytest.approx(0.0742477706330656091, rel=1e-13)


@pytest.mark.parametrize(("skew", "kurt", "level"), [(-0.6, 4.0, 0.99), (0.3, 7.0, 0.95)])
def test_cornish_fisher_cvar_is_the_tail_average_of_its_quantiles(
    skew: float, kurt: float, level: float
) -> None:
    p = 1 - level

    def quantile(u: float) -> float:
        return 0.001 + 0.02 * cornish_fisher_z(norm.ppf(u), skew=skew, excess_kurtosis=kurt)

    integral, _ = quad(quantile, 0, p, epsabs=1e-14, limit=200)
    var, cvar = cornish_fisher_var_cvar(
        mean=0.001, std=0.02, skew=skew, excess_kurtosis=kurt, level=level
    )
    assert cvar == pytest.approx(-integral / p, rel=1e-7)
    assert var == pytest.approx(-quantile(p), rel=1e-12)


def test_cornish_fisher_series_uses_horizon_moments(ibm: pd.Series) -> None:
    m = sample_moments(ibm.to_numpy()).over(10)
    r = cornish_fisher_var(ibm, level=0.99, horizon_days=10)
    expected = cornish_fisher_var_cvar(
        mean=m.mean, std=m.std, skew=m.skew, excess_kurtosis=m.excess_kurtosis, level=0.99
    )
    assert (r.var, r.cvar) == expected
    assert r.method == "cornish_fisher" and r.n_obs == len(ibm)
    one = cornish_fisher_var(ibm, level=0.99)
    assert one.var > normal_var(ibm, level=0.99).var  # fat left tail: CF 99% above normal


def test_cornish_fisher_outside_its_domain_raises() -> None:
    # skew 3, excess kurtosis 13: g'(u) = u^2/8 + u + 5/8 < 0 for u in (-7.3, -0.7), so g
    # decreases at the 95% quantile z = -1.645; in the 99.99999% tail it increases again.
    assert not cornish_fisher_valid(p=0.05, skew=3.0, excess_kurtosis=13.0)
    assert cornish_fisher_valid(p=1e-14, skew=3.0, excess_kurtosis=13.0)
    with pytest.raises(CornishFisherDomainError):
        cornish_fisher_var_cvar(mean=0, std=0.01, skew=3.0, excess_kurtosis=13.0, level=0.95)
    assert cornish_fisher_valid(p=0.05, skew=-3.0, excess_kurtosis=30.0)  # roots -0.62, 1.07
    # negative excess kurtosis: g' -> -inf far in the tail
    assert not cornish_fisher_valid(p=0.05, skew=0.0, excess_kurtosis=-1.0)
    assert cornish_fisher_valid(p=0.05, skew=0.0, excess_kurtosis=0.0)
    assert cornish_fisher_valid(p=0.01, skew=-1.7, excess_kurtosis=34.0)  # AAPL-like, valid at 99%


def test_degenerate_and_bad_inputs() -> None:
    flat = np.full(10, 0.001)
    assert normal_var(flat, level=0.99).var == pytest.approx(-0.001)
    assert cornish_fisher_var(flat, level=0.99).cvar == pytest.approx(-0.001)
    with pytest.raises(InsufficientDataError):
        normal_var(np.array([0.01, np.nan]))
    with pytest.raises(InsufficientDataError):
        cornish_fisher_var(np.array([0.01, 0.02, -0.01]))
    with pytest.raises(InvalidLevelError):
        normal_var(np.array([0.01, 0.02, -0.01]), level=1.5)
    with pytest.raises(InvalidLevelError):
        cornish_fisher_var_cvar(mean=0, std=0.01, skew=0, excess_kurtosis=0, level=99)


# Property tests -----------------------------------------------------------------------------

returns_arrays = arrays(
    np.float64,
    st.integers(4, 300),
    elements=st.floats(-0.5, 0.5, allow_nan=False, allow_subnormal=False),
)


@st.composite
def fat_tailed(draw: st.DrawFn) -> np.ndarray:
    """Student-t returns with a random scale and an asymmetric left tail (realistic shapes)."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.standard_t(draw(st.floats(3.0, 30.0)), size=draw(st.integers(30, 400)))
    x = np.where(x < 0, x * draw(st.floats(0.7, 1.5)), x)
    return x * draw(st.floats(1e-3, 0.05))


level_pairs = st.tuples(st.floats(0.5, 0.999), st.floats(0.5, 0.999)).map(sorted)


@settings(max_examples=150, deadline=None)
@given(x=returns_arrays, levels=level_pairs, k=st.floats(0.01, 100))
def test_normal_properties(x: np.ndarray, levels: list[float], k: float) -> None:
    low, high = (normal_var(x, level=lv) for lv in levels)
    assert high.var >= low.var
    assert low.cvar >= low.var and high.cvar >= high.var
    scaled = normal_var(k * x, level=levels[0])
    tol = 1e-12 * k * float(np.abs(x).max())
    assert scaled.var == pytest.approx(k * low.var, rel=1e-9, abs=tol)


@settings(max_examples=150, deadline=None)
@given(x=fat_tailed(), levels=level_pairs, k=st.floats(0.01, 100))
def test_cornish_fisher_properties(x: np.ndarray, levels: list[float], k: float) -> None:
    try:
        low, high = (cornish_fisher_var(x, level=lv) for lv in levels)
        scaled = cornish_fisher_var(k * x, level=levels[0])
    except CornishFisherDomainError:
        reject()
    tol = 1e-12 * float(np.abs(x).max())
    assert high.var >= low.var - tol
    assert low.cvar >= low.var - tol and high.cvar >= high.var - tol
    assert scaled.var == pytest.approx(k * low.var, rel=1e-8, abs=k * tol)
    assert scaled.cvar == pytest.approx(k * low.cvar, rel=1e-8, abs=k * tol)
