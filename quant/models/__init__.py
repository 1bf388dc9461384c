"""Machine-learning forecasts of the sign of forward returns, evaluated walk-forward.

Flow: ``make_labels`` (forward returns; they look ahead, training purges) -> a model
(``XGBSignClassifier``, ``StackingEnsemble``, optionally ``CalibratedClassifier``) ->
``evaluate_walk_forward`` (out-of-sample record and go/no-go) -> ``fit_final`` on the
``training_set`` known at ``as_of`` -> ``ModelRegistry.save`` -> ``predict_proba_up``.
Models take a float64 feature frame indexed by (date, ticker), whatever built it.
"""

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
from quant.models.ensemble import StackingEnsemble, default_base_learners
from quant.models.errors import (
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

__all__ = [
    "HORIZONS",
    "CalibratedClassifier",
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
    "top_contributions",
    "training_set",
]
