"""XGBoost classifier of the sign of the forward return, on the native ``Booster`` API.

Training holds out the last ``validation_fraction`` of the training dates as a time-ordered
validation tail for early stopping; the ``purge`` dates before that tail are dropped from the
fitting part, so no fitting label reaches into the tail. With ``refit`` (the default) the model
is then retrained on the whole window for the number of rounds early stopping chose, so the most
recent bars are not lost to validation. Predictions use ``Booster.inplace_predict``.
"""

from __future__ import annotations

import copy
from typing import Any, Self

import numpy as np
import pandas as pd
import xgboost as xgb
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError

from quant.arrays import FloatArray
from quant.models._frame import as_labels, as_matrix, dates_of


class XGBSignClassifier(BaseEstimator):
    """P(forward return > 0) from shallow, subsampled boosted trees (``tree_method="hist"``).

    max_depth, learning_rate, subsample, colsample_bytree, min_child_weight, reg_lambda, max_bin:
        the XGBoost parameters of the same names (conservative defaults for noisy returns).
    n_rounds: the most boosting rounds. early_stopping_rounds: stop when the validation log
        loss has not improved for this many rounds (0 disables early stopping).
    validation_fraction: share of the training dates, the latest ones, held out for early
        stopping. purge: dates dropped between the fitting part and that tail (>= horizon).
    refit: retrain on the whole window with the chosen number of rounds.
    quantile_dmatrix: build ``QuantileDMatrix`` (less memory on big panels) instead of
        ``DMatrix`` (measured a little faster end to end at the sizes of a walk-forward fold).
    nthread: XGBoost threads. seed: XGBoost's random seed (subsampling).
    """

    booster_: xgb.Booster | None  # set by fit; None in a copy whose booster is stored apart

    def __init__(
        self,
        *,
        max_depth: int = 3,
        learning_rate: float = 0.05,
        n_rounds: int = 300,
        early_stopping_rounds: int = 30,
        subsample: float = 0.8,
        colsample_bytree: float = 0.8,
        min_child_weight: float = 10.0,
        reg_lambda: float = 1.0,
        max_bin: int = 256,
        validation_fraction: float = 0.2,
        purge: int = 20,
        refit: bool = True,
        quantile_dmatrix: bool = False,
        nthread: int = 1,
        seed: int = 0,
    ) -> None:
        self.max_depth = max_depth
        self.learning_rate = learning_rate
        self.n_rounds = n_rounds
        self.early_stopping_rounds = early_stopping_rounds
        self.subsample = subsample
        self.colsample_bytree = colsample_bytree
        self.min_child_weight = min_child_weight
        self.reg_lambda = reg_lambda
        self.max_bin = max_bin
        self.validation_fraction = validation_fraction
        self.purge = purge
        self.refit = refit
        self.quantile_dmatrix = quantile_dmatrix
        self.nthread = nthread
        self.seed = seed

    def booster_params(self) -> dict[str, Any]:
        """The parameters passed to ``xgboost.train``."""
        return {
            "objective": "binary:logistic",
            "eval_metric": "logloss",
            "tree_method": "hist",
            "max_depth": self.max_depth,
            "eta": self.learning_rate,
            "subsample": self.subsample,
            "colsample_bytree": self.colsample_bytree,
            "min_child_weight": self.min_child_weight,
            "lambda": self.reg_lambda,
            "max_bin": self.max_bin,
            "nthread": self.nthread,
            "seed": self.seed,
            "verbosity": 0,
        }

    def fit(self, X: pd.DataFrame, y: pd.Series | FloatArray) -> Self:
        """Train on the rows of ``X`` (indexed by date or (date, ticker)) and labels ``y``."""
        names = tuple(str(c) for c in X.columns)
        data = as_matrix(X, names)
        labels = as_labels(y)
        if len(labels) != len(data):
            raise ValueError(f"X has {len(data)} rows but y has {len(labels)}")
        if len(labels) == 0:
            raise ValueError("no training rows")
        fit_rows, valid_rows = self.validation_split(X.index)
        params = self.booster_params()
        rounds = self.n_rounds
        self.evals_result_: dict[str, dict[str, list[float]]] = {}
        booster: xgb.Booster | None = None
        if valid_rows.any() and fit_rows.any():
            booster = self._train(
                data[fit_rows],
                labels[fit_rows],
                params,
                rounds,
                valid=(data[valid_rows], labels[valid_rows]),
            )
            rounds = booster.best_iteration + 1
            if not self.refit:
                booster = booster[:rounds]
        if booster is None or self.refit:
            booster = self._train(data, labels, params, rounds, valid=None)
        self.booster_ = booster
        self.n_rounds_ = rounds
        self.feature_names_ = names
        self.n_features_in_ = len(names)
        return self

    def validation_split(self, index: pd.Index) -> tuple[np.ndarray, np.ndarray]:
        """Boolean masks (fit rows, validation rows): the validation tail is the latest
        ``validation_fraction`` of the dates; the ``purge`` dates before it belong to neither."""
        dates = dates_of(index)
        unique = dates.unique().sort_values()
        n_valid = int(np.floor(len(unique) * self.validation_fraction))
        none = np.zeros(len(dates), dtype=bool)
        if self.early_stopping_rounds <= 0 or n_valid < 1:
            return ~none, none
        first_valid = len(unique) - n_valid
        last_fit = first_valid - self.purge - 1
        if last_fit < 0:
            return ~none, none
        valid = np.asarray(dates >= unique[first_valid])
        fit = np.asarray(dates <= unique[last_fit])
        return fit, valid

    def _train(
        self,
        data: FloatArray,
        labels: FloatArray,
        params: dict[str, Any],
        rounds: int,
        *,
        valid: tuple[FloatArray, FloatArray] | None,
    ) -> xgb.Booster:
        dtrain: xgb.DMatrix
        if self.quantile_dmatrix:
            dtrain = xgb.QuantileDMatrix(data, labels, max_bin=self.max_bin, nthread=self.nthread)
        else:
            dtrain = xgb.DMatrix(data, labels, nthread=self.nthread)
        if valid is None:
            return xgb.train(params, dtrain, num_boost_round=rounds, verbose_eval=False)
        dvalid = (
            xgb.QuantileDMatrix(*valid, ref=dtrain, nthread=self.nthread)
            if self.quantile_dmatrix
            else xgb.DMatrix(*valid, nthread=self.nthread)
        )
        return xgb.train(
            params,
            dtrain,
            num_boost_round=rounds,
            evals=[(dvalid, "valid")],
            early_stopping_rounds=self.early_stopping_rounds,
            evals_result=self.evals_result_,
            verbose_eval=False,
        )

    def predict_proba(self, X: pd.DataFrame | FloatArray) -> FloatArray:
        """P(up) for each row, shape (n_rows,)."""
        booster = self._fitted()
        data = as_matrix(X, self.feature_names_)  # checks the width: xgboost need not
        return np.asarray(booster.inplace_predict(data, validate_features=False), np.float64)

    def predict_margin(self, X: pd.DataFrame | FloatArray) -> FloatArray:
        """The log-odds the trees add up to, shape (n_rows,)."""
        booster = self._fitted()
        data = as_matrix(X, self.feature_names_)
        margin = booster.inplace_predict(data, predict_type="margin", validate_features=False)
        return np.asarray(margin, dtype=np.float64)

    def _fitted(self) -> xgb.Booster:
        booster: xgb.Booster | None = getattr(self, "booster_", None)
        if booster is None:
            raise NotFittedError("XGBSignClassifier is not fitted; call fit first")
        return booster

    # the registry stores the booster as its own UBJ file, the rest with joblib
    def detach_boosters(self) -> tuple[Self, dict[str, xgb.Booster]]:
        """A shallow copy without boosters, and the boosters by name."""
        booster = self._fitted()
        shell = copy.copy(self)
        shell.booster_ = None
        return shell, {"xgb": booster}

    def attach_boosters(self, boosters: dict[str, xgb.Booster]) -> None:
        booster = boosters["xgb"]
        booster.set_param({"nthread": self.nthread})
        self.booster_ = booster
