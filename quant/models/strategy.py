"""A backtest strategy that trades on a model's P(up): refitted per walk-forward fold, alone
(``ml``) or blended with the technical score (``confluence``) once its record passes go/no-go."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from core.asof import up_to
from quant.backtest.splits import Fold
from quant.backtest.strategies import LONG_FLAT, ScoreStrategy
from quant.models.base import UpClassifier
from quant.models.metrics import decide, majority_class, score
from quant.models.training import fit_final, training_set
from quant.signals.config import SignalConfig


@dataclass
class ModelStrategy:
    """Positions from a model's P(up), refitted per fold on rows whose label is known by the
    fold's training end; with ``gate`` the ML part only counts once its earlier out-of-sample
    predictions (labels known by then) pass go/no-go."""

    features: pd.DataFrame  # one ticker's rows, indexed by date
    labels: pd.DataFrame
    horizon: int
    factory: Callable[[], UpClassifier]
    config: SignalConfig
    technical: pd.Series | None = None  # with it: the confluence of technical and ML
    name: str = "ml"
    _model: UpClassifier | None = None
    _oos: dict[pd.Timestamp, float] = field(default_factory=dict)
    _gate_open: bool = False
    _train_end: pd.Timestamp | None = None

    def fit(self, bars: pd.DataFrame, *, train: Fold | None = None) -> None:
        end = (train.train_end if train else bars.index[-1]).date()
        panel = self.features.set_index(
            pd.MultiIndex.from_arrays([self.features.index, ["X"] * len(self.features)])
        )
        ts = training_set(panel, self.labels, horizon=self.horizon, as_of=end)
        self._model = fit_final(ts, model_factory=self.factory)
        self._train_end = pd.Timestamp(end)
        self._gate_open = self._earlier_record_passes(end) if train is not None else True

    def _earlier_record_passes(self, end: date) -> bool:
        known = self.labels.loc[self.labels[f"end_{self.horizon}d"] <= pd.Timestamp(end)]
        dates = [d for d in self._oos if (d, "X") in known.index]
        if len(dates) < 20:
            return False
        y = known[f"up_{self.horizon}d"].loc[[(d, "X") for d in dates]].to_numpy(np.float64)
        prob = np.array([self._oos[d] for d in dates])
        return decide(score(prob, y, baseline=majority_class(y))).verdict == "GO"

    def record(self) -> dict[str, object] | None:
        """Go/no-go of every out-of-sample prediction made, scored on the labels now known."""
        col = f"up_{self.horizon}d"
        keys = [(d, "X") for d in sorted(self._oos) if (d, "X") in self.labels.index]
        y = self.labels[col].loc[keys].to_numpy(np.float64) if keys else np.empty(0)
        known = ~np.isnan(y)
        if known.sum() < 20:
            return None
        prob = np.array([self._oos[d] for d, _ in keys])[known]
        scores = score(prob, y[known], baseline=majority_class(y[known]))
        decision = decide(scores)
        return scores.model_dump() | {
            "verdict": decision.verdict,
            "leak_suspected": decision.leak_suspected,
            "reasons": list(decision.reasons),
        }

    def prob_up(self, bars: pd.DataFrame) -> pd.Series:
        if self._model is None:
            raise RuntimeError("ModelStrategy.prob_up needs fit first")
        rows = up_to(self.features, as_of=bars.index[-1].date())
        prob = pd.Series(self._model.predict_proba(rows), index=rows.index)
        later = prob.loc[prob.index > self._train_end]
        for day, p in zip(later.index, later.to_numpy(np.float64), strict=True):
            self._oos.setdefault(day, float(p))
        return prob.reindex(bars.index)

    def positions(self, bars: pd.DataFrame) -> pd.Series:
        prob = self.prob_up(bars)
        if self.technical is None:
            scores = prob
            thresholds = self.config.confluence_thresholds
        else:
            w = self.config.confluence_weights
            tech = self.technical.reindex(bars.index)
            scores = (
                (w.technical * tech + w.ml * prob) / (w.technical + w.ml)
                if self._gate_open
                else tech
            )
            thresholds = self.config.confluence_thresholds
        return ScoreStrategy(
            score=scores, thresholds=thresholds, mapping=dict(LONG_FLAT), name=self.name
        ).positions(bars)
