"""The frozen context of one run: what tools get injected and the model never chooses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from data.bars import Bars
from data.service import MarketData
from quant.signals.config import SignalConfig
from quant.signals.confluence import Part

BENCHMARK = "^GSPC"


@dataclass(frozen=True)
class ToolContext:
    """Per-run values: the as-of date, data services, configuration, limits and a seed."""

    as_of: date
    market: MarketData
    config: SignalConfig = field(default_factory=SignalConfig)
    models_dir: Path | None = None
    seed: int = 7
    risk_lookback: int = 500  # trading days of history behind risk estimates
    # (ticker, as_of) -> the sentiment part, or None when there is nothing dated to score
    sentiment: Callable[[str, date], Part | None] | None = None
    # opens the document index on first use (loading the embedding model is not free)
    index: Callable[[], Any] | None = None
    # the indexed documents (retrieval.catalog.DocumentCatalog), read without loading a model;
    # None: tools ask the index itself
    catalog: Callable[[], Any] | None = None

    def bars(self, ticker: str, *, start: date | None = None) -> Bars:
        """Adjusted bars up to and including ``as_of`` (never later)."""
        return self.market.bars(ticker, start=start, end=self.as_of)
