from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from quant.models import (
    FeatureMismatchError,
    LookAheadError,
    ModelRegistry,
    RegisteredModel,
    StackingEnsemble,
    XGBSignClassifier,
    contributions,
    predict_proba_up,
    top_contributions,
)
from tests.quant.models._trained import AS_OF, HORIZON, Trained

DAY = pd.Timestamp("2012-12-31")


@pytest.fixture(scope="module")
def registered(trained: Trained, features: pd.DataFrame, tmp_path_factory) -> RegisteredModel:
    registry = ModelRegistry(Path(tmp_path_factory.mktemp("registry")))
    saved = registry.save(
        trained.model,
        training=trained.training,
        record=trained.record,
        created_at=datetime(2013, 1, 2, tzinfo=UTC),
    )
    return registry.load(saved.card.model_id, features=list(features.columns))


def test_forecast_carries_probability_evidence_and_verdict(
    registered: RegisteredModel, features: pd.DataFrame
) -> None:
    row = features.loc[(DAY, "AAPL")]
    result = predict_proba_up(registered, row, as_of=AS_OF, top_k=3)
    expected = registered.model.predict_proba(features.loc[[(DAY, "AAPL")]])[0]
    assert result.prob_up == expected and 0 < result.prob_up < 1
    assert (result.ticker, result.row_date, result.as_of) == ("AAPL", date(2012, 12, 31), AS_OF)
    assert result.horizon == HORIZON and result.model_id == registered.card.model_id
    assert result.verdict == registered.card.record.verdict
    assert result.leak_suspected is registered.card.record.leak_suspected
    assert result.record == registered.card.record
    assert result.in_sample is False  # 2012-12-31 is after the last training row
    full = contributions(registered.model, features.loc[[(DAY, "AAPL")]]).iloc[0]
    top = full.drop("bias").abs().sort_values(ascending=False).index[:3]
    assert [c.feature for c in result.top_contributions] == list(top)
    assert result.top_contributions[0].contribution == pytest.approx(full[top[0]], rel=1e-6)
    assert np.log(expected / (1 - expected)) == pytest.approx(full.sum(), abs=1e-4)
    assert type(result).model_validate_json(result.model_dump_json()) == result


def test_no_contributions_when_not_asked(registered: RegisteredModel, features) -> None:
    result = predict_proba_up(registered, features.loc[(DAY, "MSFT")], as_of=AS_OF, top_k=0)
    assert result.top_contributions == ()


def test_look_ahead_is_refused(registered: RegisteredModel, features: pd.DataFrame) -> None:
    later = features.loc[(pd.Timestamp("2013-01-02"), "AAPL")]
    with pytest.raises(LookAheadError, match="after as_of"):
        predict_proba_up(registered, later, as_of=AS_OF)
    earlier = features.loc[(pd.Timestamp("2012-06-29"), "AAPL")]
    with pytest.raises(LookAheadError, match="trained on data known on 2012-12-31"):
        predict_proba_up(registered, earlier, as_of=date(2012, 6, 29))
    in_sample = predict_proba_up(registered, earlier, as_of=AS_OF, top_k=0)
    assert in_sample.in_sample is True


def test_rows_with_other_features_are_refused(registered: RegisteredModel, features) -> None:
    row = features.loc[(DAY, "AAPL")]
    with pytest.raises(FeatureMismatchError):
        predict_proba_up(registered, row.iloc[::-1], as_of=AS_OF)
    with pytest.raises(FeatureMismatchError):
        predict_proba_up(registered, row.drop("vol_20"), as_of=AS_OF)


def test_an_ensemble_forecast_cites_its_xgboost_component(
    registered: RegisteredModel, trained: Trained, features: pd.DataFrame
) -> None:
    training = trained.training
    learners = {"xgb": XGBSignClassifier(n_rounds=20, purge=HORIZON), "logit": LogisticRegression()}
    ensemble = StackingEnsemble(base_learners=learners, n_splits=3, purge=HORIZON)
    ensemble.fit(training.X.fillna(0.0), training.y)
    wrapped = RegisteredModel(card=registered.card, model=ensemble)
    row = features.loc[(DAY, "MSFT")]
    result = predict_proba_up(wrapped, row, as_of=AS_OF, top_k=2)
    assert result.prob_up == pytest.approx(ensemble.predict_proba(row.to_frame().T)[0])
    xgb_part = ensemble.base_learners_["xgb"]
    assert result.top_contributions == top_contributions(xgb_part, row, k=2)
