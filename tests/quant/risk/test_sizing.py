from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from quant.risk import (
    RiskInputError,
    kelly_fraction,
    kelly_fraction_continuous,
    kelly_position,
    vol_target_exposure,
    vol_target_scale,
)


def test_kelly_even_money_at_60_percent() -> None:
    f = kelly_fraction(win_prob=0.6, payoff=1.0)
    assert f == pytest.approx(0.2, abs=1e-15)
    assert kelly_position(kelly=f, cap=1.0) == pytest.approx(0.05, abs=1e-15)  # quarter Kelly
    assert kelly_position(kelly=f) == 0.02  # capped at 2% per position
    assert kelly_position(kelly=f, fraction=0.5, cap=0.3) == pytest.approx(0.1)


def test_kelly_other_bets() -> None:
    assert kelly_fraction(win_prob=0.5, payoff=2.0) == pytest.approx(0.25)  # 0.5 - 0.5/2
    assert kelly_fraction(win_prob=0.4, payoff=1.0) == pytest.approx(-0.2)  # no edge
    assert kelly_position(kelly=-0.2) == 0.0  # never bet against yourself
    assert kelly_fraction_continuous(mean=0.0005, variance=0.0001) == pytest.approx(5.0)
    assert kelly_position(kelly=5.0, fraction=0.25, cap=0.02) == 0.02


@pytest.mark.parametrize(
    "kwargs",
    [{"win_prob": 1.2, "payoff": 1.0}, {"win_prob": 0.6, "payoff": 0.0},
     {"win_prob": math.nan, "payoff": 1.0}],
)  # fmt: skip
def test_kelly_bad_inputs_raise(kwargs: dict[str, float]) -> None:
    with pytest.raises(RiskInputError):
        kelly_fraction(**kwargs)


def test_kelly_bad_parameters_raise() -> None:
    with pytest.raises(RiskInputError):
        kelly_fraction_continuous(mean=0.001, variance=0.0)
    with pytest.raises(RiskInputError):
        kelly_position(kelly=0.2, fraction=0.0)
    with pytest.raises(RiskInputError):
        kelly_position(kelly=0.2, cap=-0.01)
    with pytest.raises(RiskInputError):
        kelly_position(kelly=math.nan)


def test_vol_target_scale() -> None:
    realised = np.array([0.1, 0.2, 0.4, 0.0, np.nan])
    scale = vol_target_scale(realised_vol=realised, target_vol=0.2, max_scale=1.5)
    np.testing.assert_array_equal(scale, [1.5, 1.0, 0.5, np.nan, np.nan])
    assert vol_target_scale(realised_vol=np.array([0.1]), target_vol=0.2)[0] == 1.0
    with pytest.raises(RiskInputError):
        vol_target_scale(realised_vol=realised, target_vol=0.0)


def test_vol_target_exposure_uses_volatility_up_to_the_day_before() -> None:
    days = pd.bdate_range("2020-01-01", periods=60)
    r = pd.Series(np.random.default_rng(0).normal(0, 0.02, 60), index=days)
    exposure = vol_target_exposure(r, target_vol=0.15, window=20, max_scale=2.0)
    assert exposure.iloc[:20].isna().all()  # needs 20 returns before the day
    t = 35
    realised = r.iloc[t - 20 : t].std(ddof=1) * math.sqrt(252)
    assert exposure.iloc[t] == pytest.approx(min(0.15 / realised, 2.0), rel=1e-12)
    for cut in (25, 40, 59):  # truncating the future changes nothing
        pd.testing.assert_series_equal(
            vol_target_exposure(r.iloc[:cut], target_vol=0.15, window=20, max_scale=2.0),
            exposure.iloc[:cut],
        )
    with pytest.raises(RiskInputError):
        vol_target_exposure(r, target_vol=0.15, window=1)
