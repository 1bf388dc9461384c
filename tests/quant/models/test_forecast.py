from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from quant.models import (
    FeatureMismatchError,
    ForecastResult,
    LookAheadError,
    ModelRegistry,
    RegisteredModel,
    StackingEnsemble,
    XGBSignClassifier,
    contributions,
    predict_proba_up,
    registry,
    top_contributions,
)
from quant.models._frame import check_features
from quant.models.forecast import predict_row
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


# -- the array entry point --------------------------------------------------------------------


def test_predict_row_is_the_series_forecast_from_an_array(
    registered: RegisteredModel, features: pd.DataFrame
) -> None:
    row = features.loc[(DAY, "AAPL")]
    from_series = predict_proba_up(registered, row, as_of=AS_OF, top_k=3)
    x = row.to_numpy(dtype=np.float64)
    strided = np.stack([x, x], axis=1)[:, 0]
    for shaped in (x, x.reshape(1, -1), strided, list(x)):
        got = predict_row(
            registered, shaped, row_date=DAY.date(), ticker="AAPL", as_of=AS_OF, top_k=3
        )
        assert got == from_series
    plain = predict_row(registered, x, row_date=DAY.date(), ticker="AAPL", as_of=AS_OF)
    assert plain.top_contributions == () and plain.prob_up == from_series.prob_up
    assert plain.prob_up == float(registered.model.booster_.inplace_predict(x[None, :])[0])
    assert isinstance(plain, ForecastResult) and plain.model_fields_set == set(
        ForecastResult.model_fields
    )
    assert ForecastResult.model_validate_json(plain.model_dump_json()) == plain
    assert plain.model_dump()["row_date"] == date(2012, 12, 31)


def test_predict_row_keeps_the_look_ahead_checks(registered: RegisteredModel) -> None:
    x = np.zeros(len(registered.card.features))
    with pytest.raises(LookAheadError, match="dated 2013-01-02, after as_of 2012-12-31"):
        predict_row(registered, x, row_date=date(2013, 1, 2), ticker="AAPL", as_of=AS_OF)
    with pytest.raises(LookAheadError, match="trained on data known on 2012-12-31"):
        predict_row(registered, x, row_date=date(2012, 6, 1), ticker=None, as_of=date(2012, 6, 29))
    earlier = predict_row(registered, x, row_date=date(2012, 6, 1), ticker=None, as_of=AS_OF)
    assert earlier.in_sample is True and earlier.ticker is None


@pytest.mark.parametrize("shape", [(6,), (8,), (1, 8), (7, 1), (2, 7), (1, 1, 7), ()])
def test_predict_row_refuses_rows_of_another_width(
    registered: RegisteredModel, shape: tuple[int, ...]
) -> None:
    assert len(registered.card.features) == 7
    with pytest.raises(FeatureMismatchError):
        predict_row(registered, np.zeros(shape), row_date=DAY.date(), ticker="A", as_of=AS_OF)


def test_the_feature_check_is_remembered_for_views_only(
    registered: RegisteredModel, features: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[int] = []

    def counting(columns: pd.Index, expected: tuple[str, ...]) -> None:
        checked.append(len(columns))
        check_features(columns, expected)

    monkeypatch.setattr(registry, "check_features", counting)
    fresh = RegisteredModel(card=registered.card, model=registered.model)
    first, second = features.loc[(DAY, "AAPL")], features.loc[(DAY, "MSFT")]
    assert second.index is not first.index and second.index.is_(first.index)  # views
    predict_proba_up(fresh, first, as_of=AS_OF, top_k=0)
    predict_proba_up(fresh, second, as_of=AS_OF, top_k=0)
    assert checked == [7]  # once for both views of the panel's columns
    renamed = second.rename(index={"vol_20": "vol_21"})
    with pytest.raises(FeatureMismatchError):
        predict_proba_up(fresh, renamed, as_of=AS_OF, top_k=0)
    assert checked == [7, 7]
