"""Risk: VaR and CVaR (historical, parametric, Monte Carlo), path risk, sizing and limits.

Conventions shared by every module:
- Returns are simple daily returns ``r_t = P_t / P_{t-1} - 1``, oldest first; NaNs are dropped,
  infinities and malformed input raise ``RiskInputError`` (all-NaN input raises
  ``InsufficientDataError``; a level outside (0, 1) raises ``InvalidLevelError``).
- VaR and CVaR are positive loss fractions of the starting value: ``var=0.02`` is a 2% loss.
- Randomness comes only from the ``np.random.Generator`` passed in; no I/O, no clock.
- Everything is vectorised over days and paths; Monte Carlo paths are built in chunks.
"""

from quant.risk.correlation import CORRELATION_CAP, correlation_cap, crowding
from quant.risk.drawdown import (
    DrawdownDistribution,
    PathRisk,
    drawdown_distribution,
    probability_of_ruin,
    simulate_path_risk,
)
from quant.risk.errors import (
    CornishFisherDomainError,
    InsufficientDataError,
    InvalidLevelError,
    RiskInputError,
)
from quant.risk.historical import (
    QUANTILE_METHOD,
    empirical_var_cvar,
    historical_var,
    overlapping_returns,
)
from quant.risk.limits import DEFAULT_LIMITS, DrawdownLimits, drawdown_limits
from quant.risk.models import GBM, Bootstrap, PathModel
from quant.risk.montecarlo import monte_carlo_var, monte_carlo_vars, simulate_horizon_returns
from quant.risk.parametric import (
    Moments,
    cornish_fisher_var,
    cornish_fisher_var_cvar,
    normal_var,
    normal_var_cvar,
    sample_moments,
)
from quant.risk.portfolio import (
    VaRContributions,
    component_var,
    covariance_factor,
    portfolio_historical_var,
    portfolio_monte_carlo_var,
    portfolio_normal_var,
    portfolio_returns,
)
from quant.risk.report import DEFAULT_METHODS, REPORT_METHODS, point_in_time, var_report
from quant.risk.result import VaRMethod, VaRResult
from quant.risk.sizing import (
    kelly_fraction,
    kelly_fraction_continuous,
    kelly_position,
    vol_target_exposure,
    vol_target_scale,
)

__all__ = [
    "CORRELATION_CAP",
    "DEFAULT_LIMITS",
    "DEFAULT_METHODS",
    "GBM",
    "QUANTILE_METHOD",
    "REPORT_METHODS",
    "Bootstrap",
    "CornishFisherDomainError",
    "DrawdownDistribution",
    "DrawdownLimits",
    "InsufficientDataError",
    "InvalidLevelError",
    "Moments",
    "PathModel",
    "PathRisk",
    "RiskInputError",
    "VaRContributions",
    "VaRMethod",
    "VaRResult",
    "component_var",
    "cornish_fisher_var",
    "cornish_fisher_var_cvar",
    "correlation_cap",
    "covariance_factor",
    "crowding",
    "drawdown_distribution",
    "drawdown_limits",
    "empirical_var_cvar",
    "historical_var",
    "kelly_fraction",
    "kelly_fraction_continuous",
    "kelly_position",
    "monte_carlo_var",
    "monte_carlo_vars",
    "normal_var",
    "normal_var_cvar",
    "overlapping_returns",
    "point_in_time",
    "portfolio_historical_var",
    "portfolio_monte_carlo_var",
    "portfolio_normal_var",
    "portfolio_returns",
    "probability_of_ruin",
    "sample_moments",
    "simulate_horizon_returns",
    "simulate_path_risk",
    "var_report",
    "vol_target_exposure",
    "vol_target_scale",
]
