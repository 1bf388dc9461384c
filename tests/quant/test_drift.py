from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from quant.drift import (
    DriftRow,
    autocorrelation_time,
    feature_drift,
    ks_pvalue_effective,
    ks_test,
    prediction_drift,
    psi,
    psi_bins,
)
from quant.features import FEATURE_GROUPS, FEATURE_NAMES, build_features
from tests.quant._drift_bars import SHIFT_AT, universe

REFERENCE = np.arange(100.0)  # quartile edges 24.75, 49.5, 74.25: 25 values per bin


def test_psi_by_hand() -> None:
    assert psi_bins(REFERENCE, bins=4).tolist() == [24.75, 49.5, 74.25]
    # 20 values in the first quartile bin, 10 in each other: shares .4, .2, .2, .2 vs .25 each
    recent = np.r_[
        np.arange(20.0), np.arange(30.0, 40.0), np.arange(60.0, 70.0), np.arange(90.0, 100)
    ]
    expected = 0.15 * math.log(0.4 / 0.25) + 3 * (-0.05) * math.log(0.2 / 0.25)
    assert psi(REFERENCE, recent, bins=4) == pytest.approx(expected, rel=1e-12)
    assert expected == pytest.approx(0.10397, abs=1e-5)
    assert psi(REFERENCE, REFERENCE, bins=4) == 0.0


def test_psi_floors_empty_bins_at_epsilon() -> None:
    recent = np.arange(10.0)  # all in the first bin; the other three are empty
    eps = 1e-4
    expected = 0.75 * math.log(1 / 0.25) + 3 * (eps - 0.25) * math.log(eps / 0.25)
    assert psi(REFERENCE, recent, bins=4, epsilon=eps) == pytest.approx(expected, rel=1e-12)
    # a smaller floor charges an empty bin more
    assert psi(REFERENCE, recent, bins=4, epsilon=1e-6) > psi(REFERENCE, recent, bins=4)


def test_psi_bins_a_discrete_or_constant_reference_by_value() -> None:
    flags = np.r_[np.zeros(70), np.ones(30)]
    assert psi(flags, flags) == 0.0
    more_ones = np.r_[np.zeros(30), np.ones(70)]
    expected = 0.4 * math.log(0.7 / 0.3) - 0.4 * math.log(0.3 / 0.7)
    assert psi(flags, more_ones) == pytest.approx(expected, rel=1e-12)
    # a constant reference: a recent sample above it is a shift, not the same bin
    assert psi(np.zeros(50), np.ones(20)) > 1.0
    assert psi(np.zeros(50), np.zeros(20)) == 0.0


def test_psi_drops_non_finite_values_and_is_nan_without_data() -> None:
    recent = np.r_[np.arange(20.0), np.nan, np.inf]
    assert psi(REFERENCE, recent, bins=4) == psi(REFERENCE, np.arange(20.0), bins=4)
    assert math.isnan(psi(REFERENCE, [np.nan]))
    assert math.isnan(psi([], REFERENCE))
    with pytest.raises(ValueError, match="bins"):
        psi(REFERENCE, REFERENCE, bins=1)
    with pytest.raises(ValueError, match="epsilon"):
        psi(REFERENCE, REFERENCE, bins=10, epsilon=0.2)


def test_ks_by_hand_and_against_scipy() -> None:
    result = ks_test([1.0, 2.0, 3.0, 4.0], [3.0, 4.0, 5.0, 6.0])
    assert result.statistic == 0.5  # the ECDFs differ most at 2 (0.5 vs 0) and at 4 (1 vs 0.5)
    assert result.p_value == pytest.approx(stats.ks_2samp([1, 2, 3, 4], [3, 4, 5, 6]).pvalue)
    rng = np.random.default_rng(11)
    a, b = rng.normal(size=500), rng.normal(0.3, 1.0, size=60)
    expected = stats.ks_2samp(a, b)
    got = ks_test(np.r_[a, np.nan], b)
    assert (got.statistic, got.p_value) == (expected.statistic, expected.pvalue)
    assert math.isnan(ks_test([], b).statistic)


def test_effective_pvalue_is_scipys_asymptotic_one_for_independent_draws() -> None:
    rng = np.random.default_rng(5)
    a, b = rng.normal(size=3000), rng.normal(0.4, 1.0, size=60)
    d = ks_test(a, b).statistic
    asymp = stats.ks_2samp(a, b, method="asymp").pvalue
    assert ks_pvalue_effective(d, n_reference=3000, n_recent=60, tau=1.0) == pytest.approx(asymp)
    # fewer independent observations: less evidence of a shift
    assert ks_pvalue_effective(d, n_reference=3000, n_recent=60, tau=20.0) > 10 * asymp
    assert math.isnan(ks_pvalue_effective(math.nan, n_reference=3, n_recent=3, tau=1.0))
    with pytest.raises(ValueError, match="tau"):
        ks_pvalue_effective(0.5, n_reference=3, n_recent=3, tau=0.5)


def test_autocorrelation_time_of_independent_and_ar1_series() -> None:
    rng = np.random.default_rng(3)
    noise = rng.normal(size=20_000)
    assert 1.0 <= autocorrelation_time(noise) < 1.2
    phi = 0.9
    ar = np.empty_like(noise)
    ar[0] = noise[0]
    for i in range(1, len(noise)):  # a recursion: the series is its own definition
        ar[i] = phi * ar[i - 1] + noise[i]
    assert autocorrelation_time(ar) == pytest.approx((1 + phi) / (1 - phi), rel=0.15)  # 19
    # an overlapping 20-day mean of independent draws: tau about 20
    window = pd.Series(noise).rolling(20).mean().to_numpy()
    assert autocorrelation_time(window) == pytest.approx(20.0, rel=0.2)
    assert autocorrelation_time(np.ones(10)) == 1.0 and autocorrelation_time([1.0, 2.0]) == 1.0


def test_feature_drift_rows_and_thresholds() -> None:
    rng = np.random.default_rng(8)
    reference = pd.DataFrame({"a": rng.normal(size=2000), "b": rng.normal(size=2000)})
    recent = pd.DataFrame({"a": rng.normal(size=120), "b": rng.normal(2.0, 1.0, size=120)})
    a, b = feature_drift(reference, recent)
    assert (a.feature, b.feature) == ("a", "b")
    assert not a.drifted and b.drifted
    assert b.psi is not None and b.psi > 1.0 and b.p_value_adjusted is not None
    assert b.psi == pytest.approx(psi(reference["b"], recent["b"]))
    assert b.ks == pytest.approx(stats.ks_2samp(reference["b"], recent["b"]).statistic)
    assert (b.n_reference, b.n_recent) == (2000, 120)
    # the thresholds decide: a PSI threshold above the shift's PSI clears it
    (strict,) = feature_drift(reference, recent, features=["b"], psi_threshold=b.psi + 1)
    assert not strict.drifted
    with pytest.raises(ValueError, match=r"\['c'\]"):
        feature_drift(reference, recent, features=["a", "c"])
    empty = feature_drift(reference.assign(c=np.nan), recent.assign(c=np.nan), features=["c"])
    assert empty[0].psi is None and empty[0].p_value is None and not empty[0].drifted


def test_prediction_drift_is_a_row_named_prob_up() -> None:
    rng = np.random.default_rng(2)
    train = 0.5 + 0.05 * rng.standard_normal(1500)
    row = prediction_drift(train, 0.62 + 0.05 * rng.standard_normal(60))
    assert row.feature == "prob_up" and row.drifted
    assert not prediction_drift(train, 0.5 + 0.05 * rng.standard_normal(60)).drifted


COMPARED = [f for f in FEATURE_NAMES if f not in FEATURE_GROUPS["calendar"]]
VOLATILITY = ["vol_10d", "vol_20d", "vol_parkinson_20d", "vol_gk_20d", "atr_14_pct"]


@pytest.fixture(scope="module")
def simulated() -> pd.DataFrame:
    frames = universe()
    benchmark = frames.pop("^GSPC")
    return build_features(frames, benchmark=benchmark)


def _drift(features: pd.DataFrame, ticker: str, window: int) -> dict[str, DriftRow]:
    rows = features.loc[features.index.get_level_values(1) == ticker].droplevel(1)
    reference = rows.loc[: pd.Timestamp(SHIFT_AT) - pd.Timedelta(days=1)]
    return {r.feature: r for r in feature_drift(reference, rows.iloc[-window:], features=COMPARED)}


@pytest.mark.parametrize("window", [60, 120])
def test_a_planted_volatility_shift_is_flagged_and_a_calm_series_is_not(
    simulated: pd.DataFrame, window: int
) -> None:
    shifted, calm = _drift(simulated, "SHFT", window), _drift(simulated, "CALM", window)
    for name in VOLATILITY:
        assert shifted[name].drifted, name
    # CALM's own features are stable; its cross-sectional ones compare it with SHFT, which moved
    own = [f for f, r in calm.items() if r.drifted and not f.startswith("cs_")]
    assert own == []
    # the textbook rule (p-value for independent draws) flags most of the calm series' features
    naive = [f for f, r in calm.items() if (r.psi or 0) >= 0.2 and (r.p_value or 1) < 0.01]
    assert len(naive) > len(COMPARED) // 2
