"""The contract every model of this package meets, so the walk-forward, the registry and the
forecast facade can treat them alike."""

from __future__ import annotations

from typing import Protocol, Self, runtime_checkable

import pandas as pd

from quant.arrays import FloatArray


@runtime_checkable
class UpClassifier(Protocol):
    """A binary classifier of "the forward return is positive", scikit-learn style.

    ``fit(X, y)``: X is a float64 feature frame indexed by (date, ticker) (dates matter: models
    that hold out a validation tail or cross-validate do it in time order), y the 0/1 labels of
    the same rows, without NaN. ``predict_proba(X)`` returns P(up) as a 1-D float64 array of
    shape (n_rows,) (not scikit-learn's (n, 2)); X may be a frame with the model's columns or a
    float64 array of shape (n_rows, n_features) in the order of ``feature_names_``.

    ``purge``: bars dropped before any internal validation block; must cover the label horizon.
    """

    purge: int
    feature_names_: tuple[str, ...]

    def fit(self, X: pd.DataFrame, y: pd.Series | FloatArray) -> Self: ...

    def predict_proba(self, X: pd.DataFrame | FloatArray) -> FloatArray: ...
