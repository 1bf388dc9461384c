"""Machine-learning forecasts of the sign of forward returns, evaluated walk-forward.

Flow: ``make_labels`` (forward returns; they look ahead, training purges) -> a model
(``XGBSignClassifier``, ``StackingEnsemble``, optionally ``CalibratedClassifier``) ->
``evaluate_walk_forward`` (out-of-sample record and go/no-go) -> ``fit_final`` on the
``training_set`` known at ``as_of`` -> ``ModelRegistry.save`` -> ``predict_proba_up``. The
model in use per slot is its champion (``quant.models.champions``): challengers are saved
aside and ``ModelRegistry.promote``-d (or rolled back) by the learning loop or the CLI.
Models take a float64 feature frame indexed by (date, ticker), whatever built it.

Names are re-exported lazily (PEP 562), as in ``data``: importing ``quant.models.registry``
to read a model card does not load scikit-learn, XGBoost and SciPy; they load with the
modules that use them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.lazy import lazy_exports

if TYPE_CHECKING:  # the names, for type checkers; at run time they load on first use
    from quant.models._hashing import training_data_sha256
    from quant.models.base import UpClassifier
    from quant.models.calibration import (
        CalibratedClassifier,
        IsotonicCalibrator,
        PlattCalibrator,
        Reliability,
        ReliabilityBin,
        brier_score,
        log_loss,
        make_calibrator,
        reliability,
    )
    from quant.models.champions import ChampionEvent, slot_name, slot_of
    from quant.models.ensemble import StackingEnsemble, default_base_learners
    from quant.models.errors import (
        ChampionError,
        FeatureMismatchError,
        LookAheadError,
        ModelError,
        ModelExistsError,
        ModelNotFoundError,
        RegistryCorruptError,
    )
    from quant.models.forecast import ForecastResult, predict_proba_up, predict_row
    from quant.models.importance import (
        Contribution,
        contributions,
        gain_importance,
        top_contributions,
    )
    from quant.models.labels import (
        HORIZONS,
        end_column,
        label_column,
        label_end_date,
        label_end_dates,
        make_labels,
        return_column,
    )
    from quant.models.metrics import Decision, GoNoGoRule, Scores, decide, majority_class, score
    from quant.models.registry import ModelCard, ModelRegistry, RegisteredModel
    from quant.models.strategy import ModelStrategy
    from quant.models.training import TrainingSet, fit_final, training_set
    from quant.models.walkforward import FoldRecord, ModelRecord, Timing, evaluate_walk_forward
    from quant.models.xgb import XGBSignClassifier

_EXPORTS = {
    "UpClassifier": "quant.models.base",
    "CalibratedClassifier": "quant.models.calibration",
    "IsotonicCalibrator": "quant.models.calibration",
    "PlattCalibrator": "quant.models.calibration",
    "Reliability": "quant.models.calibration",
    "ReliabilityBin": "quant.models.calibration",
    "brier_score": "quant.models.calibration",
    "log_loss": "quant.models.calibration",
    "make_calibrator": "quant.models.calibration",
    "reliability": "quant.models.calibration",
    "ChampionEvent": "quant.models.champions",
    "slot_name": "quant.models.champions",
    "slot_of": "quant.models.champions",
    "StackingEnsemble": "quant.models.ensemble",
    "default_base_learners": "quant.models.ensemble",
    "ChampionError": "quant.models.errors",
    "FeatureMismatchError": "quant.models.errors",
    "LookAheadError": "quant.models.errors",
    "ModelError": "quant.models.errors",
    "ModelExistsError": "quant.models.errors",
    "ModelNotFoundError": "quant.models.errors",
    "RegistryCorruptError": "quant.models.errors",
    "training_data_sha256": "quant.models._hashing",
    "ForecastResult": "quant.models.forecast",
    "predict_proba_up": "quant.models.forecast",
    "predict_row": "quant.models.forecast",
    "Contribution": "quant.models.importance",
    "contributions": "quant.models.importance",
    "gain_importance": "quant.models.importance",
    "top_contributions": "quant.models.importance",
    "HORIZONS": "quant.models.labels",
    "end_column": "quant.models.labels",
    "label_column": "quant.models.labels",
    "label_end_date": "quant.models.labels",
    "label_end_dates": "quant.models.labels",
    "make_labels": "quant.models.labels",
    "return_column": "quant.models.labels",
    "Decision": "quant.models.metrics",
    "GoNoGoRule": "quant.models.metrics",
    "Scores": "quant.models.metrics",
    "decide": "quant.models.metrics",
    "majority_class": "quant.models.metrics",
    "score": "quant.models.metrics",
    "ModelCard": "quant.models.registry",
    "ModelRegistry": "quant.models.registry",
    "RegisteredModel": "quant.models.registry",
    "ModelStrategy": "quant.models.strategy",
    "TrainingSet": "quant.models.training",
    "fit_final": "quant.models.training",
    "training_set": "quant.models.training",
    "FoldRecord": "quant.models.walkforward",
    "ModelRecord": "quant.models.walkforward",
    "Timing": "quant.models.walkforward",
    "evaluate_walk_forward": "quant.models.walkforward",
    "XGBSignClassifier": "quant.models.xgb",
}

__all__ = [
    "HORIZONS",
    "CalibratedClassifier",
    "ChampionError",
    "ChampionEvent",
    "Contribution",
    "Decision",
    "FeatureMismatchError",
    "FoldRecord",
    "ForecastResult",
    "GoNoGoRule",
    "IsotonicCalibrator",
    "LookAheadError",
    "ModelCard",
    "ModelError",
    "ModelExistsError",
    "ModelNotFoundError",
    "ModelRecord",
    "ModelRegistry",
    "ModelStrategy",
    "PlattCalibrator",
    "RegisteredModel",
    "RegistryCorruptError",
    "Reliability",
    "ReliabilityBin",
    "Scores",
    "StackingEnsemble",
    "Timing",
    "TrainingSet",
    "UpClassifier",
    "XGBSignClassifier",
    "brier_score",
    "contributions",
    "decide",
    "default_base_learners",
    "end_column",
    "evaluate_walk_forward",
    "fit_final",
    "gain_importance",
    "label_column",
    "label_end_date",
    "label_end_dates",
    "log_loss",
    "majority_class",
    "make_calibrator",
    "make_labels",
    "predict_proba_up",
    "predict_row",
    "reliability",
    "return_column",
    "score",
    "slot_name",
    "slot_of",
    "top_contributions",
    "training_data_sha256",
    "training_set",
]

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
