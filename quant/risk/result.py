"""``VaRResult``: one VaR/CVaR estimate and what it was computed from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

VaRMethod = Literal[
    "historical",
    "historical_sqrt_time",
    "normal",
    "cornish_fisher",
    "monte_carlo_gbm",
    "monte_carlo_bootstrap",
    "monte_carlo_normal",
]


@dataclass(frozen=True, slots=True)
class VaRResult:
    """Value at Risk and CVaR (expected shortfall) as positive loss fractions.

    ``var = 0.031`` means: over ``horizon_days``, the loss exceeds 3.1% of the starting value
    with probability ``1 - level``; ``cvar`` is the average loss in those cases. A negative
    value means even that quantile is a gain (possible with strong drift); it is not clipped.
    n_obs: daily returns the estimate used (after NaNs were dropped).
    n_paths: simulated paths (Monte Carlo only).
    window_start, window_end: dates of the first and last return used (Series input only).
    note: how an edge case was handled (e.g. a covariance fallback), else None.
    """

    method: VaRMethod
    level: float
    horizon_days: int
    var: float
    cvar: float
    n_obs: int
    n_paths: int | None = None
    window_start: date | None = None
    window_end: date | None = None
    note: str | None = None

    def to_dict(self) -> dict[str, object]:
        """JSON-ready: dates as ISO strings, NaN kept as float NaN."""
        return {
            "method": self.method,
            "level": self.level,
            "horizon_days": self.horizon_days,
            "var": self.var,
            "cvar": self.cvar,
            "n_obs": self.n_obs,
            "n_paths": self.n_paths,
            "window_start": None if self.window_start is None else self.window_start.isoformat(),
            "window_end": None if self.window_end is None else self.window_end.isoformat(),
            "note": self.note,
        }
