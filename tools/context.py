"""The frozen context of one run: what tools get injected and the model never chooses."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from data.bars import Bars
from data.service import MarketData
from quant.signals.config import SignalConfig
from quant.signals.confluence import Part

if TYPE_CHECKING:
    from data.store.predictions import PredictionStore

BENCHMARK = "^GSPC"
T = TypeVar("T")


class RunMemo:
    """Work shared by the tickers of one call (a batch of signals): ``get(key, build)`` runs
    ``build`` once per key and hands its result to every later caller; thread-safe. An error
    is not kept: the next caller builds again (and fails the same way)."""

    def __init__(self) -> None:
        self._values: dict[Hashable, Any] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        with self._lock:
            if key not in self._values:
                self._values[key] = build()
            value: T = self._values[key]
            return value


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
    # shares work between the tickers of one batch (e.g. the feature panel of the ML part);
    # None: every call does its own (see ``with_memo``)
    memo: RunMemo | None = None
    # the recorded calls of the track record (``tools.track_record``), opened on first use;
    # None (or an opener that returns None): no database, the track record reads as empty
    predictions: Callable[[], PredictionStore | None] | None = None

    def with_memo(self) -> ToolContext:
        """This context, sharing work between calls through a ``RunMemo`` (kept if it has one)."""
        return self if self.memo is not None else dataclasses.replace(self, memo=RunMemo())

    def bars(self, ticker: str, *, start: date | None = None) -> Bars:
        """Adjusted bars up to and including ``as_of`` (never later)."""
        return self.market.bars(ticker, start=start, end=self.as_of)
