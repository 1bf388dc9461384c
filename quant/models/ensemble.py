"""Stacking ensemble: XGBoost + random forest + logistic regression, blended by a logistic
regression trained only on out-of-fold predictions.

``fit`` on one training window:

1. ``PurgedKFold`` splits the window into contiguous blocks; for each block, fresh base learners
   are trained on the other blocks (minus a purge before and an embargo after the block) and
   predict the block. Every row of the out-of-fold matrix ``oof_`` is thus predicted by models
   that never saw it nor any row whose label overlaps it.
2. The meta-learner (logistic regression on the logits of the base probabilities) is fitted on
   ``oof_`` and the labels, nothing else.
3. The base learners are refitted on the whole window; ``predict_proba`` feeds their
   predictions to the meta-learner.

Missing values: the random forest and the logistic regression impute each feature with its
median over the training rows they are fitted on (never the test rows); XGBoost handles NaN
natively. The logistic regression also standardises its inputs (scale fitted on training rows).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, Self

import numpy as np
import pandas as pd
import xgboost as xgb
from sklearn.base import BaseEstimator, clone
from sklearn.ensemble import RandomForestClassifier
from sklearn.exceptions import NotFittedError
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from quant.arrays import FloatArray
from quant.backtest.splits import PurgedKFold
from quant.models._frame import as_labels, check_features, logit
from quant.models._oof import out_of_fold, proba_up
from quant.models.xgb import XGBSignClassifier


def default_base_learners(*, purge: int = 20, nthread: int = 1, seed: int = 0) -> dict[str, Any]:
    """The three base learners with conservative settings for noisy daily returns."""
    return {
        "xgb": XGBSignClassifier(n_rounds=200, purge=purge, nthread=nthread, seed=seed),
        "rf": Pipeline(
            [
                ("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
                (
                    "forest",
                    RandomForestClassifier(
                        n_estimators=200,
                        max_depth=6,
                        min_samples_leaf=50,
                        max_features="sqrt",
                        n_jobs=nthread,
                        random_state=seed,
                    ),
                ),
            ]
        ),
        "logit": Pipeline(
            [
                ("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
                ("scale", StandardScaler()),
                ("logistic", LogisticRegression(C=0.1, max_iter=1000)),
            ]
        ),
    }


class StackingEnsemble(BaseEstimator):
    """Stacked P(up) from base learners blended on their out-of-fold predictions.

    base_learners: name -> unfitted estimator (our ``UpClassifier`` or a scikit-learn
        classifier); None means ``default_base_learners(purge=purge, nthread=nthread,
        seed=seed)``. Each fold and the final refit use clones.
    n_splits, purge, embargo: the ``PurgedKFold`` producing the out-of-fold predictions;
        ``purge`` must cover the label horizon.
    meta_C: inverse regularisation of the meta logistic regression.
    """

    def __init__(
        self,
        *,
        base_learners: Mapping[str, Any] | None = None,
        n_splits: int = 5,
        purge: int = 20,
        embargo: int = 5,
        meta_C: float = 1.0,
        nthread: int = 1,
        seed: int = 0,
    ) -> None:
        self.base_learners = base_learners
        self.n_splits = n_splits
        self.purge = purge
        self.embargo = embargo
        self.meta_C = meta_C
        self.nthread = nthread
        self.seed = seed

    def _learners(self) -> dict[str, Any]:
        if self.base_learners is not None:
            return dict(self.base_learners)
        return default_base_learners(purge=self.purge, nthread=self.nthread, seed=self.seed)

    def fit(self, X: pd.DataFrame, y: pd.Series | FloatArray) -> Self:
        labels = as_labels(y)
        if len(labels) != len(X):
            raise ValueError(f"X has {len(X)} rows but y has {len(labels)}")
        learners = self._learners()
        cv = PurgedKFold(n_splits=self.n_splits, purge=self.purge, embargo=self.embargo)
        oof = out_of_fold(learners, X, labels, cv=cv)
        self.oof_ = oof
        self.meta_ = LogisticRegression(C=self.meta_C, max_iter=1000)
        self.meta_.fit(logit(oof.proba), labels)
        self.base_learners_ = {name: clone(est).fit(X, labels) for name, est in learners.items()}
        self.feature_names_ = tuple(str(c) for c in X.columns)
        self.n_features_in_ = len(self.feature_names_)
        return self

    def base_proba(self, X: pd.DataFrame | FloatArray) -> FloatArray:
        """(n_rows, n_base) P(up) of each refitted base learner."""
        frame = self._frame(X)
        return np.column_stack([proba_up(m, frame) for m in self.base_learners_.values()])

    def predict_proba(self, X: pd.DataFrame | FloatArray) -> FloatArray:
        """P(up) of the blend, shape (n_rows,)."""
        return self.meta_.predict_proba(logit(self.base_proba(X)))[:, 1]

    def _frame(self, X: pd.DataFrame | FloatArray) -> pd.DataFrame:
        names = getattr(self, "feature_names_", None)
        if names is None:
            raise NotFittedError("StackingEnsemble is not fitted; call fit first")
        if isinstance(X, pd.DataFrame):
            check_features(X.columns, names)
            return X
        data = np.asarray(X, dtype=np.float64)
        return pd.DataFrame(data.reshape(-1, len(names)), columns=list(names))

    @property
    def xgb_component(self) -> XGBSignClassifier | None:
        """The refitted XGBoost base learner (what feature contributions explain), if any."""
        found = [m for m in getattr(self, "base_learners_", {}).values() if _is_xgb(m)]
        return found[0] if found else None

    def detach_boosters(self) -> tuple[Self, dict[str, xgb.Booster]]:
        shell = copy.copy(self)
        shell.base_learners_ = dict(self.base_learners_)
        boosters: dict[str, xgb.Booster] = {}
        for name, model in self.base_learners_.items():
            if _is_xgb(model):
                shell.base_learners_[name], parts = model.detach_boosters()
                boosters.update({f"{name}.{k}": b for k, b in parts.items()})
        return shell, boosters

    def attach_boosters(self, boosters: dict[str, xgb.Booster]) -> None:
        for name, model in self.base_learners_.items():
            prefix = f"{name}."
            parts = {k[len(prefix) :]: b for k, b in boosters.items() if k.startswith(prefix)}
            if parts:
                model.attach_boosters(parts)


def _is_xgb(model: object) -> bool:
    return isinstance(model, XGBSignClassifier)
