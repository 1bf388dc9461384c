from __future__ import annotations

from typing import Self

import numpy as np
import pandas as pd
import pytest

from quant.backtest.splits import WalkForward
from quant.models import XGBSignClassifier, evaluate_walk_forward, make_labels

SPLITTER = WalkForward(train_months=12, test_months=6, purge=20, min_folds=4)
SMALL = {"n_rounds": 40, "early_stopping_rounds": 10, "max_depth": 2}


class SpyModel:
    """Predicts the training up-rate and remembers which rows it was trained on."""

    fits: list[pd.Index] = []

    def __init__(self, purge: int = 20) -> None:
        self.purge = purge

    def fit(self, X: pd.DataFrame, y: np.ndarray) -> Self:
        SpyModel.fits.append(X.index)
        self.rate_ = float(np.mean(y))
        self.feature_names_ = tuple(X.columns)
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        return np.full(len(X), self.rate_)


def test_no_training_row_has_a_label_ending_in_the_test_window(
    features: pd.DataFrame, closes: dict[str, pd.Series]
) -> None:
    # MSFT misses 25 bars just before a test window: counting panel dates would under-purge it
    msft = closes["MSFT"]
    gap = msft.index[(msft.index >= "2009-12-01") & (msft.index < "2010-01-07")]
    holey = {"AAPL": closes["AAPL"], "MSFT": msft.drop(gap)}
    labels = make_labels(holey, horizons=[20])
    SpyModel.fits = []
    record = evaluate_walk_forward(
        features, labels, horizon=20, splitter=SPLITTER, model_factory=SpyModel
    )
    folds = SPLITTER.split(features.index)
    assert len(SpyModel.fits) == len(folds) == len(record.folds) >= 8
    for fold, trained in zip(folds, SpyModel.fits, strict=True):
        ends = labels.loc[trained, "end_20d"]
        assert ends.notna().all()
        assert ends.max() < fold.test_start  # never saw a label that ends in the test window
        assert trained.get_level_values("date").max() <= fold.train_end
    assert sum(f.n_overlap_dropped for f in record.folds) > 0  # the date rule did drop rows


def test_a_leaking_feature_is_caught(features: pd.DataFrame, closes) -> None:
    labels = make_labels(closes, horizons=[1])
    leaky = features.assign(tomorrow=labels["ret_1d"].reindex(features.index))
    record = evaluate_walk_forward(
        leaky,
        labels,
        horizon=1,
        splitter=SPLITTER,
        model_factory=lambda: XGBSignClassifier(**SMALL, purge=1),
    )
    assert record.overall.accuracy > 0.9
    assert record.leak_suspected is True
    assert any("probable leak" in r for r in record.reasons)


def test_honest_features_on_real_prices_are_no_go(features: pd.DataFrame, closes) -> None:
    labels = make_labels(closes, horizons=[5])
    record = evaluate_walk_forward(
        features,
        labels,
        horizon=5,
        splitter=SPLITTER,
        model_factory=lambda: XGBSignClassifier(**SMALL, purge=5),
    )
    oos = record.predictions
    assert oos is not None and len(oos) == record.overall.n == sum(f.scores.n for f in record.folds)
    assert 0.4 < record.overall.accuracy < 0.6 and not record.leak_suspected
    assert record.verdict == "NO-GO"  # daily prices alone do not predict the next week
    # overall baseline = each fold's train majority applied to its own test rows
    expected = np.mean(oos["baseline"] == oos["label"])
    assert record.overall.baseline_accuracy == pytest.approx(expected)
    fold0 = record.folds[0]
    assert fold0.scores.n == (oos["fold"] == 0).sum()
    timing = record.timing
    assert 0 < timing.fit_s < timing.total_s and timing.predict_s > 0
    assert timing.overhead_share == pytest.approx((timing.total_s - timing.fit_s) / timing.fit_s)


def test_look_ahead_guards_refuse_short_gaps(features: pd.DataFrame, closes) -> None:
    labels = make_labels(closes, horizons=[20])
    with pytest.raises(ValueError, match="shorter than the label horizon"):
        evaluate_walk_forward(
            features,
            labels,
            horizon=20,
            splitter=WalkForward(purge=5, min_folds=4),
            model_factory=SpyModel,
        )
    with pytest.raises(ValueError, match="SpyModel.purge = 5"):
        evaluate_walk_forward(
            features, labels, horizon=20, splitter=SPLITTER, model_factory=lambda: SpyModel(5)
        )
    with pytest.raises(ValueError, match="lack"):
        evaluate_walk_forward(
            features, labels, horizon=5, splitter=SPLITTER, model_factory=SpyModel
        )
