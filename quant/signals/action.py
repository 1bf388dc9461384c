"""The five actions and the score-to-action rule."""

from __future__ import annotations

from enum import StrEnum

from quant.signals.config import PositionSizes, Thresholds


class Action(StrEnum):
    STRONG_SELL = "STRONG SELL"
    SELL = "SELL"
    HOLD = "HOLD"
    BUY = "BUY"
    STRONG_BUY = "STRONG BUY"

    @property
    def direction(self) -> int:
        """+1 for buys, -1 for sells, 0 for hold."""
        return {"STRONG SELL": -1, "SELL": -1, "HOLD": 0, "BUY": 1, "STRONG BUY": 1}[self.value]


def classify(score: float, thresholds: Thresholds) -> Action:
    """Map a score in [0, 1] to an action (see ``Thresholds`` for the boundaries)."""
    if score != score:  # NaN
        raise ValueError("cannot classify a NaN score")
    if score < thresholds.strong_sell:
        return Action.STRONG_SELL
    if score < thresholds.sell:
        return Action.SELL
    if score <= thresholds.buy:
        return Action.HOLD
    if score <= thresholds.strong_buy:
        return Action.BUY
    return Action.STRONG_BUY


def base_position(action: Action, sizes: PositionSizes) -> float:
    """The configured position for an action, before risk scaling."""
    return float(getattr(sizes, action.name.lower()))
