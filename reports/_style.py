"""The look every chart shares: the signal's colours and the common layout."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from quant.signals.action import Action

ACTION_COLOURS: Mapping[str, str] = {
    Action.STRONG_BUY.value: "#1a7f37",
    Action.BUY.value: "#4ac26b",
    Action.HOLD.value: "#8c959f",
    Action.SELL.value: "#e5534b",
    Action.STRONG_SELL.value: "#a40e26",
}
BUYS = {Action.BUY.value, Action.STRONG_BUY.value}
SELLS = {Action.SELL.value, Action.STRONG_SELL.value}
LAYOUT: Mapping[str, Any] = {
    "template": "plotly_white",
    "margin": {"l": 50, "r": 20, "t": 50, "b": 40},
    "legend": {"orientation": "h", "y": -0.15},
    "hovermode": "x unified",
}
