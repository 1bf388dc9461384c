from __future__ import annotations

import importlib.util
import sys
from datetime import date
from functools import cache
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
import pytest

from data.providers.bundled import BundledProvider
from data.service import MarketData
from quant.backtest.engine import BacktestInputError, Costs, backtest, run_many, simulate

END = date(2013, 2, 28)
COST = 0.0015  # 0.1% commission + 0.05% slippage, per side


@cache
def reference() -> ModuleType:
    """``benchmarks/backtest.py``: the plain loop the engine must agree with."""
    path = Path(__file__).resolve().parents[3] / "benchmarks" / "backtest.py"
    spec = importlib.util.spec_from_file_location("_backtest_reference", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


@cache
def real_bars(ticker: str = "AAPL") -> pd.DataFrame:
    return MarketData([BundledProvider()]).bars(ticker, start=None, end=END).frame


def random_targets(index: pd.Index, *, seed: int, long_short: bool) -> pd.Series:
    """Weights that hold for random spells, with fractional sizes, flips and NaNs."""
    rng = np.random.default_rng(seed)
    levels = np.array([-1.0, -0.4, 0.0, 0.3, 1.0]) if long_short else np.array([0.0, 0.5, 1.0])
    change = rng.random(len(index)) < 0.1
    picks = levels[rng.integers(0, levels.size, len(index))]
    values = pd.Series(np.where(change, picks, np.nan)).ffill().fillna(0.0).to_numpy(copy=True)
    values[rng.random(len(index)) < 0.01] = np.nan  # a few missing decisions: flat
    return pd.Series(values, index=index)


def bars_of(open_: list[float], close: list[float]) -> pd.DataFrame:
    index = pd.bdate_range("2021-01-04", periods=len(close), name="date")
    return pd.DataFrame({"open": open_, "close": close}, index=index)


@pytest.mark.parametrize("lag", [0, 1, 2])
@pytest.mark.parametrize("long_short", [False, True])
def test_engine_equals_the_reference_on_real_data(lag: int, long_short: bool) -> None:
    bars = real_bars()
    targets = random_targets(bars.index, seed=lag + 10 * long_short, long_short=long_short)
    result = backtest(bars, targets, lag=lag)
    ref = reference().reference_backtest(
        bars[["open"]].to_numpy(), bars[["close"]].to_numpy(), targets.to_numpy()[:, None], lag=lag
    )
    pairs = {
        "returns": result.returns,
        "gross": result.gross_returns,
        "held": result.positions,
        "turnover": result.turnover,
        "costs": result.costs,
    }
    for name, ours in pairs.items():
        np.testing.assert_allclose(ours.to_numpy(), ref[name][:, 0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(result.equity.to_numpy(), ref["equity"][:, 0], rtol=1e-12)
    assert result.turnover.gt(0).sum() > 100  # the test exercises many trades
    if long_short:
        assert result.positions.lt(0).any() and result.positions.gt(0).any()


@pytest.mark.parametrize("lag", [0, 1, 2])
def test_many_assets_at_once_equal_the_reference_and_the_single_asset_engine(lag: int) -> None:
    tickers = ["AAPL", "MSFT", "IBM"]
    open_ = pd.DataFrame({t: real_bars(t)["open"] for t in tickers})
    close = pd.DataFrame({t: real_bars(t)["close"] for t in tickers})
    targets = pd.DataFrame(
        {t: random_targets(close.index, seed=i, long_short=True) for i, t in enumerate(tickers)}
    )
    panel = run_many(open_, close, targets, lag=lag)
    ref = reference().reference_backtest(
        open_.to_numpy(), close.to_numpy(), targets.to_numpy(), lag=lag
    )
    np.testing.assert_allclose(panel.returns.to_numpy(), ref["returns"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(panel.equity.to_numpy(), ref["equity"], rtol=1e-12)
    single = backtest(real_bars("MSFT"), targets["MSFT"], lag=lag)
    np.testing.assert_array_equal(panel.returns["MSFT"].to_numpy(), single.returns.to_numpy())


def test_a_round_trip_costs_two_sides() -> None:
    flat = bars_of([100.0] * 6, [100.0] * 6)
    targets = pd.Series([0.0, 1.0, 1.0, 0.0, 0.0, 0.0], index=flat.index)
    result = backtest(flat, targets)
    assert result.costs.sum() == pytest.approx(2 * COST, abs=1e-15)
    assert result.costs.iloc[2] == pytest.approx(COST) and result.costs.iloc[4] == pytest.approx(
        COST
    )
    assert result.equity.iloc[-1] == pytest.approx((1 - COST) ** 2, abs=1e-15)
    assert result.gross_returns.abs().max() == 0.0
    trade = result.trades.iloc[0]
    assert trade["return"] == pytest.approx((1 - COST) ** 2 - 1, abs=1e-15)
    assert trade["costs"] == pytest.approx(COST + (1 - COST) * COST, abs=1e-15)
    free = backtest(flat, targets, costs=Costs(commission=0.0, slippage=0.0))
    assert free.equity.iloc[-1] == 1.0
    half = backtest(flat, targets * 0.5)  # costs scale with the traded notional
    assert half.costs.sum() == pytest.approx(COST, abs=1e-15)


def test_buy_and_hold_with_lag_one_earns_open_of_day_two_to_the_last_close() -> None:
    bars = real_bars()
    result = backtest(bars, pd.Series(1.0, index=bars.index))
    expected = (1 - COST) * bars["close"].iloc[-1] / bars["open"].iloc[1]
    assert result.equity.iloc[-1] == pytest.approx(expected, rel=1e-12)
    assert result.returns.iloc[0] == 0.0 and result.positions.iloc[0] == 0.0
    assert result.costs.sum() == pytest.approx(COST, abs=1e-15)
    assert len(result.trades) == 1 and not result.trades["closed"].iloc[0]
    assert result.trades["entry_date"].iloc[0] == bars.index[1]
    assert result.trades["entry_price"].iloc[0] == bars["open"].iloc[1]
    assert result.trades["pnl"].iloc[0] == pytest.approx(expected - 1, rel=1e-12)


def test_the_execution_bar_is_split_at_the_open() -> None:
    bars = bars_of([10.0, 11.0, 12.0, 12.0], [10.0, 10.5, 13.0, 14.0])
    targets = pd.Series([1.0, -1.0, -1.0, -1.0], index=bars.index)  # long, then short
    r = backtest(bars, targets, costs=Costs(0.0, 0.0)).returns
    # day 1: long from its open: 11 -> 10.5; day 2: the long earns 10.5 -> 12 overnight, then
    # the flip to short at the open earns 12 -> 13 (a loss); day 3: short 13 -> 14
    assert r.iloc[0] == 0.0
    assert r.iloc[1] == pytest.approx(10.5 / 11 - 1)
    assert r.iloc[2] == pytest.approx((12 / 10.5) * (1 - (13 / 12 - 1)) - 1)
    assert r.iloc[3] == pytest.approx(-(14 / 13 - 1))
    same_close = backtest(bars, targets, lag=0, costs=Costs(0.0, 0.0)).returns
    assert same_close.iloc[1] == pytest.approx(10.5 / 10 - 1)  # held from the close of day 0
    assert same_close.iloc[2] == pytest.approx(-(13 / 10.5 - 1))


def test_trades_table_and_pnl_adding_up_to_the_equity() -> None:
    bars = bars_of([10.0, 11.0, 12.0, 9.0, 9.5], [10.5, 11.5, 10.0, 9.2, 9.0])
    targets = pd.Series([1.0, 1.0, 0.0, 0.0, 0.0], index=bars.index)
    trades = backtest(bars, targets).trades
    assert len(trades) == 1
    t = trades.iloc[0]
    assert (t["entry_date"], t["exit_date"]) == (bars.index[1], bars.index[3])
    assert (t["entry_price"], t["exit_price"], t["side"]) == (11.0, 9.0, "long")
    assert t["holding_days"] == 2 and t["closed"]
    assert t["return"] == pytest.approx((1 - COST) ** 2 * 9.0 / 11.0 - 1)
    assert t["price_return"] == pytest.approx(9.0 / 11.0 - 1)
    bars = real_bars()
    for lag in (0, 1, 2):
        targets = random_targets(bars.index, seed=5, long_short=True)
        result = backtest(bars, targets, lag=lag)
        trades = result.trades
        assert trades["pnl"].sum() == pytest.approx(result.equity.iloc[-1] - 1, rel=1e-10)
        assert (trades["costs"] > 0).all()
        assert trades["holding_days"].sum() == int((result.positions != 0).sum())
        assert (trades["exit_date"] >= trades["entry_date"]).all()
        assert set(np.sign(trades["weight"])) == {-1.0, 1.0}
        assert result.report.trade_count == len(trades)


@pytest.mark.parametrize("lag", [0, 1, 2])
def test_changing_a_later_target_never_changes_earlier_returns(lag: int) -> None:
    bars = real_bars()
    targets = random_targets(bars.index, seed=3, long_short=True)
    t = 2000
    changed = targets.copy()
    changed.iloc[t:] = -changed.iloc[t:] + 0.25
    a, b = backtest(bars, targets, lag=lag), backtest(bars, changed, lag=lag)
    pd.testing.assert_series_equal(a.returns.iloc[: t + lag], b.returns.iloc[: t + lag])
    assert not a.returns.iloc[t + lag :].equals(b.returns.iloc[t + lag :])


def test_options_and_errors() -> None:
    bars = bars_of([10.0, 11.0, 12.0, 12.0], [10.0, 10.5, 13.0, 14.0])
    targets = pd.Series([1.0, -1.0, np.nan, 0.5], index=bars.index)
    clipped = backtest(bars, targets, long_only=True)
    assert clipped.positions.tolist() == [0.0, 1.0, 0.0, 0.0]
    scaled = backtest(bars, targets, position_scale=pd.Series(0.5, index=bars.index))
    assert scaled.positions.tolist() == [0.0, 0.5, -0.5, 0.0]
    assert backtest(bars, targets.iloc[:2]).positions.tolist() == [0.0, 1.0, -1.0, 0.0]
    with pytest.raises(BacktestInputError, match="look-ahead"):
        backtest(bars, targets, lag=-1)
    with pytest.raises(BacktestInputError, match="not bars"):
        backtest(bars, pd.Series([1.0], index=[pd.Timestamp("2021-01-09")]))  # a Saturday
    broken = bars.copy()
    broken.iloc[2, 0] = np.nan
    with pytest.raises(BacktestInputError, match="positive and not NaN"):
        backtest(broken, targets)
    never = backtest(bars, pd.Series(np.nan, index=bars.index))
    assert never.trades.empty and never.report.trade_count == 0 and never.equity.eq(1.0).all()
    assert np.isnan(never.report.win_rate) and never.report.to_dict()["sharpe"] is None
    sim = simulate(bars[["open"]].to_numpy(), bars[["close"]].to_numpy(), np.ones((4, 1)), lag=9)
    assert sim.positions.sum() == 0.0 and sim.equity[-1, 0] == 1.0
