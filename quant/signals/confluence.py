"""The confluence signal: technical 40% + sentiment 30% + ML 30%, renormalised over the parts
that are available, mapped to an action, a confidence and a suggested position.

A part is absent when it cannot be computed (no news for sentiment, no trained model) and the
ML part is also dropped when its walk-forward record is NO-GO. Absent parts are reported with
the reason, never invented.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from quant.signals.action import Action, base_position, classify
from quant.signals.config import SignalConfig

PARTS = ("technical", "sentiment", "ml")


@dataclass(frozen=True, slots=True)
class Part:
    """One input of the confluence: a score in [0, 1] or None with the reason it is absent."""

    score: float | None
    reason: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def available(self) -> bool:
        return self.score is not None and math.isfinite(self.score)

    @property
    def value(self) -> float:
        """The score of an available part; raises ValueError for an absent one."""
        if self.score is None:
            raise ValueError(f"the part is absent: {self.reason}")
        return self.score


@dataclass(frozen=True, slots=True)
class Sizing:
    """Inputs for the position size: realised annual volatility and an optional Kelly cap."""

    volatility: float | None = None
    kelly_cap: float | None = None


@dataclass(frozen=True, slots=True)
class ConfluenceSignal:
    as_of: date
    score: float
    action: Action
    confidence: float
    position_size: float
    weights: dict[str, float]  # renormalised weights actually used (0 for absent parts)
    parts: dict[str, Part]
    regime: str | None
    sizing_notes: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "score": self.score,
            "action": self.action.value,
            "confidence": self.confidence,
            "position_size": self.position_size,
            "weights": self.weights,
            "components": {
                name: {
                    "score": part.score,
                    "available": part.available,
                    "weight": self.weights[name],
                    "reason": part.reason,
                    "details": part.details,
                }
                for name, part in self.parts.items()
            },
            "regime": self.regime,
            "sizing_notes": list(self.sizing_notes),
        }


def _weights(parts: dict[str, Part], config: SignalConfig) -> dict[str, float]:
    nominal = config.confluence_weights.model_dump()
    total = sum(nominal[n] for n in PARTS if parts[n].available)
    if total <= 0:
        raise ValueError("no signal part is available: cannot form a confluence score")
    return {n: (nominal[n] / total if parts[n].available else 0.0) for n in PARTS}


def confidence_of(
    score: float, parts: dict[str, Part], weights: dict[str, float], config: SignalConfig
) -> float:
    """Confidence in [0, 1] = conviction x agreement x coverage.

    conviction: distance of the score from 0.5, as a share of the largest possible (0.5).
    agreement: share of the used weight whose part sits on the same side of 0.5 as the score.
    coverage: share of the nominal weight that was available.
    """
    conviction = min(1.0, abs(score - 0.5) / 0.5)
    side = math.copysign(1.0, score - 0.5) if score != 0.5 else 0.0
    agreeing = sum(
        w
        for n, w in weights.items()
        if w > 0 and side != 0 and math.copysign(1.0, parts[n].value - 0.5) == side
    )
    nominal = config.confluence_weights.model_dump()
    coverage = sum(nominal[n] for n in PARTS if parts[n].available) / sum(nominal.values())
    return conviction * agreeing * coverage


def position_size(action: Action, sizing: Sizing, config: SignalConfig) -> tuple[float, list[str]]:
    """Base position for the action, scaled down by volatility targeting, capped by the Kelly
    cap (if any) and by ``config.max_position``. Returns the size and notes on what bound it."""
    size = base_position(action, config.position_sizes)
    notes: list[str] = []
    if size == 0.0:
        return 0.0, ["HOLD: no position"]
    vol = sizing.volatility
    if vol is not None and math.isfinite(vol) and vol > config.target_volatility:
        size *= config.target_volatility / vol
        notes.append(f"scaled by target volatility {config.target_volatility:.0%} / {vol:.1%}")
    if sizing.kelly_cap is not None and abs(size) > sizing.kelly_cap:
        size = math.copysign(max(sizing.kelly_cap, 0.0), size)
        notes.append(f"capped by quarter Kelly at {sizing.kelly_cap:.2%}")
    if abs(size) > config.max_position:
        size = math.copysign(config.max_position, size)
        notes.append(f"capped at {config.max_position:.0%} per position")
    return size, notes


def confluence(
    *,
    as_of: date,
    technical: Part,
    sentiment: Part,
    ml: Part,
    config: SignalConfig = SignalConfig(),
    sizing: Sizing = Sizing(),
    regime: str | None = None,
) -> ConfluenceSignal:
    """Combine the available parts into one signal (see the module docstring)."""
    parts = {"technical": technical, "sentiment": sentiment, "ml": ml}
    for name, part in parts.items():
        if part.available and not 0.0 <= part.value <= 1.0:
            raise ValueError(f"{name} score {part.score} is outside [0, 1]")
    weights = _weights(parts, config)
    score = sum(weights[n] * parts[n].value for n in PARTS if weights[n] > 0)
    action = classify(score, config.confluence_thresholds)
    size, notes = position_size(action, sizing, config)
    return ConfluenceSignal(
        as_of=as_of,
        score=score,
        action=action,
        confidence=confidence_of(score, parts, weights, config),
        position_size=size,
        weights=weights,
        parts=parts,
        regime=regime,
        sizing_notes=tuple(notes),
    )
