"""Historical (empirical) VaR and CVaR, and the tail statistics every sampled method shares.

Quantile convention (used for history and for Monte Carlo samples alike): the loss quantile is
``np.quantile(sample, 1 - level, method="linear")`` -- numpy's default, Hyndman & Fan type 7,
which interpolates linearly between the two order statistics around ``(n - 1) * (1 - level)``.
VaR is minus that quantile; CVaR is minus the mean of the observations at or below it (the tail
is never empty, because the quantile is at least the sample minimum).

N-day horizons, ``scaling="overlapping"`` (default): the sample is every overlapping N-day
compounded return, ``prod(1 + r[t-N+1..t]) - 1`` for t = N-1..n-1, so ``n - N + 1`` values.
Consecutive windows share N - 1 days, so the effective sample size is about n / N, not
n - N + 1: the estimate is noisier than the count suggests. A horizon longer than the history
raises ``InsufficientDataError``.
``scaling="sqrt_time"``: 1-day VaR and CVaR times sqrt(N), the square-root-of-time rule. It
assumes i.i.d. returns with zero mean and ignores compounding; it is the regulatory shortcut,
offered for comparison.
"""

from __future__ import annotations

import math
from typing import Final, Literal

import numpy as np

from quant.arrays import FloatArray
from quant.risk._inputs import Returns, check_horizon, check_level, clean_returns, log_returns
from quant.risk.errors import InsufficientDataError, RiskInputError
from quant.risk.result import VaRResult

QUANTILE_METHOD: Final = "linear"
Scaling = Literal["overlapping", "sqrt_time"]


def empirical_var_cvar(sample: FloatArray, *, level: float) -> tuple[float, float]:
    """(VaR, CVaR) of a sample of returns, as positive loss fractions.

    sample: array of shape (n,), finite simple returns. VaR is minus the ``1 - level`` quantile
    (linear interpolation); CVaR is minus the mean of the sample at or below that quantile.
    """
    level = check_level(level)
    if sample.size == 0:
        raise InsufficientDataError("cannot take a quantile of an empty sample")
    q = float(np.quantile(sample, 1.0 - level, method=QUANTILE_METHOD))
    tail_mean = float(sample[sample <= q].mean())
    # Every tail value is <= q, so the mean is too; min() only removes a rounding ulp.
    return -q, -min(tail_mean, q)


def overlapping_returns(values: FloatArray, *, horizon_days: int) -> FloatArray:
    """Every overlapping ``horizon_days``-day compounded return of a daily return array.

    values: shape (n,), finite simple returns > -1, oldest first. Returns shape (n - N + 1,).
    Computed from differences of the cumulative sum of log(1 + r), so O(n) for any horizon.
    """
    horizon_days = check_horizon(horizon_days)
    if values.size < horizon_days:
        raise InsufficientDataError(
            f"a {horizon_days}-day horizon needs at least {horizon_days} returns, got {values.size}"
        )
    if horizon_days == 1:
        return values.copy()
    cum = np.concatenate(([0.0], np.cumsum(log_returns(values))))
    return np.expm1(cum[horizon_days:] - cum[:-horizon_days])


def historical_var(
    returns: Returns,
    *,
    level: float = 0.95,
    horizon_days: int = 1,
    scaling: Scaling = "overlapping",
) -> VaRResult:
    """Historical VaR and CVaR of a daily return series, as positive loss fractions.

    returns: shape (n_obs,) simple daily returns, oldest first (Series or array); NaNs dropped.
    level: confidence level in (0, 1). horizon_days: N >= 1.
    scaling: "overlapping" (empirical N-day compounded returns) or "sqrt_time" (1-day x sqrt N);
    see the module docstring.
    """
    level = check_level(level)
    horizon_days = check_horizon(horizon_days)
    clean = clean_returns(returns)
    if scaling == "overlapping":
        sample = overlapping_returns(clean.values, horizon_days=horizon_days)
        var, cvar = empirical_var_cvar(sample, level=level)
        method: Literal["historical", "historical_sqrt_time"] = "historical"
    elif scaling == "sqrt_time":
        var_1, cvar_1 = empirical_var_cvar(clean.values, level=level)
        root = math.sqrt(horizon_days)
        var, cvar = var_1 * root, cvar_1 * root
        method = "historical_sqrt_time"
    else:
        raise RiskInputError(f"scaling must be 'overlapping' or 'sqrt_time', got {scaling!r}")
    return VaRResult(
        method=method,
        level=level,
        horizon_days=horizon_days,
        var=var,
        cvar=cvar,
        n_obs=clean.n_obs,
        window_start=clean.start,
        window_end=clean.end,
    )
