"""Out-of-sample scores and the go/no-go rule of the ML part of the signal.

The rule (configurable, defaults from the specification): **NO-GO** when accuracy is below 55%
or not better than the majority-class baseline (each fold's majority TRAIN label predicted for
all its test rows); **GO** otherwise. Separately, accuracy above 70% on daily equity returns is
not believable: ``leak_suspected`` says "probable leak, investigate" (the verdict is unchanged,
but no caller should trust such a model before someone has looked).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from quant.arrays import FloatArray
from quant.models._frame import as_labels

Verdict = Literal["GO", "NO-GO"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", ser_json_inf_nan="strings")


class GoNoGoRule(_Frozen):
    """Thresholds of the verdict, as fractions."""

    min_accuracy: float = Field(default=0.55, ge=0, le=1)
    leak_accuracy: float = Field(default=0.70, ge=0, le=1)


DEFAULT_RULE = GoNoGoRule()


class Scores(_Frozen):
    """Scores of a set of predictions; NaN where undefined (AUC with one class, empty set)."""

    n: int
    accuracy: float
    baseline_accuracy: float
    auc: float
    brier: float
    log_loss: float
    up_rate: float


class Decision(_Frozen):
    verdict: Verdict
    leak_suspected: bool
    reasons: tuple[str, ...]


def majority_class(y_train: FloatArray) -> float:
    """The more frequent label of the training rows; ties go to 1 ("up")."""
    labels = as_labels(y_train)
    if not len(labels):
        raise ValueError("no training labels to take a majority from")
    return 1.0 if labels.mean() >= 0.5 else 0.0


def score(prob: FloatArray, y: FloatArray, *, baseline: FloatArray | float) -> Scores:
    """Scores of P(up) ``prob`` against labels ``y``; a prediction is "up" when prob > 0.5.

    baseline: the majority-class prediction (0 or 1), one value or one per row.
    """
    # here, not at the top: reading a model card (ModelRecord) must not load scikit-learn
    from sklearn.metrics import roc_auc_score

    from quant.models.calibration import brier_score, log_loss

    p = np.asarray(prob, dtype=np.float64)
    labels = as_labels(y)
    if len(p) != len(labels):
        raise ValueError(f"{len(p)} predictions for {len(labels)} labels")
    if not len(labels):
        nan = float("nan")
        return Scores(n=0, accuracy=nan, baseline_accuracy=nan, auc=nan, brier=nan,
                      log_loss=nan, up_rate=nan)  # fmt: skip
    base = np.broadcast_to(np.asarray(baseline, dtype=np.float64), labels.shape)
    two_classes = 0 < labels.sum() < len(labels)
    return Scores(
        n=len(labels),
        accuracy=float(np.mean((p > 0.5) == (labels == 1.0))),
        baseline_accuracy=float(np.mean(base == labels)),
        auc=float(roc_auc_score(labels, p)) if two_classes else float("nan"),
        brier=brier_score(p, labels),
        log_loss=log_loss(p, labels),
        up_rate=float(labels.mean()),
    )


def decide(scores: Scores, *, rule: GoNoGoRule = DEFAULT_RULE) -> Decision:
    """Apply the go/no-go rule and the leak check to out-of-sample scores."""
    acc, base = scores.accuracy, scores.baseline_accuracy
    too_low = not acc >= rule.min_accuracy  # NaN (no predictions) is NO-GO too
    no_edge = not acc > base
    leak = bool(acc > rule.leak_accuracy)
    reasons: list[str] = []
    if too_low:
        reasons.append(f"accuracy {acc:.1%} is below {rule.min_accuracy:.0%}")
    if no_edge:
        reasons.append(f"accuracy {acc:.1%} does not beat the majority-class baseline {base:.1%}")
    if not (too_low or no_edge):
        reasons.append(f"accuracy {acc:.1%} >= {rule.min_accuracy:.0%} and beats {base:.1%}")
    if leak:
        reasons.append(
            f"accuracy {acc:.1%} is above {rule.leak_accuracy:.0%}: probable leak, investigate"
        )
    verdict: Verdict = "NO-GO" if too_low or no_edge else "GO"
    return Decision(verdict=verdict, leak_suspected=leak, reasons=tuple(reasons))
