"""When a model is retrained, and when its challenger replaces it: pure decisions.

- ``retrain_trigger(policy, state, as_of=...)``: the reason to retrain a slot's model on
  ``as_of``, or None. In order: **initial** (no model yet), **schedule** (the slot was last
  trained, promoted or not, ``every_days`` calendar days ago or more), **accuracy** (its
  rolling hit rate over its last ``window`` resolved calls is below ``min_accuracy``, judged
  once ``min_calls`` are resolved), **drift** (its last drift check found its features or
  P(up) drifted). Accuracy and drift wait ``cooldown_days`` after the last retrain (its new
  calls need time to resolve); the schedule does not.
- ``challenger_wins(champion=..., challenger=..., verdict=...)``: the challenger replaces the
  champion only if it is GO on its walk-forward record and beats the champion on the same
  out-of-sample rows (higher accuracy; at equal accuracy, lower log loss), with at least
  ``min_rows`` rows to compare on.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from quant.arrays import FloatArray
from quant.models.metrics import Scores

__all__ = [
    "Promotion",
    "RetrainPolicy",
    "SlotState",
    "Trigger",
    "challenger_wins",
    "retrain_trigger",
    "rolling_hit_rate",
]

TriggerKind = Literal["initial", "schedule", "accuracy", "drift"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RetrainPolicy(_Frozen):
    """The thresholds of ``retrain_trigger`` and ``challenger_wins`` (settings ``retrain_*``)."""

    every_days: int = Field(default=30, ge=1)
    min_accuracy: float = Field(default=0.55, gt=0, lt=1)
    min_calls: int = Field(default=50, ge=1)
    window: int = Field(default=100, ge=1)
    on_drift: bool = True
    cooldown_days: int = Field(default=20, ge=0)
    min_rows: int = Field(default=20, ge=1)


class SlotState(_Frozen):
    """What is known about a slot's model on a day: when the champion was trained (None: no
    model), when the slot was last retrained (promoted or not), the champion's resolved calls'
    hits in outcome order (1.0/0.0; calls without a direction left out), and whether its last
    drift check drifted."""

    champion_as_of: date | None
    last_retrain: date | None = None
    hits: tuple[float, ...] = ()
    drifted: bool = False


class Trigger(_Frozen):
    kind: TriggerKind
    reason: str


class Promotion(_Frozen):
    promote: bool
    reason: str


def rolling_hit_rate(hits: FloatArray | tuple[float, ...], *, window: int) -> tuple[float, int]:
    """The hit rate of the last ``window`` hits and how many it is over (NaN when none)."""
    values = np.asarray(hits, dtype=np.float64)[-window:]
    return (float(values.mean()) if values.size else float("nan")), int(values.size)


def retrain_trigger(policy: RetrainPolicy, state: SlotState, *, as_of: date) -> Trigger | None:
    """Why the slot's model is retrained on ``as_of`` (module doc), or None."""
    if state.champion_as_of is None:
        return Trigger(kind="initial", reason="no model yet")
    if state.champion_as_of > as_of:
        raise ValueError(f"the champion was trained on {state.champion_as_of}, after {as_of}")
    last = max(state.last_retrain or state.champion_as_of, state.champion_as_of)
    age = (as_of - last).days
    if age >= policy.every_days:
        return Trigger(
            kind="schedule",
            reason=f"last trained {age} days ago (every {policy.every_days} days)",
        )
    if age < policy.cooldown_days:
        return None
    rate, n = rolling_hit_rate(state.hits, window=policy.window)
    if n >= policy.min_calls and rate < policy.min_accuracy:
        return Trigger(
            kind="accuracy",
            reason=f"hit rate {rate:.1%} over its last {n} resolved calls is below "
            f"{policy.min_accuracy:.0%}",
        )
    if policy.on_drift and state.drifted:
        return Trigger(kind="drift", reason="its last drift check found drift")
    return None


def challenger_wins(
    *, champion: Scores, challenger: Scores, verdict: str, min_rows: int = 20
) -> Promotion:
    """Whether the challenger replaces the champion (module doc); both scored on the same rows."""
    if challenger.n != champion.n:
        raise ValueError(f"scored on different rows: {challenger.n} vs {champion.n}")
    if verdict != "GO":
        return Promotion(promote=False, reason=f"the challenger is {verdict} on its walk-forward")
    if challenger.n < min_rows:
        return Promotion(
            promote=False,
            reason=f"only {challenger.n} out-of-sample rows to compare on (needs {min_rows})",
        )
    a, b = challenger.accuracy, champion.accuracy
    versus = f"accuracy {a:.1%} vs the champion's {b:.1%} on the last {challenger.n} rows"
    if a > b or (a == b and challenger.log_loss < champion.log_loss):
        return Promotion(promote=True, reason=f"GO and beats the champion: {versus}")
    return Promotion(promote=False, reason=f"does not beat the champion: {versus}")
