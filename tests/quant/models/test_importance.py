from __future__ import annotations

import numpy as np
import pytest
import xgboost as xgb
from sklearn.linear_model import LogisticRegression

from quant.models import XGBSignClassifier, contributions, gain_importance, top_contributions
from quant.models._frame import logit
from tests.quant.models.conftest import synthetic_panel


@pytest.fixture(scope="module")
def model_and_data():
    X, y = synthetic_panel(seed=11)
    X.iloc[::7, 2] = np.nan  # contributions handle missing values too
    model = XGBSignClassifier(n_rounds=60, early_stopping_rounds=10, purge=5).fit(X, y)
    return model, X


def test_gain_importance_ranks_the_signal_first(model_and_data) -> None:
    model, X = model_and_data
    gain = gain_importance(model)
    assert list(gain.index[:2]) == ["x0", "x1"]
    assert gain.sum() == pytest.approx(1.0) and (gain >= 0).all()
    assert set(gain.index) == set(X.columns)
    raw = model.booster_.get_score(importance_type="total_gain")
    assert gain_importance(model, normalize=False)["x0"] == pytest.approx(raw["f0"])


def test_contributions_plus_bias_equal_the_margin(model_and_data) -> None:
    model, X = model_and_data
    frame = contributions(model, X)
    assert list(frame.columns) == [*X.columns, "bias"]
    margin = model.booster_.predict(xgb.DMatrix(X.to_numpy()), output_margin=True)
    np.testing.assert_allclose(frame.sum(axis=1), margin, atol=1e-4)
    np.testing.assert_allclose(frame.sum(axis=1), logit(model.predict_proba(X)), atol=1e-4)
    np.testing.assert_allclose(model.predict_margin(X), margin, atol=1e-5)


def test_top_contributions_of_one_prediction(model_and_data) -> None:
    model, X = model_and_data
    row = X.iloc[3]
    top = top_contributions(model, row, k=3)
    full = contributions(model, X.iloc[[3]]).iloc[0].drop("bias")
    expected = full.reindex(full.abs().sort_values(ascending=False).index)[:3]
    assert [c.feature for c in top] == list(expected.index)
    np.testing.assert_allclose([c.contribution for c in top], expected.to_numpy(), rtol=1e-6)
    assert [c.value for c in top] == [row[c.feature] for c in top]


def test_a_model_without_trees_cannot_be_explained() -> None:
    with pytest.raises(TypeError, match="no fitted XGBoost"):
        gain_importance(LogisticRegression())
