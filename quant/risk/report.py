"""``var_report``: every VaR method at several levels and horizons, as of a date."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date

import numpy as np
import pandas as pd

from core.asof import up_to
from quant.risk._inputs import check_horizon, check_level, clean_returns
from quant.risk.errors import CornishFisherDomainError, RiskInputError
from quant.risk.historical import historical_var
from quant.risk.montecarlo import N_PATHS, monte_carlo_vars
from quant.risk.parametric import cornish_fisher_var, normal_var
from quant.risk.result import VaRMethod, VaRResult

REPORT_METHODS: tuple[VaRMethod, ...] = (
    "historical",
    "historical_sqrt_time",
    "normal",
    "cornish_fisher",
    "monte_carlo_gbm",
    "monte_carlo_bootstrap",
)
DEFAULT_METHODS: tuple[VaRMethod, ...] = (
    "historical",
    "normal",
    "cornish_fisher",
    "monte_carlo_gbm",
    "monte_carlo_bootstrap",
)


def point_in_time(returns: pd.Series, *, as_of: date) -> pd.Series:
    """The returns dated on or before ``as_of`` (a DatetimeIndex is required)."""
    if not isinstance(returns.index, pd.DatetimeIndex):
        raise RiskInputError("returns need a DatetimeIndex to be cut at an as-of date")
    return up_to(returns, as_of=as_of)


def var_report(
    returns: pd.Series,
    *,
    as_of: date,
    rng: np.random.Generator,
    levels: Sequence[float] = (0.95, 0.99),
    horizons: Sequence[int] = (1, 10),
    n_paths: int = N_PATHS,
    methods: Sequence[VaRMethod] = DEFAULT_METHODS,
    block_size: int = 1,
) -> list[VaRResult]:
    """VaR/CVaR by horizon, then method, then level, from the returns dated <= ``as_of`` only.

    returns: simple daily returns with a DatetimeIndex, oldest first; NaNs dropped.
    methods: any of "historical", "historical_sqrt_time", "normal", "cornish_fisher",
    "monte_carlo_gbm", "monte_carlo_bootstrap". Monte Carlo draws one sample per horizon and
    model, shared by the levels, in that order from ``rng``, so a seed reproduces the report.
    block_size: for the bootstrap (1 = i.i.d.; > 1 = circular blocks of that many days).
    A Cornish-Fisher estimate outside its valid domain is reported as NaN with the reason in
    ``note``; every other problem raises.
    """
    unknown = [m for m in methods if m not in REPORT_METHODS]
    if unknown:
        raise RiskInputError(f"unknown VaR methods {unknown}; choose from {REPORT_METHODS}")
    history = point_in_time(returns, as_of=as_of)
    clean_returns(history)  # fail early, with the as-of window in mind, on all-NaN input
    checked_levels = [check_level(level) for level in levels]
    checked_horizons = [check_horizon(h) for h in horizons]  # all checked before any draw
    results: list[VaRResult] = []
    for horizon in checked_horizons:
        for method in methods:
            results.extend(
                _one_method(history, method, checked_levels, horizon, rng, n_paths, block_size)
            )
    return results


def _one_method(
    history: pd.Series,
    method: VaRMethod,
    levels: list[float],
    horizon: int,
    rng: np.random.Generator,
    n_paths: int,
    block_size: int,
) -> list[VaRResult]:
    if method == "monte_carlo_gbm":
        return monte_carlo_vars(
            history, rng=rng, levels=levels, horizon_days=horizon, model="gbm", n_paths=n_paths
        )
    if method == "monte_carlo_bootstrap":
        return monte_carlo_vars(
            history,
            rng=rng,
            levels=levels,
            horizon_days=horizon,
            model="bootstrap",
            n_paths=n_paths,
            block_size=block_size,
        )
    if method == "historical":
        return [historical_var(history, level=lv, horizon_days=horizon) for lv in levels]
    if method == "historical_sqrt_time":
        return [
            historical_var(history, level=lv, horizon_days=horizon, scaling="sqrt_time")
            for lv in levels
        ]
    if method == "normal":
        return [normal_var(history, level=lv, horizon_days=horizon) for lv in levels]
    return [_cornish_fisher_or_nan(history, lv, horizon) for lv in levels]


def _cornish_fisher_or_nan(history: pd.Series, level: float, horizon: int) -> VaRResult:
    try:
        return cornish_fisher_var(history, level=level, horizon_days=horizon)
    except CornishFisherDomainError as err:
        clean = clean_returns(history)
        return VaRResult(
            method="cornish_fisher",
            level=level,
            horizon_days=horizon,
            var=math.nan,
            cvar=math.nan,
            n_obs=clean.n_obs,
            window_start=clean.start,
            window_end=clean.end,
            note=str(err),
        )
