"""Cheap registry entries for the champion tests: the small trained model saved again under
other as-of dates, tickers and creation times (the champion rules read cards, not models)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import numpy as np
import pandas as pd

from data.providers.bundled import BundledProvider
from data.service import MarketData
from quant.models import ModelCard, ModelRegistry, training_set
from tests.quant.models._trained import HORIZON, Trained, train

TICKERS = ("AAPL", "MSFT")


def save_card(
    registry: ModelRegistry,
    trained: Trained,
    *,
    as_of: date,
    created: datetime,
    tickers: Sequence[str] = TICKERS,
    challenger: bool = False,
    parent: str | None = None,
) -> ModelCard:
    """``trained``'s model registered as trained on ``tickers`` with the data known on
    ``as_of``, created at ``created``."""
    t = trained.training
    labels = pd.DataFrame({f"up_{HORIZON}d": t.y, f"end_{HORIZON}d": t.label_end})
    X = t.X.loc[t.X.index.get_level_values("ticker").isin(list(tickers))]
    training = training_set(X, labels, horizon=HORIZON, as_of=as_of)
    saved = registry.save(
        trained.model,
        training=training,
        record=trained.record,
        created_at=created,
        challenger=challenger,
        parent=parent,
    )
    return saved.card


def trained_small() -> Trained:
    """The model of tests/quant/models' ``trained`` fixture, for tests in other folders."""
    from tests.quant.models.conftest import END, small_features

    md = MarketData([BundledProvider()])
    closes = {
        t: md.bars(t, start=date(2006, 1, 1), end=END).frame["close"].astype(np.float64)
        for t in TICKERS
    }
    return train(small_features(closes), closes)
