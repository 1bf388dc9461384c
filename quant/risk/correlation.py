"""Correlation caps: shrink positions that are, in effect, the same bet.

Rule. Two held positions i and j are *crowded* when the correlation of their P&L,
``sign(w_i) * sign(w_j) * corr_ij``, exceeds ``cap`` (a long and a short in two correlated
stocks hedge each other, so they are not crowded; two longs are). Each position is divided by
one plus the number of positions it is crowded with:
    w_i' = w_i / (1 + n_i),  n_i = #{j != i, w_j != 0 : sign(w_i w_j) corr_ij > cap}.
A group of k mutually crowded positions is thus budgeted like one position (each gets 1/k);
in a chain (A~B, B~C, A and C not) the middle one, crowded twice, is cut most. The rule is
symmetric, order-independent and only ever scales positions down; uncorrelated positions and
zero weights are untouched.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from quant.risk.errors import RiskInputError

CORRELATION_CAP = 0.7


def crowding(weights: pd.Series, *, corr: pd.DataFrame, cap: float = CORRELATION_CAP) -> pd.Series:
    """n_i: how many other held positions each position is crowded with (see module)."""
    if not (math.isfinite(cap) and 0.0 <= cap <= 1.0):
        raise RiskInputError(f"cap must be a correlation in [0, 1], got {cap!r}")
    w = weights.astype("float64")
    if not np.isfinite(w.to_numpy()).all():
        raise RiskInputError("weights must be finite")
    missing = [t for t in w.index if t not in corr.index or t not in corr.columns]
    if missing:
        raise RiskInputError(f"correlation matrix has no rows/columns for {missing}")
    c = corr.loc[w.index, w.index].to_numpy(dtype=np.float64)
    if not np.isfinite(c).all() or not np.allclose(c, c.T) or (np.abs(c) > 1 + 1e-12).any():
        raise RiskInputError("corr must be a finite symmetric matrix with entries in [-1, 1]")
    sign = np.sign(w.to_numpy())
    crowded = sign[:, None] * sign[None, :] * c > cap  # a zero weight gives 0, never > cap
    np.fill_diagonal(crowded, False)
    return pd.Series(crowded.sum(axis=1), index=w.index, name="crowded_with")


def correlation_cap(
    weights: pd.Series, *, corr: pd.DataFrame, cap: float = CORRELATION_CAP
) -> pd.Series:
    """Weights scaled by 1 / (1 + n_i), n_i the crowding of each position (see module).

    weights: proposed weights by ticker. corr: correlation matrix labelled by ticker (it may
    hold more tickers than ``weights``).
    """
    n = crowding(weights, corr=corr, cap=cap)
    capped = weights.astype("float64") / (1 + n)
    capped.name = weights.name
    return capped
