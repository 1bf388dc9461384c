"""Probability calibration fitted on out-of-sample predictions only, and reliability numbers.

Method: **Platt scaling** (``"sigmoid"``, the default): P = sigmoid(a * logit(p) + b). Two
parameters, monotone and smooth, robust with the few hundred to few thousand out-of-fold rows a
training window yields and with the weak signals of daily returns, whose probabilities cluster
near 0.5; it corrects the typical miscalibration of boosted trees (over- or under-confidence)
without the step artefacts and overfitting of isotonic regression, which needs far more rows
per distinct level. ``"isotonic"`` is available for large calibration sets.

``CalibratedClassifier`` produces the calibration set itself: out-of-fold predictions of the
wrapped model inside the training window (``PurgedKFold``), so the calibrator never sees a
prediction made on a row the model was trained on; the model is then refitted on the whole
window and its test predictions pass through the calibrator.
"""

from __future__ import annotations

import copy
from typing import Any, Literal, Self

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict
from scipy.optimize import minimize
from sklearn.base import BaseEstimator, clone
from sklearn.exceptions import NotFittedError
from sklearn.isotonic import IsotonicRegression

from quant.arrays import FloatArray
from quant.backtest.splits import PurgedKFold
from quant.models._frame import as_labels, logit, sigmoid
from quant.models._oof import out_of_fold, proba_up

Method = Literal["sigmoid", "isotonic"]
_CLIP = 1e-15


class PlattCalibrator:
    """P = sigmoid(a * logit(p) + b), fitted by maximum likelihood on Platt's smoothed targets."""

    def fit(self, prob: FloatArray, y: FloatArray) -> Self:
        z, labels = logit(np.asarray(prob, dtype=np.float64)), as_labels(y)
        n_up = labels.sum()
        n_down = len(labels) - n_up
        # Platt (1999): targets shrunk towards 1/2 so that a separable set stays finite
        target = np.where(labels == 1.0, (n_up + 1) / (n_up + 2), 1 / (n_down + 2))

        def loss(theta: FloatArray) -> tuple[float, FloatArray]:
            p = np.clip(sigmoid(theta[0] * z + theta[1]), _CLIP, 1 - _CLIP)
            value = -np.sum(target * np.log(p) + (1 - target) * np.log1p(-p))
            residual = p - target
            return float(value), np.array([residual @ z, residual.sum()])

        result = minimize(loss, x0=np.array([1.0, 0.0]), jac=True, method="L-BFGS-B")
        self.a_, self.b_ = float(result.x[0]), float(result.x[1])
        return self

    def predict(self, prob: FloatArray) -> FloatArray:
        return sigmoid(self.a_ * logit(np.asarray(prob, dtype=np.float64)) + self.b_)


class IsotonicCalibrator:
    """A monotone step function from predicted to observed frequency, clipped at the ends."""

    def fit(self, prob: FloatArray, y: FloatArray) -> Self:
        self.isotonic_ = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
        self.isotonic_.fit(np.asarray(prob, dtype=np.float64), as_labels(y))
        return self

    def predict(self, prob: FloatArray) -> FloatArray:
        return np.asarray(self.isotonic_.predict(np.asarray(prob, dtype=np.float64)))


def make_calibrator(method: Method) -> PlattCalibrator | IsotonicCalibrator:
    if method == "sigmoid":
        return PlattCalibrator()
    if method == "isotonic":
        return IsotonicCalibrator()
    raise ValueError(f"unknown calibration method {method!r}: use 'sigmoid' or 'isotonic'")


class CalibratedClassifier(BaseEstimator):
    """Wrap an ``UpClassifier``: calibrate on its purged out-of-fold predictions, then refit it.

    estimator: the unfitted model (cloned per fold and for the final fit).
    method: ``"sigmoid"`` (Platt, default) or ``"isotonic"``.
    n_splits, purge, embargo: the ``PurgedKFold`` of the calibration set.
    """

    def __init__(
        self,
        estimator: Any,
        *,
        method: Method = "sigmoid",
        n_splits: int = 5,
        purge: int = 20,
        embargo: int = 5,
    ) -> None:
        self.estimator = estimator
        self.method = method
        self.n_splits = n_splits
        self.purge = purge
        self.embargo = embargo

    def fit(self, X: pd.DataFrame, y: pd.Series | FloatArray) -> Self:
        labels = as_labels(y)
        calibrator = make_calibrator(self.method)
        cv = PurgedKFold(n_splits=self.n_splits, purge=self.purge, embargo=self.embargo)
        oof = out_of_fold({"model": self.estimator}, X, labels, cv=cv)
        self.oof_ = oof
        self.calibrator_ = calibrator.fit(oof.proba[:, 0], labels)
        self.estimator_ = clone(self.estimator).fit(X, labels)
        self.feature_names_ = tuple(str(c) for c in X.columns)
        self.n_features_in_ = len(self.feature_names_)
        return self

    def predict_proba(self, X: pd.DataFrame | FloatArray) -> FloatArray:
        if not hasattr(self, "calibrator_"):
            raise NotFittedError("CalibratedClassifier is not fitted; call fit first")
        return self.calibrator_.predict(proba_up(self.estimator_, X))

    @property
    def xgb_component(self) -> Any:
        inner = getattr(self, "estimator_", None)
        return inner if hasattr(inner, "booster_") else getattr(inner, "xgb_component", None)

    def detach_boosters(self) -> tuple[Self, dict[str, Any]]:
        shell = copy.copy(self)
        if not hasattr(self.estimator_, "detach_boosters"):
            return shell, {}
        shell.estimator_, boosters = self.estimator_.detach_boosters()
        return shell, boosters

    def attach_boosters(self, boosters: dict[str, Any]) -> None:
        if boosters:
            self.estimator_.attach_boosters(boosters)


class ReliabilityBin(BaseModel):
    """One bin of the calibration curve; mean_predicted/observed are NaN when empty."""

    model_config = ConfigDict(frozen=True, ser_json_inf_nan="strings")

    lower: float
    upper: float
    count: int
    mean_predicted: float
    observed: float


class Reliability(BaseModel):
    """How well probabilities match outcomes: Brier score, log loss, expected calibration
    error (count-weighted |observed - predicted| over bins) and the calibration curve."""

    model_config = ConfigDict(frozen=True, ser_json_inf_nan="strings")

    n: int
    brier: float
    log_loss: float
    ece: float
    bins: tuple[ReliabilityBin, ...]


def brier_score(prob: FloatArray, y: FloatArray) -> float:
    """Mean squared error of the probabilities (0 perfect, 0.25 for a constant 0.5)."""
    return float(np.mean((np.asarray(prob, dtype=np.float64) - y) ** 2)) if len(y) else np.nan


def log_loss(prob: FloatArray, y: FloatArray) -> float:
    """Mean negative log-likelihood, probabilities clipped to [1e-15, 1 - 1e-15]."""
    if not len(y):
        return np.nan
    p = np.clip(np.asarray(prob, dtype=np.float64), _CLIP, 1 - _CLIP)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log1p(-p)))


def reliability(prob: FloatArray, y: FloatArray, *, n_bins: int = 10) -> Reliability:
    """Brier, log loss, ECE and an ``n_bins`` equal-width calibration curve over [0, 1]."""
    p = np.asarray(prob, dtype=np.float64)
    labels = as_labels(y)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    which = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, n_bins - 1)
    count = np.bincount(which, minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_p = np.bincount(which, weights=p, minlength=n_bins) / count
        observed = np.bincount(which, weights=labels, minlength=n_bins) / count
    filled = count > 0
    gap = np.sum(count[filled] * np.abs(observed[filled] - mean_p[filled]))
    ece = float(gap / len(p)) if len(p) else np.nan
    bins = tuple(
        ReliabilityBin(
            lower=float(edges[i]),
            upper=float(edges[i + 1]),
            count=int(count[i]),
            mean_predicted=float(mean_p[i]),
            observed=float(observed[i]),
        )
        for i in range(n_bins)
    )
    return Reliability(
        n=len(p), brier=brier_score(p, labels), log_loss=log_loss(p, labels), ece=ece, bins=bins
    )
