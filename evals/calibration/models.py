"""The result types of the decision calibration (``evals.calibration.scoring``): frozen pydantic
models, JSON-ready with ``model_dump(mode="json")``; None where a value is undefined."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict

__all__ = [
    "ActionRow",
    "Bins",
    "Bucket",
    "BucketGroup",
    "CalibrationInputError",
    "CalibrationResult",
    "HoldScore",
    "HorizonResult",
    "ReliabilityBin",
    "StrategyScore",
]

Bins = Literal["quantile", "uniform"]
BucketGroup = Literal["action", "score quintile", "baseline"]


class CalibrationInputError(ValueError):
    """The calls cannot be scored as given (missing columns, an unknown action, duplicates)."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class StrategyScore(_Frozen):
    """One strategy's calls at one horizon (None where undefined: no calls, no probability)."""

    name: str
    directional: int  # calls with a direction (buys and sells)
    abstained: int  # calls without one (HOLD; momentum without history)
    hits: int
    hit_rate: float | None
    mean_signed_return: float | None  # mean of direction x forward return: following the calls
    brier: float | None
    log_loss: float | None
    draws: int = 1  # random: the number of shuffles averaged
    hit_rate_p05: float | None = None  # random: percentiles of the hit rate over the draws
    hit_rate_p95: float | None = None


class ActionRow(_Frozen):
    action: str
    count: int
    hit_rate: float | None  # None for HOLD (no direction)
    mean_return: float | None


class HoldScore(_Frozen):
    count: int
    band: float  # |forward return| under this counts as quiet
    quiet_share: float | None  # of HOLD calls
    quiet_share_all: float | None  # of every scored call, the HOLD share's baseline
    mean_abs_return: float | None  # of HOLD calls
    mean_abs_return_directional: float | None  # of buys and sells


class ReliabilityBin(_Frozen):
    lower: float
    upper: float
    count: int
    mean_probability: float | None
    observed: float | None  # share of hits


class Bucket(_Frozen):
    group: BucketGroup
    label: str
    count: int
    mean_return: float | None
    up_share: float | None  # share of forward returns > 0


class HorizonResult(_Frozen):
    horizon: int
    scored: int
    dropped: int  # calls without ``horizon`` bars after their entry
    strategies: list[StrategyScore]  # the signal first, then the baselines
    hit_rate_p_value: float | None  # share of random draws with a hit rate >= the signal's
    by_action: list[ActionRow]
    hold: HoldScore
    reliability: list[ReliabilityBin]
    buckets: list[Bucket]

    def strategy(self, name: str) -> StrategyScore:
        return next(s for s in self.strategies if s.name == name)


class CalibrationResult(_Frozen):
    calls: int
    no_price: int  # calls without a close on or before their date
    tickers: list[str]
    start: date | None
    end: date | None
    bins: Bins
    lookback: int
    hold_band: float  # a HOLD's quiet band at 1 bar (times sqrt(h) at h bars)
    draws: int  # random shuffles
    horizons: list[HorizonResult]

    def horizon(self, h: int) -> HorizonResult:
        return next(r for r in self.horizons if r.horizon == h)
