"""Private helpers shared by the model modules: dates of a panel, matrices, logits."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from quant.arrays import FloatArray
from quant.models.errors import FeatureMismatchError

_EPS = 1e-6


def dates_of(index: pd.Index) -> pd.DatetimeIndex:
    """The dates of a DatetimeIndex or of the first level of a (date, ticker) MultiIndex."""
    if isinstance(index, pd.MultiIndex):
        return pd.DatetimeIndex(index.get_level_values(0))
    return pd.DatetimeIndex(index)


def check_features(columns: pd.Index, expected: Sequence[str]) -> None:
    """Raise ``FeatureMismatchError`` unless ``columns`` are ``expected``, in order."""
    if len(columns) != len(expected) or any(a != b for a, b in zip(columns, expected, strict=True)):
        raise FeatureMismatchError(expected=expected, got=[str(c) for c in columns])


def as_matrix(X: pd.DataFrame | FloatArray, feature_names: Sequence[str]) -> FloatArray:
    """``X`` as a C-ordered float64 matrix with the model's columns (checked when named)."""
    if isinstance(X, pd.DataFrame):
        check_features(X.columns, feature_names)
        X = X.to_numpy(dtype=np.float64)
    arr = np.asarray(X, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2 or arr.shape[1] != len(feature_names):
        raise FeatureMismatchError(
            expected=feature_names, got=[f"column {i}" for i in range(arr.shape[-1])]
        )
    return arr


def as_labels(y: pd.Series | FloatArray) -> FloatArray:
    """Binary labels as float64; raise ``ValueError`` on NaN or values other than 0 and 1."""
    arr = np.asarray(y, dtype=np.float64)
    if np.isnan(arr).any():
        raise ValueError("labels contain NaN: drop rows whose forward return is unknown first")
    if not np.isin(arr, (0.0, 1.0)).all():
        raise ValueError("labels must be 0 or 1")
    return arr


def logit(p: FloatArray) -> FloatArray:
    """log(p / (1 - p)) with p clipped to [1e-6, 1 - 1e-6]."""
    q = np.clip(p, _EPS, 1 - _EPS)
    return np.log(q) - np.log1p(-q)


def sigmoid(z: FloatArray) -> FloatArray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # overflow-free logistic function
