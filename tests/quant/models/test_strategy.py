"""ModelStrategy (quant/models/strategy.py): refitted per fold on labels known by the fold's
training end, long or flat on P(up), and the confluence's ML part gated by its earlier record."""

from __future__ import annotations

from typing import Self

import numpy as np
import pandas as pd
import pytest

from quant.backtest.splits import Fold
from quant.models import ModelStrategy, make_labels
from quant.signals.technical import DEFAULT_CONFIG
from tests.quant.models.conftest import small_features

HORIZON = 5


class FixedUp:
    """P(up) fixed at ``p``; remembers the last training date of every fit."""

    purge = HORIZON
    feature_names_: tuple[str, ...] = ()

    def __init__(self, p: float, seen: list[pd.Timestamp]) -> None:
        self.p, self.seen = p, seen

    def fit(self, X: pd.DataFrame, y: pd.Series | np.ndarray) -> Self:
        self.feature_names_ = tuple(X.columns)
        self.seen.append(X.index.get_level_values(0).max())
        return self

    def predict_proba(self, X: pd.DataFrame | np.ndarray) -> np.ndarray:
        return np.full(len(X), self.p)


def _strategy(
    close: pd.Series,
    p: float,
    seen: list[pd.Timestamp],
    *,
    technical: pd.Series | None = None,
    name: str = "ml",
) -> ModelStrategy:
    features = small_features({"X": close}).droplevel(1)
    return ModelStrategy(
        features=features,
        labels=make_labels({"X": close}, horizons=(HORIZON,)),
        horizon=HORIZON,
        factory=lambda: FixedUp(p, seen),
        config=DEFAULT_CONFIG,
        technical=technical,
        name=name,
    )


def _fold(index: pd.DatetimeIndex, train_end: int, test_end: int) -> Fold:
    return Fold(1, index[0], index[train_end], index[train_end + 1], index[test_end])


def test_a_fold_trains_only_on_labels_known_by_its_end(closes: dict[str, pd.Series]) -> None:
    close = closes["AAPL"]
    seen: list[pd.Timestamp] = []
    strategy = _strategy(close, 0.8, seen)
    fold = _fold(close.index, 1000, 1060)
    strategy.fit(close.to_frame("close"), train=fold)
    assert seen == [close.index[1000 - HORIZON]]  # the last row whose 5-bar label ends by then
    bars = close.iloc[:1061].to_frame("close")
    positions = strategy.positions(bars)
    assert set(positions.dropna().unique()) == {1.0}  # P(up) 0.8: STRONG BUY, long
    assert positions.index.equals(bars.index)


def test_confluence_uses_the_technical_score_alone_until_the_ml_record_passes(
    closes: dict[str, pd.Series],
) -> None:
    close = closes["AAPL"]
    index = close.index
    technical = pd.Series(0.5, index=index)  # HOLD: flat
    strategy = _strategy(close, 0.9, [], technical=technical, name="confluence")
    strategy.fit(close.to_frame("close"), train=_fold(index, 1000, 1060))
    bars = close.iloc[:1061].to_frame("close")
    assert (strategy.positions(bars).dropna() == 0.0).all()  # gate closed: no record yet
    assert strategy.record() is not None  # 60 out-of-sample days scored since
    ungated = _strategy(close, 0.9, [], technical=technical, name="confluence")
    ungated.fit(close.to_frame("close"))  # the final fit (no fold) counts the ML part
    w = DEFAULT_CONFIG.confluence_weights
    blended = (w.technical * 0.5 + w.ml * 0.9) / (w.technical + w.ml)
    assert blended > DEFAULT_CONFIG.confluence_thresholds.buy
    assert (ungated.positions(bars).dropna() == 1.0).all()


def test_record_scores_the_out_of_sample_predictions_once_twenty_are_known(
    closes: dict[str, pd.Series],
) -> None:
    close = closes["AAPL"]
    strategy = _strategy(close, 0.6, [])
    strategy.fit(close.to_frame("close"), train=_fold(close.index, 1000, 1030))
    strategy.positions(close.iloc[:1011].to_frame("close"))
    assert strategy.record() is None  # 10 out-of-sample days
    strategy.positions(close.iloc[:1031].to_frame("close"))
    record = strategy.record()
    assert record is not None and record["n"] == 30
    up = make_labels({"X": close}, horizons=(HORIZON,))[f"up_{HORIZON}d"].to_numpy()
    assert record["brier"] == pytest.approx(np.mean((0.6 - up[1001:1031]) ** 2))
    assert record["verdict"] in ("GO", "NO-GO")
