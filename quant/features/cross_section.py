"""Cross-sectional ranks and z-scores: each ticker against the universe on the same date.

Only tickers with a finite value on that date take part (a ticker not yet listed, or without
enough history for the feature, is left out, not counted as zero). On a date with ``n`` such
tickers:

- rank: ``(average rank - 1) / (n - 1)`` in [0, 1] (0 lowest, 1 highest, ties averaged);
- z-score: ``(x - mean) / std`` with the sample standard deviation (ddof=1);

both NaN when ``n < min_count`` (and the z-score also when the standard deviation is zero).
Each value depends only on that date's values, so it is as point-in-time as its inputs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from quant.arrays import FloatArray, IntArray

CS_BASES: tuple[str, ...] = (
    "ret_5d",
    "ret_20d",
    "ret_60d",
    "ret_250d",
    "mom_250_20",
    "vol_20d",
    "vol_60d",
    "dist_sma_50",
    "dist_sma_200",
    "dist_high_250d",
    "rsi_14",
    "rel_volume_20d",
    "log_dollar_volume_20d",
    "beta_250d",
)

DESCRIPTIONS: dict[str, str] = {
    **{f"cs_rank_{b}": f"cross-sectional rank of {b} on the date, 0..1" for b in CS_BASES},
    **{f"cs_z_{b}": f"cross-sectional z-score of {b} on the date" for b in CS_BASES},
}
NAMES: tuple[str, ...] = tuple(DESCRIPTIONS)


def rank_and_zscore(
    values: FloatArray, *, date_code: IntArray, ticker_code: IntArray, min_count: int = 2
) -> tuple[FloatArray, FloatArray]:
    """Per-row cross-sectional rank and z-score of ``values`` (see module doc).

    values, date_code, ticker_code: arrays of shape (n_rows,); rows sharing a date code form one
    cross-section, and no two rows may share both codes.
    """
    if min_count < 2:
        raise ValueError("min_count must be >= 2")
    if len(values) == 0:
        return np.array([]), np.array([])
    n_tickers = int(ticker_code.max()) + 1
    flat = date_code * n_tickers + ticker_code
    wide = np.full((int(date_code.max()) + 1, n_tickers), np.nan)
    wide.ravel()[flat] = np.where(np.isfinite(values), values, np.nan)
    present = ~np.isnan(wide)
    count = present.sum(axis=1, keepdims=True).astype("float64")
    enough = count >= min_count
    filled = np.where(present, wide, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = filled.sum(axis=1, keepdims=True) / count
        filled -= mean
        filled[~present] = 0.0
        sd = np.sqrt(np.square(filled).sum(axis=1, keepdims=True) / (count - 1.0))
        z = np.where(present & enough & (sd > 0), filled / sd, np.nan)
        ranks = pd.DataFrame(wide, copy=False).rank(axis=1, method="average").to_numpy()
        pct = np.where(enough, (ranks - 1.0) / (count - 1.0), np.nan)
    return pct.ravel()[flat], z.ravel()[flat]


def cross_sectional(panel: pd.DataFrame, *, min_count: int = 2) -> pd.DataFrame:
    """Rank and z-score each column of a (date, ticker) panel: ``cs_rank_<c>``, ``cs_z_<c>``."""
    if not isinstance(panel.index, pd.MultiIndex) or panel.index.nlevels != 2:
        raise ValueError("panel needs a (date, ticker) MultiIndex")
    date_code, _ = pd.factorize(panel.index.get_level_values(0))
    ticker_code, _ = pd.factorize(panel.index.get_level_values(1))
    out: dict[str, FloatArray] = {}
    for col in panel.columns:
        values = panel[col].to_numpy(dtype="float64", na_value=np.nan)
        out[f"cs_rank_{col}"], out[f"cs_z_{col}"] = rank_and_zscore(
            values, date_code=date_code, ticker_code=ticker_code, min_count=min_count
        )
    return pd.DataFrame(out, index=panel.index)
