from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest

from data.providers.bundled import BundledProvider
from data.service import MarketData
from quant.risk import (
    InsufficientDataError,
    RiskInputError,
    VaRResult,
    historical_var,
    var_report,
)

AS_OF = date(2008, 6, 30)


@pytest.fixture(scope="module")
def ibm() -> pd.Series:
    bars = MarketData([BundledProvider()]).bars("IBM", start=None, end=date(2011, 12, 30))
    return bars.frame["close"].pct_change().iloc[1:]


def test_report_on_the_full_series_equals_the_report_on_the_truncated_series(
    ibm: pd.Series,
) -> None:
    full = var_report(ibm, as_of=AS_OF, rng=np.random.default_rng(42))
    cut = var_report(ibm.loc[:"2008-06-30"], as_of=AS_OF, rng=np.random.default_rng(42))
    assert full == cut
    assert all(r.window_end == AS_OF for r in full)  # 2008-06-30 is a trading day


def test_changing_the_future_changes_nothing(ibm: pd.Series) -> None:
    future = ibm.index > pd.Timestamp(AS_OF)
    shocked = ibm.where(~future, -0.3)  # a crash on every day after as_of
    assert var_report(ibm, as_of=AS_OF, rng=np.random.default_rng(1)) == var_report(
        shocked, as_of=AS_OF, rng=np.random.default_rng(1)
    )
    later = var_report(ibm, as_of=date(2011, 12, 30), rng=np.random.default_rng(1))
    assert later != var_report(ibm, as_of=AS_OF, rng=np.random.default_rng(1))


def test_report_layout_and_values(ibm: pd.Series) -> None:
    report = var_report(ibm, as_of=AS_OF, rng=np.random.default_rng(0))
    assert len(report) == 2 * 5 * 2  # horizons x methods x levels
    keys = [(r.horizon_days, r.method, r.level) for r in report]
    assert keys[:4] == [(1, "historical", 0.95), (1, "historical", 0.99), (1, "normal", 0.95),
                        (1, "normal", 0.99)]  # fmt: skip
    assert {r.method for r in report} == {
        "historical", "normal", "cornish_fisher", "monte_carlo_gbm", "monte_carlo_bootstrap"
    }  # fmt: skip
    hist = historical_var(ibm.loc[:"2008-06-30"], level=0.99, horizon_days=10)
    assert hist in report
    for r in report:
        assert 0 < r.var <= r.cvar < 0.5
        assert r.n_obs == len(ibm.loc[:"2008-06-30"])
        assert (r.n_paths == 10_000) == r.method.startswith("monte_carlo")
        assert r.to_dict()["window_end"] == "2008-06-30"


def test_block_bootstrap_in_the_report(ibm: pd.Series) -> None:
    report = var_report(
        ibm,
        as_of=AS_OF,
        rng=np.random.default_rng(3),
        horizons=(10,),
        methods=["monte_carlo_gbm", "monte_carlo_bootstrap"],
        block_size=5,
    )
    assert [r.note for r in report] == [None, None] + ["circular block bootstrap, block_size=5"] * 2


def test_cornish_fisher_outside_its_domain_is_reported_as_nan() -> None:
    days = pd.bdate_range("2020-01-01", periods=200)
    uniform = pd.Series(np.random.default_rng(0).uniform(-0.02, 0.02, 200), index=days)
    report = var_report(
        uniform, as_of=date(2021, 1, 1), rng=np.random.default_rng(0), methods=["cornish_fisher"]
    )
    assert all(isinstance(r, VaRResult) and math.isnan(r.var) for r in report)
    assert all(r.note and "Cornish-Fisher" in r.note for r in report)


def test_report_inputs_are_checked(ibm: pd.Series) -> None:
    rng = np.random.default_rng(0)
    with pytest.raises(RiskInputError):
        var_report(ibm, as_of=AS_OF, rng=rng, methods=["historical", "garch"])  # type: ignore[list-item]
    with pytest.raises(RiskInputError):
        var_report(ibm.reset_index(drop=True), as_of=AS_OF, rng=rng)
    with pytest.raises(InsufficientDataError):
        var_report(ibm, as_of=date(1999, 1, 1), rng=rng)  # nothing on or before as_of
    all_nan = pd.Series(np.nan, index=ibm.index)
    with pytest.raises(InsufficientDataError):
        var_report(all_nan, as_of=AS_OF, rng=rng)
