"""Portfolio VaR and CVaR for weights by ticker, and parametric (Euler) risk contributions.

Weights are fractions of portfolio value held in each ticker, kept constant (rebalanced daily):
the portfolio's daily return is ``sum_i w_i r_i``. They need not sum to 1 (the rest is cash at
a zero return) and may be negative (shorts). Only days on which every held ticker has a return
are used (complete cases), so all methods see the same history.

- historical: historical VaR of the weighted portfolio return series (``quant.risk.historical``).
- normal: mean vector mu and covariance Sigma (ddof=1) of daily returns; over N days the return
  is N(N w.mu, N w'Sigma w) (sums of i.i.d. days, compounding ignored, as in ``parametric``).
- monte_carlo_normal: asset returns over N days drawn from that multivariate normal as
  ``N mu + sqrt(N) Z A'`` with ``A A' = Sigma`` (Cholesky). A covariance that is not positive
  definite (collinear assets, fewer days than assets) falls back to its eigen-decomposition
  with negative eigenvalues set to 0 -- the nearest positive semi-definite matrix in Frobenius
  norm (Higham 1988) -- and says so in ``note``.
- Contributions (normal): VaR(w) = -N w.mu + sqrt(N) z sqrt(w'Sigma w) is homogeneous of degree
  one in w, so by Euler's theorem the components ``w_i * dVaR/dw_i`` sum exactly to the VaR; the
  same holds for CVaR with phi(z)/(1 - level) in place of z.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from quant.arrays import FloatArray
from quant.risk._inputs import check_horizon, check_level, check_positive_int
from quant.risk.errors import InsufficientDataError, RiskInputError
from quant.risk.historical import Scaling, empirical_var_cvar, historical_var
from quant.risk.parametric import normal_var_cvar
from quant.risk.result import VaRMethod, VaRResult

Weights = Mapping[str, float] | pd.Series


def portfolio_returns(returns: pd.DataFrame, *, weights: Weights) -> pd.Series:
    """Daily portfolio returns ``R @ w`` over the days on which every held ticker has a return.

    returns: (n_days, n_tickers) simple daily returns, a column per ticker, oldest first.
    """
    frame, w = _held(returns, weights)
    return pd.Series(frame.to_numpy() @ w, index=frame.index, name="portfolio")


def portfolio_historical_var(
    returns: pd.DataFrame,
    *,
    weights: Weights,
    level: float = 0.95,
    horizon_days: int = 1,
    scaling: Scaling = "overlapping",
) -> VaRResult:
    """Historical VaR and CVaR of the weighted portfolio return series."""
    series = portfolio_returns(returns, weights=weights)
    return historical_var(series, level=level, horizon_days=horizon_days, scaling=scaling)


def portfolio_normal_var(
    returns: pd.DataFrame, *, weights: Weights, level: float = 0.95, horizon_days: int = 1
) -> VaRResult:
    """Parametric (variance-covariance) VaR and CVaR of the portfolio; >= 2 complete days."""
    level, horizon_days = check_level(level), check_horizon(horizon_days)
    frame, w = _held(returns, weights, min_obs=2)
    mu, cov = _moments(frame)
    var, cvar = normal_var_cvar(
        mean=horizon_days * float(w @ mu),
        std=math.sqrt(horizon_days * max(float(w @ cov @ w), 0.0)),
        level=level,
    )
    return _result("normal", frame, level, horizon_days, var, cvar)


def portfolio_monte_carlo_var(
    returns: pd.DataFrame,
    *,
    weights: Weights,
    rng: np.random.Generator,
    level: float = 0.95,
    horizon_days: int = 1,
    n_paths: int = 10_000,
) -> VaRResult:
    """Monte Carlo VaR and CVaR from the multivariate normal fitted to the returns."""
    level, horizon_days = check_level(level), check_horizon(horizon_days)
    n_paths = check_positive_int(n_paths, name="n_paths")
    frame, w = _held(returns, weights, min_obs=2)
    mu, cov = _moments(frame)
    factor, note = covariance_factor(cov)
    z = rng.standard_normal((n_paths, w.size))
    assets = horizon_days * mu + math.sqrt(horizon_days) * (z @ factor.T)
    var, cvar = empirical_var_cvar(assets @ w, level=level)
    return _result("monte_carlo_normal", frame, level, horizon_days, var, cvar, n_paths, note)


def covariance_factor(cov: FloatArray) -> tuple[FloatArray, str | None]:
    """A with A A' = cov: Cholesky, or the clipped eigen-decomposition with a note saying so."""
    if not np.isfinite(cov).all():
        raise RiskInputError("covariance contains NaN or inf")
    sym = (cov + cov.T) / 2
    try:
        return np.asarray(np.linalg.cholesky(sym), dtype=np.float64), None
    except np.linalg.LinAlgError:
        values, vectors = np.linalg.eigh(sym)
        note = (
            f"covariance not positive definite (smallest eigenvalue {values.min():.3g}); "
            "used its eigen-decomposition with negative eigenvalues set to 0 "
            "(nearest positive semi-definite matrix)"
        )
        return vectors * np.sqrt(np.clip(values, 0.0, None)), note


@dataclass(frozen=True, slots=True, eq=False)
class VaRContributions:
    """Parametric VaR/CVaR split by position (Euler allocation); components sum to the totals.

    marginal_var[i] = dVaR/dw_i; component_var[i] = w_i * marginal_var[i] (loss fraction of the
    portfolio). With zero portfolio volatility the marginal terms are NaN.
    """

    level: float
    horizon_days: int
    tickers: tuple[str, ...]
    weights: FloatArray
    var: float
    cvar: float
    marginal_var: FloatArray
    component_var: FloatArray
    component_cvar: FloatArray

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "weight": self.weights,
                "marginal_var": self.marginal_var,
                "component_var": self.component_var,
                "component_cvar": self.component_cvar,
                "share_of_var": self.component_var / self.var,
            },
            index=pd.Index(self.tickers, name="ticker"),
        )


def component_var(
    returns: pd.DataFrame, *, weights: Weights, level: float = 0.95, horizon_days: int = 1
) -> VaRContributions:
    """Marginal and component VaR (and component CVaR) of the normal portfolio model."""
    from scipy.stats import norm  # here, not at the top: scipy.stats takes ~1 s to import

    level, horizon_days = check_level(level), check_horizon(horizon_days)
    frame, w = _held(returns, weights, min_obs=2)
    mu, cov = _moments(frame)
    z = float(norm.ppf(level))
    tail = float(norm.pdf(z)) / (1.0 - level)
    sigma = math.sqrt(max(float(w @ cov @ w), 0.0))
    beta = cov @ w / sigma if sigma > 0 else np.full(w.size, np.nan)
    root = math.sqrt(horizon_days)
    marginal = -horizon_days * mu + root * z * beta
    var, cvar = normal_var_cvar(mean=horizon_days * float(w @ mu), std=root * sigma, level=level)
    return VaRContributions(
        level=level,
        horizon_days=horizon_days,
        tickers=tuple(str(c) for c in frame.columns),
        weights=w,
        var=var,
        cvar=cvar,
        marginal_var=marginal,
        component_var=w * marginal,
        component_cvar=w * (-horizon_days * mu + root * tail * beta),
    )


def _held(
    returns: pd.DataFrame, weights: Weights, *, min_obs: int = 1
) -> tuple[pd.DataFrame, FloatArray]:
    w = pd.Series(weights, dtype="float64")
    if w.empty or not np.isfinite(w.to_numpy()).all():
        raise RiskInputError("weights must be a non-empty mapping of ticker to finite number")
    missing = [t for t in w.index if t not in returns.columns]
    if missing:
        raise RiskInputError(f"no returns for tickers {missing}")
    frame = returns.loc[:, list(w.index)].astype("float64")
    if np.isinf(frame.to_numpy()).any():
        raise RiskInputError("returns contain +/-inf; clean them first")
    frame = frame.dropna(how="any")
    if len(frame) < min_obs:
        raise InsufficientDataError(
            f"need at least {min_obs} days with returns for every held ticker, got {len(frame)}"
        )
    return frame, np.asarray(w, dtype=np.float64)


def _moments(frame: pd.DataFrame) -> tuple[FloatArray, FloatArray]:
    values = frame.to_numpy()
    return values.mean(axis=0), np.atleast_2d(np.cov(values, rowvar=False, ddof=1))


def _result(
    method: VaRMethod,
    frame: pd.DataFrame,
    level: float,
    horizon_days: int,
    var: float,
    cvar: float,
    n_paths: int | None = None,
    note: str | None = None,
) -> VaRResult:
    dated = isinstance(frame.index, pd.DatetimeIndex)
    return VaRResult(
        method=method,
        level=level,
        horizon_days=horizon_days,
        var=var,
        cvar=cvar,
        n_obs=len(frame),
        n_paths=n_paths,
        window_start=frame.index[0].date() if dated else None,
        window_end=frame.index[-1].date() if dated else None,
        note=note,
    )
