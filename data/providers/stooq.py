"""Daily bars from Stooq's CSV download (stooq.com).

``GET {base_url}/q/d/l/?s=<symbol>&d1=YYYYMMDD&d2=YYYYMMDD&i=d`` (plus ``&apikey=`` when one is
configured) answers ``Date,Open,High,Low,Close,Volume``. Stooq's prices are already split- and
dividend-adjusted as of the download day and it publishes neither raw prices nor an adjusted
close, so ``adj_close`` is NaN and ``basis`` says so. The api key is a secret: it is sent in the
query string only, never put in ``source``, error messages or log records. One attempt per call;
retries and caching live in the chain.
"""

from __future__ import annotations

import io
from datetime import date
from urllib.parse import urlencode

import httpx
import pandas as pd

from data.bars import to_raw_frame
from data.errors import UnknownTickerError
from data.providers._http import DEFAULT_USER_AGENT, HttpGetter, excerpt
from data.providers.base import RawBars

EARLIEST = date(1900, 1, 1)  # start=None: ask for everything
BASIS = "split/dividend-adjusted by Stooq as of download (no raw prices, no adj_close)"
KEY_SETTING = "SIGNALDESK_STOOQ_API_KEY"
INDEX_SYMBOLS = {"^GSPC": "^spx"}
_KEY_PHRASES = ("apikey", "api key", "api_key", "hits limit", "daily limit")
_COLUMNS = {"Date": "date", "Open": "open", "High": "high", "Low": "low", "Close": "close"}


def stooq_symbol(ticker: str) -> str:
    """Stooq's name for a ticker: AAPL -> aapl.us, ^GSPC -> ^spx, VOD.L -> vod.l."""
    if ticker.upper() in INDEX_SYMBOLS:
        return INDEX_SYMBOLS[ticker.upper()]
    if "." in ticker or ticker.startswith("^"):
        return ticker.lower()
    return f"{ticker.lower()}.us"


def parse_csv(text: str) -> pd.DataFrame:
    """Raw-layout frame from Stooq's CSV; raises ValueError on a body that is not that CSV."""
    frame = pd.read_csv(io.StringIO(text))
    missing = [c for c in _COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"missing columns {missing} in header {list(frame.columns)}")
    frame = frame.rename(columns={**_COLUMNS, "Volume": "volume"})
    if "volume" not in frame.columns:  # some indices come without volume
        frame["volume"] = float("nan")
    dates = pd.to_datetime(frame.pop("date"), format="%Y-%m-%d", errors="coerce")
    if dates.isna().any():
        raise ValueError(f"{int(dates.isna().sum())} unparseable dates")
    frame.index = pd.DatetimeIndex(dates)
    return to_raw_frame(frame)


class StooqProvider:
    """Online provider over Stooq's CSV download; adjusted prices only (see module docstring)."""

    name = "stooq"
    online = True

    def __init__(
        self,
        *,
        base_url: str = "https://stooq.com",
        timeout: float = 10.0,
        api_key: str | None = None,
        user_agent: str = DEFAULT_USER_AGENT,
        client: httpx.Client | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._api_key = api_key or None
        self._getter = HttpGetter(
            self.name, timeout=timeout, user_agent=user_agent, client=client, redact=self._redact
        )

    def __repr__(self) -> str:
        key = "set" if self._api_key else "none"
        return f"StooqProvider(base_url={self.base_url!r}, api_key=<{key}>)"

    def tickers(self) -> None:
        return None

    def close(self) -> None:
        """Close the HTTP client if this provider created it."""
        self._getter.close()

    def _redact(self, text: str) -> str:
        return text.replace(self._api_key, "***") if self._api_key else text

    def fetch(self, ticker: str, *, start: date | None, end: date) -> RawBars:
        symbol = stooq_symbol(ticker)
        url = f"{self.base_url}/q/d/l/"
        params = {"s": symbol, "d1": f"{start or EARLIEST:%Y%m%d}", "d2": f"{end:%Y%m%d}", "i": "d"}
        sent = {**params, "apikey": self._api_key} if self._api_key else params
        response = self._getter.get(url, sent)
        self._getter.check_status(response)
        text = response.text
        short = excerpt(response, 120)
        if text.strip().lower().startswith("no data"):
            raise UnknownTickerError(
                ticker,
                providers=[self.name],
                hint=f"Stooq has no data for {symbol!r} in the range (unknown symbol or no bars).",
            )
        if not text.lstrip().startswith("Date,"):
            if any(phrase in text.lower() for phrase in _KEY_PHRASES):
                raise self._getter.fail(
                    f"Stooq wants an API key or the daily limit is used up: set {KEY_SETTING} "
                    f"(Stooq said: {short!r})",
                    transient=False,
                )
            raise self._getter.fail(f"answer is not Stooq CSV: {short!r}", transient=False)
        try:
            frame = parse_csv(text)
        except ValueError as err:  # includes pandas' ParserError and EmptyDataError
            raise self._getter.fail(f"malformed CSV for {symbol}: {err}", transient=False) from err
        return RawBars(frame=frame, source=f"{url}?{urlencode(params)}", basis=BASIS)
