"""Out-of-fold predictions inside one training window, with purged time-ordered folds."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone

from quant.arrays import FloatArray, IntArray
from quant.backtest.splits import PurgedKFold


@dataclass(frozen=True, slots=True)
class OutOfFold:
    """What the folds predicted.

    proba: (n_rows, n_models) P(up), each row predicted by models that were not trained on it.
    fold: (n_rows,) the fold whose models predicted the row.
    train_rows: for each fold, the row positions its models were trained on.
    """

    names: tuple[str, ...]
    proba: FloatArray
    fold: IntArray
    train_rows: tuple[IntArray, ...]


def proba_up(estimator: Any, X: pd.DataFrame | FloatArray) -> FloatArray:
    """P(up) from one of our models (1-D) or a scikit-learn classifier ((n, k) with classes_)."""
    proba = np.asarray(estimator.predict_proba(X), dtype=np.float64)
    if proba.ndim == 1:
        return proba
    classes = list(getattr(estimator, "classes_", [0.0, 1.0]))
    if 1.0 in classes:
        return proba[:, classes.index(1.0)]
    return np.zeros(len(proba))  # trained on "down" rows only


def out_of_fold(
    estimators: Mapping[str, Any], X: pd.DataFrame, y: FloatArray, *, cv: PurgedKFold
) -> OutOfFold:
    """Fit a clone of each estimator on each fold's train rows and predict its test rows."""
    names = tuple(estimators)
    proba = np.full((len(X), len(names)), np.nan)
    fold = np.full(len(X), -1, dtype=np.int64)
    train_rows: list[IntArray] = []
    for number, (train, test) in enumerate(cv.split(X.index)):
        if len(train) == 0 or len(test) == 0:
            raise ValueError(f"purged fold {number} has no train or no test rows")
        X_train, y_train, X_test = X.iloc[train], y[train], X.iloc[test]
        for j, name in enumerate(names):
            model = clone(estimators[name]).fit(X_train, y_train)
            proba[test, j] = proba_up(model, X_test)
        fold[test] = number
        train_rows.append(train)
    return OutOfFold(names=names, proba=proba, fold=fold, train_rows=tuple(train_rows))
