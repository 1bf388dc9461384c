"""The errors a tool hands back to the model (it can fix its call); any other error is a fault."""

from __future__ import annotations

from data.errors import (
    EmptyRangeError,
    InvalidRangeError,
    InvalidTickerError,
    UnknownTickerError,
)
from quant.backtest.splits import InsufficientHistoryError
from quant.indicators import InsufficientDataError
from quant.risk.errors import RiskInputError
from tools.documents import NoIndexError
from tools.forecast import NoModelError
from tools.runtime import ToolInputError

__all__ = ["MODEL_FIXABLE"]

# Errors whose message tells the model what to change; anything else is a fault and raises.
MODEL_FIXABLE: tuple[type[Exception], ...] = (
    UnknownTickerError,
    InvalidTickerError,
    EmptyRangeError,
    InvalidRangeError,
    InsufficientDataError,
    InsufficientHistoryError,  # a walk-forward needs more history: a later date, another ticker
    RiskInputError,
    NoModelError,
    NoIndexError,
    ToolInputError,
)
