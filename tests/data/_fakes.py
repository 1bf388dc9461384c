"""Small hand-written bar frames and a scriptable provider for tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np
import pandas as pd

from data.bars import to_raw_frame
from data.errors import UnknownTickerError
from data.providers.base import RawBars


def make_raw(
    start: str = "2012-01-03", periods: int = 30, *, price: float = 100.0, adj: bool = True
) -> pd.DataFrame:
    """Business-day bars rising 0.5% a day (weekdays; holidays not skipped)."""
    days = pd.bdate_range(start, periods=periods)
    close = price * 1.005 ** np.arange(periods)
    frame = pd.DataFrame(
        {
            "open": close * 0.99,
            "high": close * 1.01,
            "low": close * 0.98,
            "close": close,
            "volume": np.full(periods, 1_000_000.0),
            "adj_close": close * 0.5 if adj else np.nan,
        },
        index=days,
    )
    return to_raw_frame(frame)


class FakeProvider:
    """Serves fixed frames; ``script`` (if given) is called before each fetch and may raise."""

    def __init__(
        self,
        name: str,
        frames: dict[str, pd.DataFrame],
        *,
        online: bool = False,
        script: Callable[[int], None] | None = None,
    ) -> None:
        self.name = name
        self.online = online
        self.frames = frames
        self.script = script
        self.calls = 0

    def tickers(self) -> list[str]:
        return sorted(self.frames)

    def fetch(self, ticker: str, *, start: date | None, end: date) -> RawBars:
        self.calls += 1
        if self.script is not None:
            self.script(self.calls)
        if ticker not in self.frames:
            raise UnknownTickerError(ticker, providers=[self.name])
        return RawBars(frame=self.frames[ticker].copy(), source=f"fake://{self.name}", basis="raw")
