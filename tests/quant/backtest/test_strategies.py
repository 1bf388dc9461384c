from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

import numpy as np
import pandas as pd
import pytest

from data.providers.bundled import BundledProvider
from data.service import MarketData
from quant.backtest.splits import Fold
from quant.backtest.strategies import (
    LONG_SHORT,
    BuyAndHold,
    RandomStrategy,
    ScoreStrategy,
    SmaCross,
    Strategy,
    lookahead_violations,
)
from quant.signals.action import classify
from quant.signals.config import SignalConfig

END = date(2013, 2, 28)
THRESHOLDS = SignalConfig().confluence_thresholds


@cache
def real_bars() -> pd.DataFrame:
    return MarketData([BundledProvider()]).bars("AAPL", start=None, end=END).frame


def causal_score(bars: pd.DataFrame) -> pd.Series:
    """A score in [0, 1] from data up to each date: the 20-day return's rank in its last year."""
    momentum = bars["close"].pct_change(20)
    return momentum.rolling(252, min_periods=60).rank(pct=True)


@dataclass
class PeeksAtTomorrow:
    """Cheats: long when tomorrow's close is higher than today's."""

    name: str = "cheat"

    def fit(self, bars: pd.DataFrame, *, train: Fold | None = None) -> None:
        return None

    def positions(self, bars: pd.DataFrame) -> pd.Series:
        close = bars["close"]
        return (close.shift(-1) > close).astype(float)


def strategies() -> list[Strategy]:
    bars = real_bars()
    return [
        BuyAndHold(),
        SmaCross(),
        SmaCross(fast=20, slow=100, long_short=True),
        RandomStrategy(exposure=0.6, rng=np.random.default_rng(1)),
        RandomStrategy(exposure=0.3, rng=np.random.default_rng(2), long_short=True),
        ScoreStrategy(causal_score(bars), thresholds=THRESHOLDS),
        ScoreStrategy(causal_score(bars), thresholds=THRESHOLDS, mapping=LONG_SHORT),
    ]


def audit_dates(bars: pd.DataFrame) -> list[pd.Timestamp]:
    rng = np.random.default_rng(0)
    picks = rng.choice(np.arange(5, len(bars) - 1), size=25, replace=False)
    return [bars.index[i] for i in sorted(picks)] + [bars.index[199], bars.index[200]]


@pytest.mark.parametrize("strategy", strategies(), ids=lambda s: s.name)
def test_positions_on_truncated_bars_equal_the_full_run(strategy: Strategy) -> None:
    bars = real_bars()
    assert isinstance(strategy, Strategy)
    assert lookahead_violations(strategy, bars, at=audit_dates(bars)) == []
    positions = strategy.positions(bars)
    assert positions.index.equals(bars.index) and positions.notna().all()


def test_a_strategy_that_peeks_at_tomorrow_is_caught() -> None:
    bars = real_bars()
    cheat = PeeksAtTomorrow()
    assert isinstance(cheat, Strategy)
    found = lookahead_violations(cheat, bars, at=audit_dates(bars))
    # truncated at t, the cheat cannot see t+1 and its last position changes (or turns flat)
    assert len(found) >= 10
    assert set(found) <= set(audit_dates(bars))


def test_sma_cross_values() -> None:
    bars = real_bars()
    close = bars["close"].to_numpy()
    long_flat = SmaCross().positions(bars).to_numpy()
    long_short = SmaCross(long_short=True).positions(bars).to_numpy()
    t = 500
    fast, slow = close[t - 49 : t + 1].mean(), close[t - 199 : t + 1].mean()
    assert long_flat[t] == (1.0 if fast > slow else 0.0)
    assert (long_flat[:199] == 0).all() and (long_short[:199] == 0).all()  # warming up
    assert set(np.unique(long_flat[199:])) == {0.0, 1.0}
    np.testing.assert_array_equal(long_short[199:], np.where(long_flat[199:] == 1.0, 1.0, -1.0))


def test_random_strategy_is_seeded_and_has_the_asked_exposure() -> None:
    bars = pd.DataFrame(
        {"close": np.ones(20_000)}, index=pd.bdate_range("1950-01-02", periods=20_000)
    )
    a = RandomStrategy(exposure=0.3, rng=np.random.default_rng(7), mean_holding=10)
    b = RandomStrategy(exposure=0.3, rng=np.random.default_rng(7), mean_holding=10)
    pa = a.positions(bars)
    assert pa.equals(b.positions(bars)) and pa.equals(a.positions(bars))
    assert not pa.equals(RandomStrategy(exposure=0.3, rng=np.random.default_rng(8)).positions(bars))
    assert abs((pa != 0).mean() - 0.3) < 0.03
    spells = int(((pa != 0) & (pa.shift(1, fill_value=0) == 0)).sum())
    assert 8 < (pa != 0).sum() / spells < 12
    both = RandomStrategy(exposure=0.5, rng=np.random.default_rng(7), long_short=True)
    assert set(np.unique(both.positions(bars))) == {-1.0, 0.0, 1.0}
    assert (RandomStrategy(exposure=0.0, rng=np.random.default_rng(1)).positions(bars) == 0).all()
    assert (RandomStrategy(exposure=1.0, rng=np.random.default_rng(1)).positions(bars) == 1).all()
    with pytest.raises(ValueError, match="exposure"):
        RandomStrategy(exposure=1.5, rng=np.random.default_rng(1))


def test_random_baseline_matches_another_strategys_exposure() -> None:
    sma = SmaCross(fast=5, slow=20).positions(real_bars())
    matched = RandomStrategy.matching(sma, rng=np.random.default_rng(3))
    assert matched.exposure == pytest.approx(float((sma != 0).mean()))
    spells = int(((sma != 0) & (sma.shift(1, fill_value=0) == 0)).sum())
    assert matched.mean_holding == pytest.approx(float((sma != 0).sum()) / spells)
    got = (matched.positions(real_bars()) != 0).mean()
    assert abs(got - matched.exposure) < 0.1


def test_score_strategy_maps_scores_through_classify() -> None:
    bars = real_bars()
    score = causal_score(bars)
    long_flat = ScoreStrategy(score, thresholds=THRESHOLDS).positions(bars)
    long_short = ScoreStrategy(score, thresholds=THRESHOLDS, mapping=LONG_SHORT).positions(bars)
    for t in range(0, len(bars), 37):
        s = score.iloc[t]
        if np.isnan(s):
            assert long_flat.iloc[t] == 0.0 and long_short.iloc[t] == 0.0
            continue
        direction = classify(float(s), THRESHOLDS).direction
        assert long_flat.iloc[t] == max(direction, 0)
        assert long_short.iloc[t] == direction
    assert set(np.unique(long_short)) == {-1.0, 0.0, 1.0}
    # exact boundaries follow classify: 0.55 is HOLD, just above is BUY
    edges = pd.Series([0.55, 0.5500001, 0.45, 0.4499999, np.nan], index=bars.index[:5])
    got = ScoreStrategy(edges, thresholds=THRESHOLDS, mapping=LONG_SHORT).positions(bars.iloc[:5])
    assert got.tolist() == [0.0, 1.0, 0.0, -1.0, 0.0]
