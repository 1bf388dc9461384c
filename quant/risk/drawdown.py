"""Path risk from Monte Carlo paths: the distribution of maximum drawdown, and ruin.

For each path, with ``X_t`` the cumulative log return after t days (X_0 = 0, the start):
    maximum drawdown = 1 - min_t exp(X_t - max(0, X_1..X_t)), the worst fall from a running peak
                       (the start counts as a peak), as a positive fraction;
    ruined           = min_t exp(X_t) <= 1 - threshold, i.e. the loss from the start reaches
                       ``threshold`` on some day within the horizon (daily monitoring).
Paths are simulated chunk by chunk (see ``quant.risk.models``) and reduced to three numbers
each before the next chunk, so memory is O(chunk + n_paths), never O(n_paths * horizon).
Running sums and maxima over days are prefix scans vectorised across paths (``_scan``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from quant.arrays import FloatArray
from quant.risk._inputs import check_fraction, check_horizon, check_level
from quant.risk._scan import inclusive_scan
from quant.risk.models import CHUNK_ELEMENTS, PathModel, chunk_sizes

RUIN_THRESHOLD = 0.20


@dataclass(frozen=True, slots=True, eq=False)
class PathRisk:
    """Per-path outcomes, each shape (n_paths,): max drawdown, lowest and final value / start."""

    max_drawdown: FloatArray
    min_value: FloatArray
    terminal_value: FloatArray

    def ruin_probability(self, *, threshold: float = RUIN_THRESHOLD) -> float:
        """Share of paths whose loss from the start reached ``threshold`` (e.g. 0.2 = -20%)."""
        threshold = check_fraction(threshold, name="threshold")
        return float(np.mean(self.min_value <= 1.0 - threshold))


def simulate_path_risk(
    model: PathModel,
    *,
    horizon_days: int,
    rng: np.random.Generator,
    n_paths: int = 10_000,
    chunk_elements: int = CHUNK_ELEMENTS,
) -> PathRisk:
    """Simulate ``n_paths`` daily paths over ``horizon_days`` and reduce each to its outcomes."""
    horizon_days = check_horizon(horizon_days)
    worst_logs, min_logs, last_logs = [], [], []
    for size in chunk_sizes(
        n_paths=n_paths, horizon_days=horizon_days, chunk_elements=chunk_elements
    ):
        increments = model.log_increments(horizon_days=horizon_days, n_paths=size, rng=rng)
        x = inclusive_scan(increments, ufunc=np.add)  # log of value / start after each day
        peak = inclusive_scan(np.maximum(x, 0.0), ufunc=np.maximum)  # the start is a peak
        np.subtract(x, peak, out=peak)  # log of value / running peak, <= 0
        worst_logs.append(peak.min(axis=0))
        min_logs.append(x.min(axis=0))
        last_logs.append(x[-1].copy())  # a view would keep the whole chunk alive
    worst = np.concatenate(worst_logs).astype(np.float64)
    lowest = np.minimum(np.concatenate(min_logs).astype(np.float64), 0.0)
    return PathRisk(
        max_drawdown=-np.expm1(worst),
        min_value=np.exp(lowest),
        terminal_value=np.exp(np.concatenate(last_logs).astype(np.float64)),
    )


@dataclass(frozen=True, slots=True)
class DrawdownDistribution:
    """Summary of the simulated maximum drawdown and the probability of ruin over a horizon.

    quantiles: {q: drawdown} -- with probability q the path's max drawdown is at most this.
    """

    horizon_days: int
    n_paths: int
    mean: float
    quantiles: dict[float, float]
    ruin_threshold: float
    ruin_probability: float

    def to_dict(self) -> dict[str, object]:
        return {
            "horizon_days": self.horizon_days,
            "n_paths": self.n_paths,
            "mean": self.mean,
            "quantiles": {f"{q:g}": v for q, v in self.quantiles.items()},
            "ruin_threshold": self.ruin_threshold,
            "ruin_probability": self.ruin_probability,
        }


def drawdown_distribution(
    model: PathModel,
    *,
    rng: np.random.Generator,
    horizon_days: int = 252,
    n_paths: int = 10_000,
    quantiles: Sequence[float] = (0.5, 0.95, 0.99),
    ruin_threshold: float = RUIN_THRESHOLD,
    chunk_elements: int = CHUNK_ELEMENTS,
) -> DrawdownDistribution:
    """Mean and quantiles (linear interpolation) of the max drawdown, and P(ruin), from MC paths.

    model: a fitted ``GBM`` or ``Bootstrap``. ruin_threshold: loss from the start, in (0, 1].
    """
    qs = [check_level(q) for q in quantiles]
    threshold = check_fraction(ruin_threshold, name="ruin_threshold")
    risk = simulate_path_risk(
        model, horizon_days=horizon_days, rng=rng, n_paths=n_paths, chunk_elements=chunk_elements
    )
    values = np.quantile(risk.max_drawdown, qs, method="linear") if qs else np.empty(0)
    return DrawdownDistribution(
        horizon_days=horizon_days,
        n_paths=n_paths,
        mean=float(risk.max_drawdown.mean()),
        quantiles={q: float(v) for q, v in zip(qs, values, strict=True)},
        ruin_threshold=threshold,
        ruin_probability=risk.ruin_probability(threshold=threshold),
    )


def probability_of_ruin(
    model: PathModel,
    *,
    rng: np.random.Generator,
    horizon_days: int = 252,
    threshold: float = RUIN_THRESHOLD,
    n_paths: int = 10_000,
    chunk_elements: int = CHUNK_ELEMENTS,
) -> float:
    """P(loss from the start reaches ``threshold`` on some day within the horizon), from MC."""
    threshold = check_fraction(threshold, name="threshold")
    risk = simulate_path_risk(
        model, horizon_days=horizon_days, rng=rng, n_paths=n_paths, chunk_elements=chunk_elements
    )
    return risk.ruin_probability(threshold=threshold)
