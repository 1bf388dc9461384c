from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import date
from functools import cache

import numpy as np
import pandas as pd
import pytest

from data.providers.bundled import BundledProvider
from data.service import MarketData
from quant.backtest.engine import backtest
from quant.backtest.splits import Fold, WalkForward
from quant.backtest.strategies import BuyAndHold, SmaCross
from quant.backtest.walkforward import walk_forward_backtest

START, END = date(2004, 1, 1), date(2013, 2, 28)


@cache
def aapl_and_spx() -> tuple[pd.DataFrame, pd.Series]:
    md = MarketData([BundledProvider()])
    bars = md.bars("AAPL", start=START, end=END).frame
    spx = md.bars("^GSPC", start=START, end=END).frame["close"].pct_change()
    return bars, spx


@dataclass
class Recorder:
    """Records the last date of every bars frame handed to fit and positions."""

    name: str = "recorder"
    fits: list[tuple[Fold | None, pd.Timestamp]] = field(default_factory=list)
    calls: list[pd.Timestamp] = field(default_factory=list)

    def fit(self, bars: pd.DataFrame, *, train: Fold | None = None) -> None:
        self.fits.append((train, bars.index.max()))

    def positions(self, bars: pd.DataFrame) -> pd.Series:
        self.calls.append(bars.index.max())
        return pd.Series(1.0, index=bars.index)


@dataclass
class Memorizer:
    """Overfits: learns the sign of each training date's next session and replays it."""

    name: str = "memorizer"
    table: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))

    def fit(self, bars: pd.DataFrame, *, train: Fold | None = None) -> None:
        session = bars["close"] / bars["open"] - 1
        label = np.sign(session.shift(-1)).dropna()  # the next day's move: a forward label
        self.table = label[train.train_mask(label.index)] if train is not None else label

    def positions(self, bars: pd.DataFrame) -> pd.Series:
        return self.table.reindex(bars.index).fillna(0.0)


@dataclass
class PeeksAtTomorrow:
    name: str = "cheat"

    def fit(self, bars: pd.DataFrame, *, train: Fold | None = None) -> None:
        return None

    def positions(self, bars: pd.DataFrame) -> pd.Series:
        return (bars["close"].shift(-1) > bars["close"]).astype(float)


def test_sma_cross_walk_forward_on_aapl() -> None:
    bars, spx = aapl_and_spx()
    splitter = WalkForward(train_months=12, test_months=3, purge=20)
    result = walk_forward_backtest(
        bars, SmaCross(), splitter=splitter, benchmark=spx, rng=np.random.default_rng(11)
    )
    folds = splitter.split(bars.index)
    assert len(result.folds) == len(folds) >= 8
    oos = result.out_of_sample
    assert oos.returns.index[0] == folds[0].test_start
    assert oos.returns.index[-1] == folds[-1].test_end == pd.Timestamp("2013-02-28")
    # a rule needs no fitting: the stitched run is the plain backtest of its positions
    window = bars.loc[folds[0].test_start :]
    direct = backtest(window, SmaCross().positions(bars).reindex(window.index), benchmark=spx)
    pd.testing.assert_series_equal(oos.returns, direct.returns)
    assert result.gap == {"annual_return": 0.0, "sharpe": 0.0}
    report = oos.report
    for name in ("annual_return", "sharpe", "sortino", "calmar", "max_drawdown", "alpha"):
        assert math.isfinite(getattr(report, name)), name
    assert report.trade_count >= 3 and 0.5 < report.exposure < 1.0
    assert -1 < report.max_drawdown < 0 and report.max_drawdown_duration > 0
    # per-fold reports are the stitched returns cut at each test window
    for f in result.folds:
        cut = oos.returns[f.fold.test_mask(oos.returns.index)]
        assert f.report.total_return == pytest.approx(float(np.prod(1 + cut) - 1), abs=1e-12)
        assert f.report.days == len(cut)
    assert set(result.baselines) == {"buy_and_hold", "random"}
    hold = result.baselines["buy_and_hold"].report
    expected = (1 - 0.0015) * window["close"].iloc[-1] / window["open"].iloc[1] - 1
    assert hold.total_return == pytest.approx(expected, rel=1e-12)
    random = result.baselines["random"].report
    assert abs(random.exposure - report.exposure) < 0.25
    assert result.lookahead_violations == ()
    check_stability_verdicts(result)
    out = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert len(out["folds"]) == len(folds) and out["gap"] == {"annual_return": 0.0, "sharpe": 0.0}
    assert out["walk_forward"]["sharpe"] == pytest.approx(report.sharpe)
    assert [r["name"] for r in out["stability"]["rules"]] == [
        "fold_returns_consistent",
        "fold_sharpe",
        "fold_drawdown",
    ]


def check_stability_verdicts(result) -> None:  # noqa: ANN001 - a WalkForwardResult
    returns = np.array([f.report.total_return for f in result.folds])
    sharpes = [f.report.sharpe for f in result.folds]
    drawdowns = [f.report.max_drawdown for f in result.folds]
    consistent, sharpe, drawdown = result.stability
    assert consistent.passed == bool(np.all(np.abs(returns - returns.mean()) <= 0.03))
    assert sharpe.passed == all(s > 0.8 for s in sharpes)  # NaN (flat fold) fails
    assert drawdown.passed == all(d > -0.15 for d in drawdowns)
    assert len(consistent.values) == len(sharpe.values) == len(result.folds)
    assert result.stable == (consistent.passed and sharpe.passed and drawdown.passed)


def test_sma_cross_on_aapl_is_not_stable_by_the_specification() -> None:
    bars, spx = aapl_and_spx()
    result = walk_forward_backtest(bars, SmaCross(), splitter=WalkForward(), benchmark=spx)
    # 2008: folds with -39% and Sharpe -4.3; quarters flat throughout have no Sharpe at all
    assert not result.stable
    assert [rule.passed for rule in result.stability] == [False, False, False]
    assert min(rule for rule in result.stability[2].values) < -0.3


def test_a_steady_series_passes_every_stability_rule() -> None:
    rng = np.random.default_rng(4)
    n = 1500
    close = 100 * np.exp(np.cumsum(0.0004 + rng.normal(0, 0.0005, n)))
    index = pd.bdate_range("2010-01-01", periods=n, name="date")
    bars = pd.DataFrame({"open": close * (1 - 0.0005), "close": close}, index=index)
    result = walk_forward_backtest(bars, BuyAndHold(), splitter=WalkForward(), baselines=[])
    assert result.stable and all(rule.passed for rule in result.stability)
    assert result.baselines == {}
    check_stability_verdicts(result)


def test_fit_never_sees_a_date_after_the_folds_train_end() -> None:
    bars, _ = aapl_and_spx()
    recorder = Recorder()
    splitter = WalkForward()
    walk_forward_backtest(bars, recorder, splitter=splitter, baselines=[])
    folds = splitter.split(bars.index)
    assert [fold for fold, _ in recorder.fits[:-1]] == folds
    for fold, seen in recorder.fits[:-1]:
        assert fold is not None and seen == fold.train_end < fold.test_start
    assert recorder.fits[-1] == (None, bars.index[-1])  # the in-sample run: all bars, no fold
    # per fold: positions on the window up to its test end, then three audit cuts inside it
    per_fold = np.array(recorder.calls[: 4 * len(folds)]).reshape(len(folds), 4)
    for fold, calls in zip(folds, per_fold, strict=True):
        assert calls[0] == fold.test_end
        assert all(fold.test_start <= t < fold.test_end for t in calls[1:])


def test_in_sample_overfitting_shows_as_a_gap() -> None:
    bars, _ = aapl_and_spx()
    result = walk_forward_backtest(bars, Memorizer(), splitter=WalkForward(), baselines=[])
    assert result.out_of_sample.report.exposure == 0.0  # no test date was ever learnt
    assert result.out_of_sample.report.total_return == 0.0
    assert result.in_sample.report.sharpe > 5  # it has memorised the answers
    assert result.gap["annual_return"] > 1.0
    assert math.isnan(result.gap["sharpe"])  # a flat walk-forward run has no Sharpe
    assert result.to_dict()["gap"]["sharpe"] is None


def test_the_audit_flags_a_strategy_that_peeks_ahead() -> None:
    bars, _ = aapl_and_spx()
    result = walk_forward_backtest(bars, PeeksAtTomorrow(), splitter=WalkForward(), baselines=[])
    # it differs from the full run only when the truncated day's tomorrow was up: three audit
    # dates per fold catch it in most folds
    assert len(result.lookahead_violations) >= len(result.folds)
    assert result.to_dict()["lookahead_violations"][0] == (
        f"{result.lookahead_violations[0]:%Y-%m-%d}"
    )
