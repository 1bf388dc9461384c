"""Real daily bars shipped inside installed packages, for offline use.

- AAPL, FB, GOOG, IBM, MSFT from ``bokeh-sampledata`` (Quandl WIKI prices, public domain,
  2000-03-01 to 2013-03-01): unadjusted OHLCV plus the source's adjusted close, which includes
  corporate actions up to 2018.
- ``^GSPC``, the S&P 500 index, from ``arch.data.sp500`` (1999-2018); an index has no
  splits or dividends, so adjusted close equals close.
"""

from __future__ import annotations

from datetime import date
from functools import cache

import pandas as pd

from data.bars import to_raw_frame
from data.errors import UnknownTickerError
from data.providers.base import RawBars

STOCKS = ("AAPL", "FB", "GOOG", "IBM", "MSFT")
INDEX = "^GSPC"


@cache
def _stock_frames() -> dict[str, pd.DataFrame]:
    from bokeh_sampledata import stocks

    frames = {}
    for ticker in STOCKS:
        frame = pd.DataFrame(getattr(stocks, ticker))
        frame.index = pd.to_datetime(frame.pop("date"))
        frames[ticker] = to_raw_frame(frame)
    return frames


@cache
def _index_frame() -> pd.DataFrame:
    from arch.data import sp500

    frame = sp500.load().rename(columns=str.lower).rename(columns={"adj close": "adj_close"})
    return to_raw_frame(frame)


class BundledProvider:
    """Offline provider over the packaged data sets; the embedded default."""

    name = "bundled"
    online = False

    def tickers(self) -> list[str]:
        return [*STOCKS, INDEX]

    def fetch(self, ticker: str, *, start: date | None, end: date) -> RawBars:
        if ticker == INDEX:
            return RawBars(
                frame=_index_frame().copy(),
                source="python package arch: arch.data.sp500 (S&P 500 index)",
                basis="index level (no splits or dividends)",
            )
        if ticker not in STOCKS:
            raise UnknownTickerError(
                ticker,
                providers=[self.name],
                hint=f"Bundled data covers {', '.join(self.tickers())}; "
                "use --source yahoo|stooq|csv:DIR for others.",
            )
        return RawBars(
            frame=_stock_frames()[ticker].copy(),
            source="python package bokeh-sampledata: bokeh_sampledata.stocks "
            "(Quandl WIKI, public domain)",
            basis="unadjusted OHLCV + source adjusted close",
        )
