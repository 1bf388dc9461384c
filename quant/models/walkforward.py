"""Walk-forward evaluation of a model: train on each fold's past, predict its test window,
score the pooled out-of-sample predictions and decide go/no-go.

Look-ahead guards, in order: ``splitter.check_horizon(horizon)`` (the purge + embargo gap covers
the label horizon); every model's own ``purge`` covers the horizon; rows with an unknown label
are dropped; and any training row whose label end date reaches the fold's test start is dropped
(this catches tickers with missing bars, where bar counts and dates disagree).
"""

from __future__ import annotations

from datetime import date
from time import perf_counter
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, PrivateAttr

from quant.backtest.splits import Fold, WalkForward
from quant.models._frame import dates_of
from quant.models.metrics import (
    DEFAULT_RULE,
    GoNoGoRule,
    Scores,
    Verdict,
    decide,
    majority_class,
    score,
)
from quant.models.training import ModelFactory, aligned_labels, check_purge


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", ser_json_inf_nan="strings")


class FoldRecord(_Frozen):
    fold: int
    train_start: date
    train_end: date
    test_start: date
    test_end: date
    n_train: int
    n_overlap_dropped: int
    scores: Scores
    fit_s: float


class Timing(_Frozen):
    """Seconds spent fitting models, predicting, and in total (wall clock, monotonic)."""

    fit_s: float
    predict_s: float
    total_s: float

    @property
    def other_s(self) -> float:
        """Everything that is neither fitting nor predicting: splitting, selecting, scoring."""
        return self.total_s - self.fit_s - self.predict_s

    @property
    def overhead_share(self) -> float:
        """Time outside model fitting (prediction included) as a share of fitting time."""
        return (self.total_s - self.fit_s) / self.fit_s if self.fit_s > 0 else float("nan")


class ModelRecord(_Frozen):
    """The walk-forward record of a model: per-fold and pooled out-of-sample scores, verdict."""

    model: str
    horizon: int
    splitter: dict[str, Any]
    folds: tuple[FoldRecord, ...]
    skipped_folds: tuple[int, ...]
    overall: Scores
    verdict: Verdict
    leak_suspected: bool
    reasons: tuple[str, ...]
    rule: GoNoGoRule
    timing: Timing
    _predictions: pd.DataFrame | None = PrivateAttr(default=None)

    @property
    def predictions(self) -> pd.DataFrame | None:
        """Out-of-sample rows (prob_up, label, baseline, fold) indexed like the features;
        None for a record loaded from the registry."""
        return self._predictions

    def __eq__(self, other: object) -> bool:
        """Records are equal when their fields are; the predictions are not compared."""
        if not isinstance(other, ModelRecord):
            return NotImplemented
        return self.__dict__ == other.__dict__

    __hash__ = None  # type: ignore[assignment]


def evaluate_walk_forward(
    features: pd.DataFrame,
    labels: pd.DataFrame,
    *,
    horizon: int,
    splitter: WalkForward,
    model_factory: ModelFactory,
    rule: GoNoGoRule = DEFAULT_RULE,
) -> ModelRecord:
    """Walk-forward out-of-sample record of the models ``model_factory`` makes.

    features: float64 frame indexed by (date, ticker). labels: the frame of ``make_labels``
    (its ``up_{h}d`` and ``end_{h}d`` columns are used). Raises ``ValueError`` when the splitter
    gap or a model's purge is shorter than ``horizon``, ``InsufficientHistoryError`` when too
    few folds fit.
    """
    start = perf_counter()
    splitter.check_horizon(horizon)
    y, ends = aligned_labels(features, labels, horizon=horizon)
    known = ~np.isnan(y)
    dates = dates_of(features.index)
    records: list[FoldRecord] = []
    skipped: list[int] = []
    parts: list[pd.DataFrame] = []
    fit_total = predict_total = 0.0
    model_name = ""
    for fold in splitter.split(features.index):
        train, overlap = _train_rows(fold, dates, known, ends)
        test = np.flatnonzero(fold.test_mask(dates) & known)
        if len(train) == 0 or len(test) == 0:
            skipped.append(fold.number)
            continue
        model = model_factory()
        check_purge(model, horizon=horizon)
        model_name = type(model).__name__
        t0 = perf_counter()
        model.fit(features.iloc[train], y[train])
        t1 = perf_counter()
        prob = model.predict_proba(features.iloc[test])
        t2 = perf_counter()
        fit_total += t1 - t0
        predict_total += t2 - t1
        baseline = majority_class(y[train])
        records.append(_fold_record(fold, len(train), overlap, prob, y[test], baseline, t1 - t0))
        parts.append(_oos(features.index[test], prob, y[test], baseline, fold.number))
    predictions = pd.concat(parts) if parts else _oos(features.index[:0], *_empty(), 0.0, 0)
    overall = score(
        predictions["prob_up"].to_numpy(),
        predictions["label"].to_numpy(),
        baseline=predictions["baseline"].to_numpy(),
    )
    decision = decide(overall, rule=rule)
    timing = Timing(fit_s=fit_total, predict_s=predict_total, total_s=perf_counter() - start)
    record = ModelRecord(
        model=model_name or type(model_factory()).__name__,
        horizon=horizon,
        splitter=_splitter_params(splitter),
        folds=tuple(records),
        skipped_folds=tuple(skipped),
        overall=overall,
        verdict=decision.verdict,
        leak_suspected=decision.leak_suspected,
        reasons=decision.reasons,
        rule=rule,
        timing=timing,
    )
    record._predictions = predictions
    return record


def _train_rows(
    fold: Fold, dates: pd.DatetimeIndex, known: np.ndarray, ends: np.ndarray
) -> tuple[np.ndarray, int]:
    """Positions of the fold's trainable rows, and how many the end-date rule dropped."""
    rows = fold.train_mask(dates) & known
    reaches_test = ends >= np.datetime64(fold.test_start.as_unit("ns"))
    return np.flatnonzero(rows & ~reaches_test), int((rows & reaches_test).sum())


def _fold_record(
    fold: Fold,
    n_train: int,
    overlap: int,
    prob: np.ndarray,
    y_test: np.ndarray,
    baseline: float,
    fit_s: float,
) -> FoldRecord:
    return FoldRecord(
        fold=fold.number,
        train_start=fold.train_start.date(),
        train_end=fold.train_end.date(),
        test_start=fold.test_start.date(),
        test_end=fold.test_end.date(),
        n_train=n_train,
        n_overlap_dropped=overlap,
        scores=score(prob, y_test, baseline=baseline),
        fit_s=fit_s,
    )


def _oos(
    index: pd.Index, prob: np.ndarray, y: np.ndarray, baseline: float, fold: int
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "prob_up": np.asarray(prob, dtype=np.float64),
            "label": y,
            "baseline": np.full(len(y), baseline),
            "fold": np.full(len(y), fold, dtype=np.int64),
        },
        index=index,
    )


def _empty() -> tuple[np.ndarray, np.ndarray]:
    return np.zeros(0), np.zeros(0)


def _splitter_params(splitter: WalkForward) -> dict[str, Any]:
    fields = ("train_months", "test_months", "purge", "embargo", "expanding")
    return {"kind": type(splitter).__name__, **{f: getattr(splitter, f) for f in fields}}
