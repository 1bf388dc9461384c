from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import RandomForestClassifier

from quant.models import (
    FeatureMismatchError,
    ModelExistsError,
    ModelNotFoundError,
    ModelRegistry,
    RegistryCorruptError,
    StackingEnsemble,
    XGBSignClassifier,
    score,
    training_set,
)
from quant.models._hashing import training_data_sha256
from tests.quant.models._trained import AS_OF, HORIZON, Trained

CREATED = datetime(2013, 1, 2, 18, 0, tzinfo=UTC)


def test_round_trip_predicts_identically(trained: Trained, tmp_path: Path) -> None:
    registry = ModelRegistry(tmp_path / "models")
    saved = registry.save(
        trained.model, training=trained.training, record=trained.record, created_at=CREATED
    )
    names = list(trained.features.columns)
    loaded = registry.load(saved.card.model_id, features=names)
    X = trained.features.dropna()
    np.testing.assert_array_equal(loaded.model.predict_proba(X), trained.model.predict_proba(X))
    assert loaded.card == saved.card
    folder = tmp_path / "models" / saved.card.model_id
    assert sorted(p.name for p in folder.iterdir()) == ["metadata.json", "model.joblib", "xgb.ubj"]


def test_metadata_describes_the_model(trained: Trained, tmp_path: Path) -> None:
    card = (
        ModelRegistry(tmp_path)
        .save(trained.model, training=trained.training, record=trained.record, created_at=CREATED)
        .card
    )
    assert card.model_id.startswith("AAPL+MSFT-h5-20130102T180000Z-")
    assert card.tickers == ("AAPL", "MSFT") and card.horizon == HORIZON
    assert card.as_of == AS_OF and card.train_start == date(2006, 1, 3)
    assert card.train_end == date(2012, 12, 21)  # 5 sessions before 2012-12-31
    assert card.label_end == date(2012, 12, 31)
    assert card.features == tuple(trained.features.columns)
    assert card.params["n_rounds"] == 40 and card.params["purge"] == HORIZON
    assert card.record.verdict == trained.record.verdict and card.record.folds
    assert card.data_sha256 == training_data_sha256(trained.training.X, trained.training.y)
    assert {"python", "numpy", "pandas", "scikit-learn", "xgboost"} <= set(card.versions)
    raw = json.loads((tmp_path / card.model_id / "metadata.json").read_text())
    assert raw["created_at"] == "2013-01-02T18:00:00Z"


def test_data_hash_is_deterministic(trained: Trained) -> None:
    X, y = trained.training.X, trained.training.y
    digest = training_data_sha256(X, y)
    shuffled = np.random.default_rng(0).permutation(len(X))
    assert training_data_sha256(X.iloc[shuffled], y.iloc[shuffled]) == digest
    assert training_data_sha256(X.copy(), y.copy()) == digest
    changed = X.copy()
    changed.iloc[10, 2] += 1e-12
    assert training_data_sha256(changed, y) != digest
    assert training_data_sha256(X, 1 - y) != digest
    assert training_data_sha256(X[X.columns[::-1]], y) != digest


def test_feature_list_mismatch_is_a_named_error(trained: Trained, tmp_path: Path) -> None:
    registry = ModelRegistry(tmp_path)
    model_id = registry.save(
        trained.model, training=trained.training, record=trained.record, created_at=CREATED
    ).card.model_id
    names = list(trained.features.columns)
    with pytest.raises(FeatureMismatchError, match="missing vol_20"):
        registry.load(model_id, features=names[:-1])
    with pytest.raises(FeatureMismatchError, match="different order"):
        registry.load(model_id, features=names[::-1])


def test_models_are_immutable_and_checked(trained: Trained, tmp_path: Path) -> None:
    registry = ModelRegistry(tmp_path)
    card = registry.save(
        trained.model, training=trained.training, record=trained.record, created_at=CREATED
    ).card
    with pytest.raises(ModelExistsError):
        registry.save(
            trained.model, training=trained.training, record=trained.record, created_at=CREATED
        )
    (tmp_path / card.model_id / "xgb.ubj").write_bytes(b"tampered")
    with pytest.raises(RegistryCorruptError, match="xgb.ubj"):
        registry.load(card.model_id, features=card.features)
    with pytest.raises(ModelNotFoundError):
        registry.load("../elsewhere", features=card.features)


def test_list_and_latest(trained: Trained, features: pd.DataFrame, tmp_path: Path) -> None:
    registry = ModelRegistry(tmp_path)
    assert registry.list() == []
    labels_2011 = training_set(
        trained.training.X, _labels(trained), horizon=HORIZON, as_of=date(2011, 12, 30)
    )
    old_model = XGBSignClassifier(n_rounds=5, purge=HORIZON).fit(labels_2011.X, labels_2011.y)
    old = registry.save(
        old_model,
        training=labels_2011,
        record=trained.record,
        created_at=datetime(2012, 1, 2, tzinfo=UTC),
    ).card
    new = registry.save(
        trained.model, training=trained.training, record=trained.record, created_at=CREATED
    ).card
    assert [c.model_id for c in registry.list()] == [old.model_id, new.model_id]
    assert registry.latest("MSFT", HORIZON) == new
    assert registry.latest("MSFT", HORIZON, as_of=date(2012, 6, 29)) == old  # point in time
    with pytest.raises(ModelNotFoundError):
        registry.latest("IBM", HORIZON)
    with pytest.raises(ModelNotFoundError):
        registry.latest("MSFT", 20)


def test_ensemble_round_trip(trained: Trained, tmp_path: Path) -> None:
    training = trained.training
    learners = {
        "xgb": XGBSignClassifier(n_rounds=20, purge=HORIZON),
        "rf": RandomForestClassifier(n_estimators=10, max_depth=3, random_state=0),
    }
    X = training.X.fillna(0.0)
    model = StackingEnsemble(base_learners=learners, n_splits=3, purge=HORIZON).fit(X, training.y)
    registry = ModelRegistry(tmp_path)
    fixed = type(training)(X=X, y=training.y, label_end=training.label_end, horizon=HORIZON,
                           as_of=training.as_of)  # fmt: skip
    card = registry.save(model, training=fixed, record=trained.record, created_at=CREATED).card
    assert "xgb.xgb.ubj" in card.files and card.kind == "StackingEnsemble"
    loaded = registry.load(card.model_id, features=list(X.columns))
    np.testing.assert_array_equal(loaded.model.predict_proba(X), model.predict_proba(X))


def _labels(trained: Trained) -> pd.DataFrame:
    t = trained.training
    return pd.DataFrame({"up_5d": t.y, "end_5d": t.label_end})


def test_undefined_scores_survive_the_round_trip(trained: Trained, tmp_path: Path) -> None:
    empty = score(np.zeros(0), np.zeros(0), baseline=1.0)  # NaN accuracy, AUC, Brier...
    record = trained.record.model_copy(update={"overall": empty, "verdict": "NO-GO"})
    registry = ModelRegistry(tmp_path)
    card = registry.save(
        trained.model, training=trained.training, record=record, created_at=CREATED
    ).card
    text = (tmp_path / card.model_id / "metadata.json").read_text()
    json.loads(text, parse_constant=pytest.fail)  # standard JSON: no bare NaN
    loaded = registry.card(card.model_id).record.overall
    assert loaded.n == 0 and np.isnan(loaded.accuracy) and np.isnan(loaded.auc)


def test_cards_written_before_lineage_read_as_champions(trained: Trained, tmp_path: Path) -> None:
    registry = ModelRegistry(tmp_path)
    card = registry.save(
        trained.model, training=trained.training, record=trained.record, created_at=CREATED
    ).card
    assert (card.parent, card.challenger) == (None, False)
    path = tmp_path / card.model_id / "metadata.json"
    old = json.loads(path.read_text())
    del old["parent"], old["challenger"]  # metadata.json as written before these fields
    path.write_text(json.dumps(old))
    assert registry.card(card.model_id) == card
    assert registry.latest("AAPL", HORIZON) == card == registry.champion("AAPL+MSFT-h5")
