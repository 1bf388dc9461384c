from __future__ import annotations

import json
import math
from datetime import date
from functools import cache

import empyrical as ep
import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from data.providers.bundled import BundledProvider
from data.service import MarketData
from quant.backtest import metrics as m

END = date(2013, 2, 28)


@cache
def real_returns() -> dict[str, pd.Series]:
    md = MarketData([BundledProvider()])
    aapl = md.bars("AAPL", start=None, end=END).frame
    spx = md.bars("^GSPC", start=None, end=END).frame["close"].pct_change()
    frame = pd.concat(
        {"aapl": aapl["close"].pct_change(), "spx": spx}, axis=1, join="inner"
    ).dropna()
    sma = aapl["close"].rolling(50).mean() > aapl["close"].rolling(200).mean()
    strategy = frame["aapl"] * sma.shift(1, fill_value=False).reindex(frame.index).astype(float)
    return {"aapl": frame["aapl"], "spx": frame["spx"], "sma_strategy": strategy}


def same(ours: float, theirs: float, tol: float = 1e-9) -> bool:
    if math.isinf(theirs):  # deliberate: an undefined ratio (nothing below zero) is NaN, not inf
        return math.isnan(ours)
    if math.isnan(ours) or math.isnan(theirs):
        return math.isnan(ours) and math.isnan(theirs)
    return math.isclose(ours, theirs, rel_tol=tol, abs_tol=1e-12)


def assert_matches_empyrical(r: np.ndarray, b: np.ndarray) -> None:
    rs, bs = pd.Series(r), pd.Series(b)
    assert same(m.total_return(r), ep.cum_returns_final(r))
    assert same(m.annual_return(r), ep.annual_return(r))
    assert same(m.annual_volatility(r), ep.annual_volatility(r))
    assert same(m.max_drawdown(r), ep.max_drawdown(r))
    # Calmar divides by the drawdown, known to about 1e-16 / |drawdown| on either side
    if abs(m.max_drawdown(r)) > 1e-6:
        assert same(m.calmar_ratio(r), ep.calmar_ratio(r))
    assert same(m.downside_risk(r), ep.downside_risk(r))
    for rf in (0.0, 1e-4):
        assert same(m.sharpe_ratio(r, risk_free=rf), ep.sharpe_ratio(r, risk_free=rf))
        assert same(m.sortino_ratio(r, required_return=rf), ep.sortino_ratio(r, required_return=rf))
        alpha, beta = m.alpha_beta(rs, bs, risk_free=rf)
        ep_alpha, ep_beta = ep.alpha_beta(rs, bs, risk_free=rf)
        assert same(alpha, ep_alpha) and same(beta, ep_beta)
    ir = ep.excess_sharpe(r, b) * math.sqrt(252)  # empyrical's is not annualised
    assert same(m.information_ratio(r, b), ir)


@pytest.mark.parametrize("name", ["aapl", "spx", "sma_strategy"])
def test_every_metric_equals_empyrical_on_real_returns(name: str) -> None:
    series = real_returns()
    r, b = series[name], series["spx"]
    assert len(r) > 3000
    assert_matches_empyrical(r.to_numpy(), b.to_numpy())
    ours = m.monthly_returns(r).stack().dropna()
    theirs = ep.aggregate_returns(r, "monthly")
    np.testing.assert_allclose(ours.to_numpy(), theirs.to_numpy(), rtol=1e-9, atol=1e-12)
    assert list(ours.index) == list(theirs.index)


returns_lists = st.lists(
    st.floats(-0.25, 0.25, allow_nan=False, allow_subnormal=False), min_size=3, max_size=300
)


@settings(max_examples=300, deadline=None)
@given(data=st.data(), values=returns_lists)
def test_every_metric_equals_empyrical_on_generated_returns(
    data: st.DataObject, values: list
) -> None:
    r = np.array(values)
    b = np.array(data.draw(st.lists(st.floats(-0.1, 0.1), min_size=r.size, max_size=r.size)))
    b = 0.5 * r + b  # correlated with the strategy
    # ratios of well-conditioned series only: near-constant ones amplify rounding without bound
    assume(np.std(r) > 1e-6 and np.std(b) > 1e-6 and np.std(r - b) > 1e-6)
    assert_matches_empyrical(r, b)


def test_hand_computed_drawdown_dates_and_durations() -> None:
    dates = pd.bdate_range("2020-01-01", periods=6)
    returns = pd.Series([0.1, -0.2, 0.05, 0.2, -0.1, 0.05], index=dates)
    # equity 1.1, 0.88, 0.924, 1.1088, 0.99792, 1.047816: peak d0, trough d1, back above on d3
    dd = m.drawdown(returns)
    assert dd.max_drawdown == pytest.approx(0.88 / 1.1 - 1)
    assert (dd.start, dd.trough, dd.recovery) == (dates[0], dates[1], dates[3])
    assert dd.duration == 3  # d0 -> d3
    assert dd.longest_duration == 3  # the second spell (d3 peak, still under at d5) lasts 2
    # a loss from the first bar: the peak is the starting capital, which has no date
    first = m.drawdown(pd.Series([-0.1, 0.05, 0.06, -0.01], index=dates[:4]))
    assert first.start is None and first.trough == dates[0] and first.recovery == dates[2]
    assert first.duration == 3  # from before d0 to d2
    # never recovered: the duration runs to the last bar
    down = m.drawdown(pd.Series([0.1, -0.05, -0.05, 0.01], index=dates[:4]))
    assert down.recovery is None and down.trough == dates[2]
    assert down.duration == 3 and down.longest_duration == 3


def test_hand_computed_trade_statistics_and_exposure() -> None:
    pnl = np.array([0.03, -0.01, 0.02, -0.02, 0.0])
    assert m.win_rate(pnl) == pytest.approx(2 / 5)
    assert m.profit_factor(pnl) == pytest.approx(0.05 / 0.03)
    assert m.payoff_ratio(pnl) == pytest.approx(0.025 / 0.015)
    assert math.isnan(m.profit_factor(np.array([0.01, 0.02])))  # no loss: undefined
    assert math.isnan(m.payoff_ratio(np.array([-0.01])))
    assert math.isnan(m.win_rate(np.array([])))
    assert m.exposure(np.array([0.0, 1.0, -0.5, np.nan, 0.0, 1.0])) == pytest.approx(3 / 6)


def test_monthly_table_compounds_within_months() -> None:
    dates = pd.DatetimeIndex(["2020-01-30", "2020-01-31", "2020-02-03", "2021-03-01"])
    table = m.monthly_returns(pd.Series([0.1, 0.1, -0.5, 0.2], index=dates))
    assert table.loc[2020, 1] == pytest.approx(0.21)
    assert table.loc[2020, 2] == pytest.approx(-0.5)
    assert table.loc[2021, 3] == pytest.approx(0.2)
    assert math.isnan(table.loc[2020, 12]) and table.shape == (2, 12)


@settings(max_examples=200, deadline=None)
@given(values=returns_lists, k=st.floats(0.1, 10))
def test_properties(values: list, k: float) -> None:
    r = np.array(values)
    assert -1.0 <= m.max_drawdown(r) <= 0.0
    assert m.annual_volatility(k * r) == pytest.approx(k * m.annual_volatility(r), rel=1e-9)
    assume(np.std(r) > 1e-6)
    assert m.sharpe_ratio(k * r) == pytest.approx(m.sharpe_ratio(r), rel=1e-9)
    positive = np.abs(r) + 1e-4
    assert m.max_drawdown(positive) == 0.0
    dd = m.drawdown(pd.Series(positive, index=pd.bdate_range("2020-01-01", periods=r.size)))
    assert (dd.duration, dd.longest_duration, dd.start) == (0, 0, None)


@pytest.mark.parametrize(
    "values", [[0.01] * 50, [0.0] * 50, [np.nan] * 50, [0.01], [], [-0.02, -0.02]]
)
def test_constant_nan_and_short_series_have_no_sharpe(values: list) -> None:
    r = np.array(values, dtype=float)
    assert math.isnan(m.sharpe_ratio(r))
    assert math.isnan(m.information_ratio(r, np.zeros_like(r)))
    assert math.isnan(m.alpha_beta(r, np.full_like(r, 0.001))[1])  # benchmark does not vary


def test_sortino_without_downside_is_nan_not_infinite() -> None:
    assert math.isnan(m.sortino_ratio(np.array([0.01, 0.02, 0.0])))


def test_nans_are_dropped() -> None:
    r = np.array([0.01, np.nan, -0.02, 0.03])
    clean = r[~np.isnan(r)]
    assert m.sharpe_ratio(r) == m.sharpe_ratio(clean)
    assert m.annual_return(r) == m.annual_return(clean)


def test_report_is_json_ready_with_nan_as_none() -> None:
    series = real_returns()
    r = series["sma_strategy"]
    trades = pd.DataFrame({"pnl": [0.1, -0.05, 0.2], "holding_days": [10, 5, 30]})
    positions = (r != 0).astype(float)
    report = m.performance_report(r, benchmark=series["spx"], trades=trades, positions=positions)
    assert report.sharpe == pytest.approx(ep.sharpe_ratio(r.to_numpy()), rel=1e-9)
    assert report.trade_count == 3 and report.average_holding_days == pytest.approx(15)
    assert report.win_rate == pytest.approx(2 / 3) and report.exposure == pytest.approx(
        float((r != 0).mean())
    )
    out = report.to_dict()
    text = json.dumps(out, allow_nan=False)
    assert json.loads(text)["max_drawdown_start"] == f"{report.max_drawdown_start:%Y-%m-%d}"
    assert out["monthly_returns"]["2001"]["1"] == pytest.approx(report.monthly_returns.loc[2001, 1])
    flat = m.performance_report(pd.Series(0.0, index=pd.bdate_range("2020-01-01", periods=30)))
    flat_dict = flat.to_dict()
    assert flat_dict["sharpe"] is None and flat_dict["calmar"] is None
    assert flat_dict["trade_count"] is None and flat_dict["max_drawdown"] == 0.0
    json.dumps(flat_dict, allow_nan=False)
