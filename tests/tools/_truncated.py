"""A test fake: the bundled provider whose data physically end at a date (for look-ahead tests:
a result at ``t`` must equal the result on data that stop at ``t``)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from data.bars import to_raw_frame
from data.providers.base import RawBars
from data.providers.bundled import BundledProvider


class Truncated:
    """The bundled provider, but the data physically end at ``last``."""

    name = "bundled"
    online = False

    def __init__(self, last: date) -> None:
        self.inner = BundledProvider()
        self.last = pd.Timestamp(last)

    def tickers(self) -> list[str]:
        return self.inner.tickers()

    def fetch(self, ticker: str, *, start: date | None, end: date) -> RawBars:
        raw = self.inner.fetch(ticker, start=start, end=end)
        return RawBars(
            frame=to_raw_frame(raw.frame.loc[: self.last]), source=raw.source, basis=raw.basis
        )
