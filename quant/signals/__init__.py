"""Signals: configuration, actions, the technical score and the confluence of parts."""

from quant.signals.action import Action, base_position, classify
from quant.signals.config import SignalConfig, Thresholds
from quant.signals.confluence import ConfluenceSignal, Part, Sizing, confluence
from quant.signals.technical import (
    Consensus,
    TechnicalScore,
    technical_score,
    technical_score_series,
    timeframe_consensus,
)

__all__ = [
    "Action",
    "ConfluenceSignal",
    "Consensus",
    "Part",
    "SignalConfig",
    "Sizing",
    "TechnicalScore",
    "Thresholds",
    "base_position",
    "classify",
    "confluence",
    "technical_score",
    "technical_score_series",
    "timeframe_consensus",
]
