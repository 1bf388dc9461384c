from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.ensemble import RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from quant.models import (
    StackingEnsemble,
    XGBSignClassifier,
    default_base_learners,
    gain_importance,
)
from quant.models._frame import logit
from tests.quant.models.conftest import synthetic_panel

PURGE, EMBARGO = 5, 3


def small_learners() -> dict[str, object]:
    learners = default_base_learners(purge=PURGE, seed=3)
    learners["xgb"] = XGBSignClassifier(n_rounds=40, early_stopping_rounds=10, purge=PURGE)
    learners["rf"] = Pipeline(
        [
            ("impute", SimpleImputer(strategy="median")),
            ("forest", RandomForestClassifier(n_estimators=20, max_depth=4, random_state=3)),
        ]
    )
    return learners


@pytest.fixture(scope="module")
def fitted() -> tuple[StackingEnsemble, pd.DataFrame, pd.Series]:
    X, y = synthetic_panel(n_dates=300, seed=21)
    X.iloc[::5, 1] = np.nan
    model = StackingEnsemble(
        base_learners=small_learners(), n_splits=4, purge=PURGE, embargo=EMBARGO
    )
    return model.fit(X, y), X, y


def test_oof_rows_are_predicted_by_models_not_trained_on_them(fitted) -> None:
    model, X, y = fitted
    oof = model.oof_
    assert oof.proba.shape == (len(X), 3) and not np.isnan(oof.proba).any()
    codes = X.index.get_level_values("date").factorize()[0]
    for k, train in enumerate(oof.train_rows):
        predicted = np.flatnonzero(oof.fold == k)
        assert np.intersect1d(train, predicted).size == 0
        lo, hi = codes[predicted].min(), codes[predicted].max()
        near = (codes[train] >= lo - PURGE) & (codes[train] <= hi + EMBARGO)
        assert not near.any()  # purged before and embargoed after the predicted block
        # the OOF values are exactly what models trained on those train rows predict
        for j, (name, learner) in enumerate(small_learners().items()):
            refit = clone(learner).fit(X.iloc[train], y.to_numpy()[train])
            proba = refit.predict_proba(X.iloc[predicted])
            proba = proba if proba.ndim == 1 else proba[:, 1]
            np.testing.assert_allclose(oof.proba[predicted, j], proba, err_msg=name)


def test_meta_learner_is_fitted_on_the_oof_matrix_only(fitted) -> None:
    model, X, y = fitted
    meta = LogisticRegression(C=model.meta_C, max_iter=1000).fit(logit(model.oof_.proba), y)
    np.testing.assert_allclose(model.meta_.coef_, meta.coef_)
    np.testing.assert_allclose(model.meta_.intercept_, meta.intercept_)


def test_base_learners_are_refitted_on_the_whole_window(fitted) -> None:
    model, X, y = fitted
    full = clone(small_learners()["xgb"]).fit(X, y)
    np.testing.assert_array_equal(
        model.base_learners_["xgb"].predict_proba(X), full.predict_proba(X)
    )
    expected = model.meta_.predict_proba(logit(model.base_proba(X)))[:, 1]
    np.testing.assert_array_equal(model.predict_proba(X), expected)
    np.testing.assert_array_equal(model.predict_proba(X.to_numpy()), expected)


def test_blend_beats_chance_on_held_out_data(fitted) -> None:
    model, _, _ = fitted
    X_test, y_test = synthetic_panel(n_dates=300, seed=22)
    accuracy = np.mean((model.predict_proba(X_test) > 0.5) == (y_test == 1))
    assert accuracy > 0.68


def test_imputation_uses_training_medians_only(fitted) -> None:
    model, X, _ = fitted
    imputer = model.base_learners_["logit"].named_steps["impute"]
    np.testing.assert_allclose(imputer.statistics_, X.median().to_numpy())
    assert model.xgb_component is model.base_learners_["xgb"]
    # explanations of the ensemble are those of its XGBoost base learner
    pd.testing.assert_series_equal(
        gain_importance(model), gain_importance(model.base_learners_["xgb"])
    )
