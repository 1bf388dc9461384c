"""Strategies: target positions from bars, one value per date using only bars up to that date.

A ``Strategy`` has a ``name``, ``fit(bars, *, train)`` (a no-op for rules; models fit on the
fold's train dates only) and ``positions(bars)``: the target decided at each date's close, for
``engine.backtest``. Technical, ML and confluence strategies plug in through this protocol; the
baselines here are what they must beat. ``lookahead_violations`` checks the "only bars <= t" rule
by recomputing positions on truncated bars.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np
import pandas as pd

from quant.backtest.splits import Fold
from quant.signals.action import Action, classify
from quant.signals.config import Thresholds

LONG_FLAT: Mapping[Action, float] = {
    Action.STRONG_SELL: 0.0,
    Action.SELL: 0.0,
    Action.HOLD: 0.0,
    Action.BUY: 1.0,
    Action.STRONG_BUY: 1.0,
}
LONG_SHORT: Mapping[Action, float] = {**LONG_FLAT, Action.SELL: -1.0, Action.STRONG_SELL: -1.0}


@runtime_checkable
class Strategy(Protocol):
    """Target positions per date (decided at the close, from bars <= that date)."""

    name: str

    def fit(self, bars: pd.DataFrame, *, train: Fold | None = None) -> None:
        """Learn from ``bars`` (never past ``train.train_end``); rules do nothing."""
        ...

    def positions(self, bars: pd.DataFrame) -> pd.Series:
        """The target position for every date of ``bars``; NaN means flat."""
        ...


@dataclass
class BuyAndHold:
    """Always long ``weight``."""

    weight: float = 1.0
    name: str = "buy_and_hold"

    def fit(self, bars: pd.DataFrame, *, train: Fold | None = None) -> None:
        return None

    def positions(self, bars: pd.DataFrame) -> pd.Series:
        return pd.Series(self.weight, index=bars.index, dtype=np.float64, name=self.name)


@dataclass
class SmaCross:
    """Long while SMA(fast) > SMA(slow) of the close; otherwise flat (or short if long_short).

    Flat until the slow average has ``slow`` bars.
    """

    fast: int = 50
    slow: int = 200
    long_short: bool = False
    name: str = "sma_cross"

    def fit(self, bars: pd.DataFrame, *, train: Fold | None = None) -> None:
        return None

    def positions(self, bars: pd.DataFrame) -> pd.Series:
        close = bars["close"]
        fast = close.rolling(self.fast, min_periods=self.fast).mean()
        slow = close.rolling(self.slow, min_periods=self.slow).mean()
        below = -1.0 if self.long_short else 0.0
        values = np.where(fast > slow, 1.0, np.where(fast <= slow, below, 0.0))
        return pd.Series(values, index=bars.index, name=self.name)


@dataclass
class RandomStrategy:
    """Random spells in and out of the market: a seeded baseline with a chosen exposure.

    Spell lengths are geometric with mean ``mean_holding`` bars (>= 1) in the market and
    ``mean_holding * (1 - exposure) / exposure`` bars (>= 0) out of it, so the expected share of
    bars in the market is ``exposure``. long_short: each spell in the market is long or short at
    random. The draws depend only on the seed and the bar count, so truncated bars give a prefix.
    """

    exposure: float
    rng: np.random.Generator = field(repr=False)
    mean_holding: float = 20.0
    long_short: bool = False
    name: str = "random"
    _seed: int = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if not 0.0 <= self.exposure <= 1.0:
            raise ValueError(f"exposure must be in [0, 1], got {self.exposure}")
        if self.mean_holding < 1.0:
            raise ValueError(f"mean_holding must be >= 1 bar, got {self.mean_holding}")
        self._seed = int(self.rng.integers(0, 2**63 - 1))

    @classmethod
    def matching(
        cls, positions: pd.Series, *, rng: np.random.Generator, long_short: bool = False
    ) -> RandomStrategy:
        """A random baseline with the exposure and average spell length of ``positions``."""
        held = np.nan_to_num(positions.to_numpy(np.float64)) != 0
        spells = int(np.sum(held & ~np.concatenate(([False], held[:-1]))))
        mean_holding = max(1.0, held.sum() / spells) if spells else 1.0
        return cls(
            exposure=float(held.mean()) if held.size else 0.0,
            rng=rng,
            mean_holding=float(mean_holding),
            long_short=long_short,
        )

    def fit(self, bars: pd.DataFrame, *, train: Fold | None = None) -> None:
        return None

    def positions(self, bars: pd.DataFrame) -> pd.Series:
        n = len(bars)
        values = np.zeros(n)
        if self.exposure > 0 and n:
            values = self._spells(n)
        return pd.Series(values, index=bars.index, name=self.name)

    def _spells(self, n: int, chunk: int = 256) -> np.ndarray:
        rng = np.random.default_rng(self._seed)
        in_market = rng.random() < self.exposure
        mean_out = self.mean_holding * (1.0 - self.exposure) / self.exposure
        lengths, states, total = [], [], 0
        while total < n:  # fixed-size chunks: a shorter series draws a prefix of the same stream
            ins = rng.geometric(1.0 / self.mean_holding, size=chunk)  # >= 1 bar
            outs = rng.geometric(1.0 / (1.0 + mean_out), size=chunk) - 1  # >= 0 bars
            signs = rng.choice([-1.0, 1.0], size=chunk) if self.long_short else np.ones(chunk)
            pair = np.stack([ins, outs], axis=1) if in_market else np.stack([outs, ins], axis=1)
            value = np.stack([signs, np.zeros(chunk)], axis=1)
            if not in_market:
                value = value[:, ::-1]
            lengths.append(pair.ravel())
            states.append(value.ravel())
            total += int(pair.sum())
        return np.repeat(np.concatenate(states), np.concatenate(lengths))[:n]


@dataclass
class ScoreStrategy:
    """Positions from a precomputed score in [0, 1] (score at t known at the close of t).

    Each score is classified by ``quant.signals.action.classify`` with ``thresholds`` and the
    action mapped to a position by ``mapping`` (``LONG_FLAT`` or ``LONG_SHORT``, or any other).
    Dates without a score (or a NaN score) are flat.
    """

    score: pd.Series
    thresholds: Thresholds
    mapping: Mapping[Action, float] = field(default_factory=lambda: dict(LONG_FLAT))
    name: str = "score"

    def fit(self, bars: pd.DataFrame, *, train: Fold | None = None) -> None:
        return None

    def positions(self, bars: pd.DataFrame) -> pd.Series:
        score = self.score.reindex(bars.index).to_numpy(np.float64)
        known = ~np.isnan(score)
        values = np.zeros(score.size)
        unique, inverse = np.unique(score[known], return_inverse=True)
        mapped = np.array([self.mapping[classify(float(s), self.thresholds)] for s in unique])
        values[known] = mapped[inverse] if unique.size else 0.0
        return pd.Series(values, index=bars.index, name=self.name)


def lookahead_violations(
    strategy: Strategy, bars: pd.DataFrame, *, at: Iterable[pd.Timestamp]
) -> list[pd.Timestamp]:
    """Dates t in ``at`` where positions from bars truncated at t differ from the full run's.

    A strategy that uses only bars <= t gives the same positions up to t either way; one that
    peeks ahead changes its past when the future is cut off.
    """
    full = strategy.positions(bars).to_numpy(np.float64)
    bad = []
    for t in at:
        cut = bars.loc[:t]
        part = strategy.positions(cut).to_numpy(np.float64)
        if not np.array_equal(part, full[: len(cut)], equal_nan=True):
            bad.append(pd.Timestamp(t))
    return bad
