"""The rows a model may be trained on at a given date, and the final fit on them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from core.asof import on_or_before
from quant.arrays import FloatArray
from quant.models.base import UpClassifier
from quant.models.labels import end_column, label_column

ModelFactory = Callable[[], UpClassifier]


def aligned_labels(
    features: pd.DataFrame, labels: pd.DataFrame, *, horizon: int
) -> tuple[FloatArray, np.ndarray]:
    """The ``horizon`` labels and label end dates of the rows of ``features`` (NaN/NaT where
    ``labels`` has none). ``labels`` is the frame of ``make_labels``."""
    up, end = label_column(horizon), end_column(horizon)
    missing = [c for c in (up, end) if c not in labels.columns]
    if missing:
        raise ValueError(
            f"labels lack {missing}: build them with make_labels(closes, horizons=[{horizon}])"
        )
    if not labels.index.is_unique:
        raise ValueError("labels must have one row per (date, ticker)")
    rows = labels.reindex(features.index)
    y = rows[up].to_numpy(dtype=np.float64)
    ends = pd.DatetimeIndex(rows[end]).as_unit("ns").to_numpy()
    return y, ends


def check_purge(model: object, *, horizon: int) -> None:
    """Raise ``ValueError`` when a model's internal validation purge is shorter than the horizon."""
    purge = getattr(model, "purge", None)
    if purge is not None and purge < horizon:
        raise ValueError(
            f"{type(model).__name__}.purge = {purge} bars is shorter than the label horizon "
            f"{horizon}: its validation folds would train on labels that see them"
        )


@dataclass(frozen=True, slots=True)
class TrainingSet:
    """Rows whose ``horizon`` label is known on ``as_of``: features, 0/1 labels, end dates."""

    X: pd.DataFrame
    y: pd.Series
    label_end: pd.Series
    horizon: int
    as_of: date

    @property
    def first_date(self) -> date:
        return pd.Timestamp(self.X.index.get_level_values(0).min()).date()

    @property
    def last_date(self) -> date:
        return pd.Timestamp(self.X.index.get_level_values(0).max()).date()

    @property
    def last_label_date(self) -> date:
        return pd.Timestamp(self.label_end.max()).date()

    @property
    def tickers(self) -> tuple[str, ...]:
        return tuple(sorted(str(t) for t in self.X.index.get_level_values(-1).unique()))


def training_set(
    features: pd.DataFrame, labels: pd.DataFrame, *, horizon: int, as_of: date
) -> TrainingSet:
    """The rows of ``features`` up to ``as_of`` whose label is known on ``as_of``.

    features: indexed by (date, ticker). A row's label is known when its end date (the date of
    the bar ``horizon`` bars later) is on or before ``as_of``; later rows are dropped, so the
    set is the same whether or not the prices after ``as_of`` were available.
    """
    y, ends = aligned_labels(features, labels, horizon=horizon)
    cutoff = np.datetime64(pd.Timestamp(as_of).as_unit("ns"))
    keep = ~np.isnan(y) & (ends <= cutoff) & on_or_before(features.index, as_of)
    if not keep.any():
        raise ValueError(f"no rows with a {horizon}-bar label known on {as_of}")
    rows = np.flatnonzero(keep)
    index = features.index[rows]
    return TrainingSet(
        X=features.iloc[rows],
        y=pd.Series(y[rows], index=index, name=label_column(horizon)),
        label_end=pd.Series(ends[rows], index=index, name=end_column(horizon)),
        horizon=horizon,
        as_of=as_of,
    )


def fit_final(training: TrainingSet, *, model_factory: ModelFactory) -> UpClassifier:
    """A model fitted on the whole training set: the one the registry stores and forecasts use."""
    model = model_factory()
    check_purge(model, horizon=training.horizon)
    return model.fit(training.X, training.y.to_numpy())
