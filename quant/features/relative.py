"""Relative strength against a benchmark (the S&P 500): excess returns, beta, correlation.

The benchmark's close is carried onto each of the ticker's bars with an as-of join (the last
benchmark close dated on or before the bar), so both series share the ticker's calendar and no
later value is used. Beta and correlation are those of an OLS of the ticker's one-bar simple
returns on the benchmark's over the window (bars where either is missing make it NaN).
All features are NaN without a benchmark.
"""

from __future__ import annotations

import numpy as np

from quant.arrays import FloatArray
from quant.features import _rolling as roll
from quant.features._stack import BarStack

EXCESS_WINDOWS: tuple[int, ...] = (5, 20, 60, 120, 250)
BETA_WINDOWS: tuple[int, ...] = (60, 250)

DESCRIPTIONS: dict[str, str] = {
    **{
        f"excess_ret_{n}d": f"ret_{n}d - benchmark return over the same bars"
        for n in EXCESS_WINDOWS
    },
    **{
        f"beta_{n}d": f"OLS beta of one-bar returns on the benchmark's, {n} bars"
        for n in BETA_WINDOWS
    },
    **{
        f"corr_{n}d": f"correlation of one-bar returns with the benchmark's, {n} bars"
        for n in BETA_WINDOWS
    },
    "idio_vol_60d": "standard deviation (ddof=1) of the 60-bar OLS residuals, annualised",
    "rs_dist_sma_50": "(close / benchmark) / its 50-bar SMA - 1",
}
NAMES: tuple[str, ...] = tuple(DESCRIPTIONS)


def _moments(r: FloatArray, m: FloatArray, window: int) -> tuple[FloatArray, ...]:
    """Sample covariance, variance of m and variance of r over bars where both are present."""
    both = np.isfinite(r) & np.isfinite(m)
    r, m = np.where(both, r, np.nan), np.where(both, m, np.nan)
    scale = window / (window - 1.0)
    mean_r, mean_m = roll.mean(r, window), roll.mean(m, window)
    cov = (roll.mean(r * m, window) - mean_r * mean_m) * scale
    var_m = roll.var(m, window)
    var_r = roll.var(r, window)
    return cov, var_m, var_r


def relative_features(
    stack: BarStack, *, benchmark_close: FloatArray | None
) -> dict[str, FloatArray]:
    """The features of ``NAMES`` as stack matrices.

    benchmark_close: the benchmark close aligned to the stack (see ``align_to_stack``), or None.
    """
    if benchmark_close is None:
        return {name: np.full(stack.shape, np.nan) for name in NAMES}
    close = stack.close
    out = {
        f"excess_ret_{n}d": roll.change(close, n) - roll.change(benchmark_close, n)
        for n in EXCESS_WINDOWS
    }
    r, m = roll.change(close, 1), roll.change(benchmark_close, 1)
    for n in BETA_WINDOWS:
        cov, var_m, var_r = _moments(r, m, n)
        with np.errstate(divide="ignore", invalid="ignore"):
            out[f"beta_{n}d"] = cov / var_m
            out[f"corr_{n}d"] = np.clip(cov / np.sqrt(var_m * var_r), -1.0, 1.0)
        if n == 60:
            residual_var = np.maximum(var_r - cov**2 / var_m, 0.0)
            out["idio_vol_60d"] = np.sqrt(residual_var * roll.TRADING_DAYS)
    ratio = close / benchmark_close
    out["rs_dist_sma_50"] = ratio / roll.mean(ratio, 50) - 1.0
    return out
