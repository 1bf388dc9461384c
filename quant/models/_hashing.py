"""A deterministic sha256 of training data, independent of row order and library versions."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pandas as pd

_DOMAIN = b"signaldesk/training-data/v1\n"


def training_data_sha256(X: pd.DataFrame, y: pd.Series) -> str:
    """sha256 over the feature names, the (date, ticker) index, the feature values and labels.

    Rows are sorted by index first, so the order rows arrive in does not matter; the column
    order does (models read features by position). Values are hashed as little-endian float64
    with one NaN bit pattern and -0.0 folded into 0.0; dates as int64 nanoseconds.
    """
    if not X.index.equals(y.index):
        raise ValueError("features and labels must share one index")
    order = np.lexsort([np.asarray(level) for level in _levels(X.index)][::-1])
    digest = hashlib.sha256(_DOMAIN)
    digest.update(json.dumps([str(c) for c in X.columns]).encode() + b"\n")
    for level in _levels(X.index):
        digest.update(_level_bytes(level[order]))
    digest.update(_float_bytes(X.to_numpy(dtype=np.float64)[order]))
    digest.update(_float_bytes(y.to_numpy(dtype=np.float64)[order]))
    return digest.hexdigest()


def _levels(index: pd.Index) -> list[pd.Index]:
    if isinstance(index, pd.MultiIndex):
        return [index.get_level_values(i) for i in range(index.nlevels)]
    return [index]


def _level_bytes(level: pd.Index) -> bytes:
    if isinstance(level, pd.DatetimeIndex):
        nanos = level.as_unit("ns").asi8
        return b"dates:" + nanos.astype("<i8").tobytes()
    return b"labels:" + "\x1f".join(str(v) for v in level).encode() + b"\x1e"


def _float_bytes(values: np.ndarray) -> bytes:
    canonical = np.where(np.isnan(values), np.nan, values + 0.0)  # one NaN, no -0.0
    return b"values:" + np.ascontiguousarray(canonical, dtype="<f8").tobytes()
