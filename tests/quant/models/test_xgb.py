from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xgboost as xgb
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from quant.models import FeatureMismatchError, XGBSignClassifier
from tests.quant.models.conftest import synthetic_panel

SMALL = {"n_rounds": 60, "early_stopping_rounds": 10, "purge": 5}


def test_learns_a_known_signal_and_is_deterministic() -> None:
    X, y = synthetic_panel(seed=1)
    X_test, y_test = synthetic_panel(seed=2)
    a = XGBSignClassifier(**SMALL).fit(X, y)
    b = XGBSignClassifier(**SMALL).fit(X, y)
    prob = a.predict_proba(X_test)
    np.testing.assert_array_equal(prob, b.predict_proba(X_test))  # seeded
    assert prob.shape == (len(X_test),) and prob.dtype == np.float64
    accuracy = np.mean((prob > 0.5) == (y_test.to_numpy() == 1))
    assert accuracy > 0.68  # the Bayes rate of the synthetic signal is about 0.74


def test_inplace_predict_equals_predict_on_a_dmatrix() -> None:
    X, y = synthetic_panel(seed=3)
    model = XGBSignClassifier(**SMALL).fit(X, y)
    via_dmatrix = model.booster_.predict(xgb.DMatrix(X.to_numpy()))
    np.testing.assert_allclose(model.predict_proba(X), via_dmatrix, rtol=0, atol=1e-7)
    np.testing.assert_allclose(model.predict_proba(X.to_numpy()), via_dmatrix, rtol=0, atol=1e-7)


def test_validation_tail_is_the_latest_dates_and_purged() -> None:
    X, _ = synthetic_panel(n_dates=100)
    model = XGBSignClassifier(validation_fraction=0.2, purge=7)
    fit, valid = model.validation_split(X.index)
    dates = X.index.get_level_values("date")
    unique = dates.unique()
    assert set(dates[valid]) == set(unique[80:])  # the last 20% of the 100 dates
    assert set(dates[fit]) == set(unique[:73])  # 7 purged dates between
    assert not (fit & valid).any()


def test_early_stopping_on_noise_stops_early_and_refit_uses_the_whole_window() -> None:
    X, _ = synthetic_panel(seed=4)
    noise = pd.Series(np.random.default_rng(4).integers(0, 2, len(X)).astype(float), X.index)
    model = XGBSignClassifier(n_rounds=300, early_stopping_rounds=10, purge=5).fit(X, noise)
    assert model.n_rounds_ < 100
    assert model.booster_.num_boosted_rounds() == model.n_rounds_
    assert model.evals_result_["valid"]["logloss"]  # the tail was evaluated


def test_follows_scikit_learn_conventions() -> None:
    model = XGBSignClassifier(max_depth=2, seed=7)
    assert clone(model).get_params() == model.get_params()
    assert not hasattr(model, "booster_")  # __init__ stores parameters only
    with pytest.raises(NotFittedError):
        model.predict_proba(np.zeros((1, 5)))


def test_refuses_features_it_was_not_trained_on() -> None:
    X, y = synthetic_panel(seed=5)
    model = XGBSignClassifier(**SMALL).fit(X, y)
    with pytest.raises(FeatureMismatchError, match="different order"):
        model.predict_proba(X[X.columns[::-1]])
    with pytest.raises(FeatureMismatchError):
        model.predict_proba(np.zeros((2, 4)))
    with pytest.raises(ValueError, match="NaN"):
        XGBSignClassifier(**SMALL).fit(X, y.where(y > 0))


def test_quantile_dmatrix_option_trains_an_equivalent_model() -> None:
    X, y = synthetic_panel(seed=6)
    X_test, _ = synthetic_panel(seed=7)
    plain = XGBSignClassifier(**SMALL).fit(X, y).predict_proba(X_test)
    quantile = XGBSignClassifier(**SMALL, quantile_dmatrix=True).fit(X, y).predict_proba(X_test)
    assert np.corrcoef(plain, quantile)[0, 1] > 0.99
