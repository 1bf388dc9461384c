from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from quant.models import (
    CalibratedClassifier,
    IsotonicCalibrator,
    PlattCalibrator,
    XGBSignClassifier,
    brier_score,
    reliability,
)
from quant.models._frame import sigmoid
from tests.quant.models.conftest import synthetic_panel


def known_logistic(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """True probabilities from a known logistic model and labels drawn from them."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 2))
    p = sigmoid(0.8 * x[:, 0] - 0.5 * x[:, 1] + 0.2)
    return p, (rng.random(n) < p).astype(np.float64)


def overconfident(p: np.ndarray) -> np.ndarray:
    return sigmoid(3.0 * np.log(p / (1 - p)))


@pytest.mark.parametrize("calibrator", [PlattCalibrator, IsotonicCalibrator])
def test_calibration_improves_brier_on_held_out_data(calibrator) -> None:
    p_cal, y_cal = known_logistic(4000, seed=1)
    p_test, y_test = known_logistic(4000, seed=2)
    fitted = calibrator().fit(overconfident(p_cal), y_cal)
    raw = brier_score(overconfident(p_test), y_test)
    calibrated = brier_score(fitted.predict(overconfident(p_test)), y_test)
    best = brier_score(p_test, y_test)  # the known probabilities
    assert calibrated < raw - 0.01
    assert calibrated < best + 0.003


def test_platt_recovers_the_distortion() -> None:
    p, y = known_logistic(20000, seed=3)
    platt = PlattCalibrator().fit(overconfident(p), y)
    assert platt.a_ == pytest.approx(1 / 3, abs=0.03)  # undoes the factor 3 on the logit
    assert platt.b_ == pytest.approx(0.0, abs=0.05)


def test_calibrated_model_keeps_or_improves_brier_out_of_sample() -> None:
    X, y = synthetic_panel(n_dates=500, seed=31)
    X_test, y_test = synthetic_panel(n_dates=500, seed=32)
    base = XGBSignClassifier(n_rounds=80, learning_rate=0.3, early_stopping_rounds=0, purge=5)
    raw = base.fit(X, y).predict_proba(X_test)
    model = CalibratedClassifier(base, n_splits=4, purge=5, embargo=2).fit(X, y)
    calibrated = model.predict_proba(X_test)
    assert brier_score(calibrated, y_test.to_numpy()) <= brier_score(raw, y_test.to_numpy())
    # the calibrator saw out-of-fold predictions only, and nothing else
    refitted = PlattCalibrator().fit(model.oof_.proba[:, 0], y.to_numpy())
    assert (refitted.a_, refitted.b_) == pytest.approx((model.calibrator_.a_, model.calibrator_.b_))
    for k, train in enumerate(model.oof_.train_rows):
        assert np.intersect1d(train, np.flatnonzero(model.oof_.fold == k)).size == 0


def test_reliability_by_hand() -> None:
    prob = np.array([0.1, 0.1, 0.9, 0.9])
    y = np.array([0.0, 1.0, 1.0, 1.0])
    rel = reliability(prob, y, n_bins=2)
    assert rel.n == 4
    assert rel.brier == pytest.approx((0.01 + 0.81 + 0.01 + 0.01) / 4)
    assert rel.log_loss == pytest.approx(-(3 * np.log(0.9) + np.log(0.1)) / 4)
    assert rel.ece == pytest.approx((2 * 0.4 + 2 * 0.1) / 4)
    low, high = rel.bins
    assert (low.count, low.mean_predicted, low.observed) == (2, pytest.approx(0.1), 0.5)
    assert (high.count, high.mean_predicted, high.observed) == (2, pytest.approx(0.9), 1.0)
    empty = reliability(prob, y, n_bins=4).bins[1]
    assert empty.count == 0 and np.isnan(empty.observed)


def test_unknown_method_is_refused() -> None:
    X, y = synthetic_panel(n_dates=60)
    with pytest.raises(ValueError, match="unknown calibration method"):
        CalibratedClassifier(XGBSignClassifier(), method="beta").fit(X, pd.Series(y))  # type: ignore[arg-type]
