"""A small model trained on the real feature panel, with its walk-forward record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from quant.backtest.splits import WalkForward
from quant.models import (
    ModelRecord,
    TrainingSet,
    XGBSignClassifier,
    evaluate_walk_forward,
    fit_final,
    make_labels,
    training_set,
)

AS_OF = date(2012, 12, 31)
HORIZON = 5


def small_xgb() -> XGBSignClassifier:
    return XGBSignClassifier(n_rounds=40, early_stopping_rounds=10, max_depth=2, purge=HORIZON)


@dataclass(frozen=True)
class Trained:
    model: XGBSignClassifier
    training: TrainingSet
    record: ModelRecord
    features: pd.DataFrame


def train(features: pd.DataFrame, closes: dict[str, pd.Series]) -> Trained:
    labels = make_labels(closes, horizons=[HORIZON])
    known = features.loc[features.index.get_level_values("date") <= pd.Timestamp(AS_OF)]
    splitter = WalkForward(train_months=12, test_months=6, purge=HORIZON, min_folds=4)
    record = evaluate_walk_forward(
        known, labels, horizon=HORIZON, splitter=splitter, model_factory=small_xgb
    )
    training = training_set(features, labels, horizon=HORIZON, as_of=AS_OF)
    model = fit_final(training, model_factory=small_xgb)
    return Trained(model=model, training=training, record=record, features=features)  # type: ignore[arg-type]
