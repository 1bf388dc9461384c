"""Parametric VaR and CVaR: normal, and Cornish-Fisher (skew- and kurtosis-adjusted).

Moments of the daily simple returns (NaNs dropped): mean, standard deviation (ddof=1), and the
sample-size-adjusted skewness G1 and excess kurtosis G2 (what pandas ``skew()``/``kurt()`` and
Excel return). An N-day horizon treats the N-day return as the sum of N i.i.d. daily returns
(compounding ignored): mean N*mu, std sqrt(N)*sigma, skew S/sqrt(N), excess kurtosis K/N.

Normal: VaR = -mu + sigma*z, CVaR = -mu + sigma*phi(z)/(1-level), z = Phi^-1(level).

Cornish-Fisher: the standard-normal quantile z_p (p = 1 - level) is replaced by
    g(z) = z + (z^2-1) S/6 + (z^3-3z) K/24 - (2z^3-5z) S^2/36,
so VaR = -(mu + sigma*g(z_p)). CVaR is computed consistently with that VaR: it is the average of
the Cornish-Fisher quantiles over the tail, CVaR = -(mu + sigma * E[g(Z) | Z <= z_p]), and with
the truncated normal moments this integral has the closed form
    E[g(Z) | Z <= z] = phi(z)/p * (-1 - z S/6 + (1-z^2) K/24 - (1-2z^2) S^2/36).
(With S = K = 0 both reduce to the normal formulas.) The expansion defines a distribution only
where g is increasing; when g is not increasing over the whole left tail (-inf, z_p] -- large
kurtosis with strong skew, or excess kurtosis below 4 S^2/3 -- the result would be meaningless
(CVaR could fall below VaR) and ``CornishFisherDomainError`` is raised.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from quant.arrays import FloatArray
from quant.risk._inputs import CleanReturns, Returns, check_horizon, check_level, clean_returns
from quant.risk.errors import CornishFisherDomainError
from quant.risk.result import VaRMethod, VaRResult


@dataclass(frozen=True, slots=True)
class Moments:
    """Sample moments of daily returns; skew and excess kurtosis are NaN if std is 0 or n < 4."""

    mean: float
    std: float
    skew: float
    excess_kurtosis: float
    n_obs: int

    def over(self, horizon_days: int) -> Moments:
        """Moments of the sum of ``horizon_days`` i.i.d. copies."""
        n = check_horizon(horizon_days)
        return Moments(
            mean=self.mean * n,
            std=self.std * math.sqrt(n),
            skew=self.skew / math.sqrt(n),
            excess_kurtosis=self.excess_kurtosis / n,
            n_obs=self.n_obs,
        )


def sample_moments(values: FloatArray) -> Moments:
    """Mean, std (ddof=1), adjusted skewness G1 and excess kurtosis G2 of shape-(n,) values.

    n >= 2; skew and kurtosis are NaN below n = 4 (G2's correction divides by (n-2)(n-3)).
    """
    n = values.size
    shifted = values - values[0]  # exactly 0 for constant data, whatever the rounding of a mean
    shift_mean = float(shifted.mean())
    mean = float(values[0]) + shift_mean
    dev = shifted - shift_mean
    scale = float(np.abs(dev).max())  # powers of dev / scale neither overflow nor underflow
    m2_scaled = float(np.mean((dev / scale) ** 2)) if scale > 0 else 0.0
    std = scale * math.sqrt(m2_scaled * n / (n - 1))
    if scale == 0.0 or n < 4:
        return Moments(mean=mean, std=std, skew=math.nan, excess_kurtosis=math.nan, n_obs=n)
    z = dev / (scale * math.sqrt(m2_scaled))
    g1 = float(np.mean(z**3))
    g2 = float(np.mean(z**4)) - 3.0
    skew = g1 * math.sqrt(n * (n - 1)) / (n - 2)
    kurt = ((n + 1) * g2 + 6.0) * (n - 1) / ((n - 2) * (n - 3))
    return Moments(mean=mean, std=std, skew=skew, excess_kurtosis=kurt, n_obs=n)


def normal_var_cvar(*, mean: float, std: float, level: float) -> tuple[float, float]:
    """(VaR, CVaR) of a normal return N(mean, std^2), as positive loss fractions."""
    from scipy.stats import norm  # here, not at the top: scipy.stats takes ~1 s to import

    level = check_level(level)
    z = float(norm.ppf(level))
    return -mean + std * z, -mean + std * float(norm.pdf(z)) / (1.0 - level)


def cornish_fisher_z(z: float, *, skew: float, excess_kurtosis: float) -> float:
    """The Cornish-Fisher adjusted standard quantile g(z)."""
    s, k = skew, excess_kurtosis
    return z + (z * z - 1) * s / 6 + (z**3 - 3 * z) * k / 24 - (2 * z**3 - 5 * z) * s * s / 36


def cornish_fisher_valid(*, p: float, skew: float, excess_kurtosis: float) -> bool:
    """Whether g is strictly increasing on the left tail (-inf, Phi^-1(p)].

    g'(u) = a u^2 + b u + c with a = K/8 - S^2/6, b = S/3, c = 1 - K/8 + 5 S^2/36.
    """
    from scipy.stats import norm

    z = float(norm.ppf(p))
    s, k = skew, excess_kurtosis
    a, b, c = k / 8 - s * s / 6, s / 3, 1 - k / 8 + 5 * s * s / 36

    def slope(u: float) -> float:
        return a * u * u + b * u + c

    if a > 0:
        return slope(min(z, -b / (2 * a))) > 0  # the parabola's minimum over (-inf, z]
    if a == 0:
        return (b < 0 and slope(z) > 0) or (b == 0 and c > 0)
    return False  # a < 0: g' -> -inf far in the tail


def cornish_fisher_var_cvar(
    *, mean: float, std: float, skew: float, excess_kurtosis: float, level: float
) -> tuple[float, float]:
    """(VaR, CVaR) under the Cornish-Fisher expansion; see the module docstring.

    std = 0 gives (-mean, -mean). Raises ``CornishFisherDomainError`` outside the valid domain.
    """
    from scipy.stats import norm

    level = check_level(level)
    if std == 0.0:
        return -mean, -mean
    p = 1.0 - level
    s, k = skew, excess_kurtosis
    if not cornish_fisher_valid(p=p, skew=s, excess_kurtosis=k):
        raise CornishFisherDomainError(
            f"Cornish-Fisher is not a valid distribution at level {level} for skew {s:.3g} "
            f"and excess kurtosis {k:.3g}; use historical or Monte Carlo VaR"
        )
    z = float(norm.ppf(p))
    tail_z = (
        float(norm.pdf(z))
        / p
        * (-1 - z * s / 6 + (1 - z * z) * k / 24 - (1 - 2 * z * z) * s * s / 36)
    )
    var = -(mean + std * cornish_fisher_z(z, skew=s, excess_kurtosis=k))
    return var, -(mean + std * tail_z)


def _result(
    method: VaRMethod,
    level: float,
    horizon_days: int,
    var: float,
    cvar: float,
    clean: CleanReturns,
) -> VaRResult:
    return VaRResult(
        method=method,
        level=check_level(level),
        horizon_days=horizon_days,
        var=var,
        cvar=cvar,
        n_obs=clean.n_obs,
        window_start=clean.start,
        window_end=clean.end,
    )


def normal_var(returns: Returns, *, level: float = 0.95, horizon_days: int = 1) -> VaRResult:
    """Normal (variance-covariance) VaR and CVaR of daily simple returns; >= 2 finite values."""
    clean = clean_returns(returns, min_obs=2)
    moments = sample_moments(clean.values).over(horizon_days)
    var, cvar = normal_var_cvar(mean=moments.mean, std=moments.std, level=level)
    return _result("normal", level, horizon_days, var, cvar, clean)


def cornish_fisher_var(
    returns: Returns, *, level: float = 0.95, horizon_days: int = 1
) -> VaRResult:
    """Cornish-Fisher VaR and CVaR of daily simple returns; >= 4 finite values.

    Raises ``CornishFisherDomainError`` where the expansion is not a distribution (see module).
    """
    clean = clean_returns(returns, min_obs=4)
    m = sample_moments(clean.values).over(horizon_days)
    var, cvar = cornish_fisher_var_cvar(
        mean=m.mean, std=m.std, skew=m.skew, excess_kurtosis=m.excess_kurtosis, level=level
    )
    return _result("cornish_fisher", level, horizon_days, var, cvar, clean)
