"""Monte Carlo VaR and CVaR from simulated terminal returns (GBM or bootstrap of history).

VaR needs only each path's value at the horizon, so no path is kept: GBM draws its terminal log
return exactly (the sum of N i.i.d. normals is normal), and the bootstrap sums its resampled
days chunk by chunk (see ``quant.risk.models``). The terminal simple returns
``exp(sum of log returns) - 1`` are then treated like a historical sample (same quantile
convention, see ``quant.risk.historical``). Several levels share one simulated sample, so their
VaRs are ordered consistently.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np

from quant.arrays import FloatArray
from quant.risk._inputs import (
    Returns,
    check_horizon,
    check_level,
    check_positive_int,
    clean_returns,
)
from quant.risk.errors import RiskInputError
from quant.risk.historical import empirical_var_cvar
from quant.risk.models import CHUNK_ELEMENTS, GBM, Bootstrap, PathModel
from quant.risk.result import VaRResult

MonteCarloModel = Literal["gbm", "bootstrap"]
N_PATHS = 10_000


def simulate_horizon_returns(
    model: PathModel,
    *,
    horizon_days: int,
    rng: np.random.Generator,
    n_paths: int = N_PATHS,
    chunk_elements: int = CHUNK_ELEMENTS,
) -> FloatArray:
    """Simulated simple returns over ``horizon_days``, shape (n_paths,)."""
    logs = model.terminal_log_returns(
        horizon_days=check_horizon(horizon_days),
        n_paths=check_positive_int(n_paths, name="n_paths"),
        rng=rng,
        chunk_elements=chunk_elements,
    )
    return np.expm1(logs)


def monte_carlo_vars(
    returns: Returns,
    *,
    rng: np.random.Generator,
    levels: Sequence[float] = (0.95, 0.99),
    horizon_days: int = 1,
    model: MonteCarloModel = "gbm",
    n_paths: int = N_PATHS,
    block_size: int = 1,
    chunk_elements: int = CHUNK_ELEMENTS,
) -> list[VaRResult]:
    """Monte Carlo VaR and CVaR at each level, from one simulated sample.

    returns: shape (n_obs,) simple daily returns, oldest first (Series or array); NaNs dropped.
    model: "gbm" (log returns ~ N(mu, sigma^2) fitted to the history) or "bootstrap" (resampled
    history; ``block_size > 1`` for a circular block bootstrap).
    rng: the generator to draw from; the same seed and arguments give the same results.
    """
    checked = [check_level(level) for level in levels]
    fitted: PathModel
    if model == "gbm":
        if block_size != 1:
            raise RiskInputError("block_size applies to the bootstrap model only")
        clean = clean_returns(returns, min_obs=2)
        fitted, note = GBM.fit(clean.values), None
    elif model == "bootstrap":
        clean = clean_returns(returns, min_obs=1)
        fitted = Bootstrap.fit(clean.values, block_size=block_size)
        note = f"circular block bootstrap, block_size={block_size}" if block_size > 1 else None
    else:
        raise RiskInputError(f"model must be 'gbm' or 'bootstrap', got {model!r}")
    sample = simulate_horizon_returns(
        fitted, horizon_days=horizon_days, rng=rng, n_paths=n_paths, chunk_elements=chunk_elements
    )
    results = []
    for level in checked:
        var, cvar = empirical_var_cvar(sample, level=level)
        results.append(
            VaRResult(
                method="monte_carlo_gbm" if model == "gbm" else "monte_carlo_bootstrap",
                level=level,
                horizon_days=horizon_days,
                var=var,
                cvar=cvar,
                n_obs=clean.n_obs,
                n_paths=n_paths,
                window_start=clean.start,
                window_end=clean.end,
                note=note,
            )
        )
    return results


def monte_carlo_var(
    returns: Returns,
    *,
    rng: np.random.Generator,
    level: float = 0.95,
    horizon_days: int = 1,
    model: MonteCarloModel = "gbm",
    n_paths: int = N_PATHS,
    block_size: int = 1,
    chunk_elements: int = CHUNK_ELEMENTS,
) -> VaRResult:
    """Monte Carlo VaR and CVaR at one level; see ``monte_carlo_vars``."""
    (result,) = monte_carlo_vars(
        returns,
        rng=rng,
        levels=(level,),
        horizon_days=horizon_days,
        model=model,
        n_paths=n_paths,
        block_size=block_size,
        chunk_elements=chunk_elements,
    )
    return result
