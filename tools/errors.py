"""The errors a tool hands back to the model (it can fix its call); any other error is a fault."""

from __future__ import annotations

from data.errors import (
    EmptyRangeError,
    InvalidRangeError,
    InvalidTickerError,
    UnknownTickerError,
)
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
    RiskInputError,
    NoModelError,
    NoIndexError,
    ToolInputError,
)
