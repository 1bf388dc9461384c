"""Daily bars from Yahoo Finance's v8 chart API (the endpoint yfinance uses).

``GET {base_url}/v8/finance/chart/{ticker}?period1=..&period2=..&interval=1d&events=div,split``.
Yahoo's quote open/high/low/close/volume are split-adjusted *as of today* (not for dividends)
and ``adjclose`` is split- and dividend-adjusted as of today. This provider undoes the splits
listed in ``events.splits`` so that the frame holds prices as traded, with Yahoo's adjclose in
``adj_close``. Because the quotes embed every split up to today but ``events`` only lists splits
inside the requested period, ``period2`` always reaches the present: the frame can extend past
``end`` (the service trims it). One attempt per call; retries and caching live in the chain.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import quote

import httpx
import numpy as np
import numpy.typing as npt
import pandas as pd

from data.bars import BAR_COLUMNS, empty_raw_frame, to_raw_frame
from data.errors import ProviderError, UnknownTickerError
from data.providers._http import DEFAULT_USER_AGENT, HttpGetter, excerpt
from data.providers.base import RawBars

EARLIEST = date(1900, 1, 1)  # start=None: the same "max" start yfinance uses
BASIS = "raw (Yahoo split-adjusted quotes with splits undone) + Yahoo adjclose (splits+dividends)"


def _unix(day: date) -> int:
    """Seconds since the epoch at 00:00 UTC on ``day``."""
    return int(datetime.combine(day, time(), tzinfo=UTC).timestamp())


def _local_days(seconds: Any, meta: dict[str, Any]) -> pd.DatetimeIndex:
    """Exchange-local calendar days of Yahoo's UTC bar timestamps (tz-naive midnights)."""
    utc = pd.DatetimeIndex(pd.to_datetime(np.asarray(seconds, dtype="int64"), unit="s", utc=True))
    try:
        local = utc.tz_convert(meta.get("exchangeTimezoneName") or "UTC")
    except (LookupError, TypeError, ValueError):  # unknown zone: use today's UTC offset
        local = utc + pd.Timedelta(seconds=float(meta.get("gmtoffset") or 0))
    return local.tz_localize(None).normalize()


def _split_factors(
    days: pd.DatetimeIndex, splits: dict[str, Any], meta: dict[str, Any]
) -> npt.NDArray[np.float64]:
    """Per row, the product of numerator/denominator over the splits on a later day."""
    events = sorted(splits.values(), key=lambda s: int(s["date"]))
    if not events:
        return np.ones(len(days))
    split_days = _local_days([int(s["date"]) for s in events], meta)
    numerators = np.array([float(s["numerator"]) for s in events])
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = numerators / np.array([float(s["denominator"]) for s in events])
    if not np.all(np.isfinite(ratios) & (ratios > 0)):
        raise ValueError(f"bad split ratios {ratios.tolist()}")
    after = np.append(np.cumprod(ratios[::-1])[::-1], 1.0)  # after[i]: splits i.. combined
    return after[np.searchsorted(split_days.values, days.values, side="right")]


def parse_chart(payload: Any) -> pd.DataFrame:
    """Raw bars from a chart JSON payload.

    Raises KeyError, IndexError, TypeError, AttributeError or ValueError on unexpected shapes.
    """
    result = payload["chart"]["result"][0]
    meta = result.get("meta") or {}
    stamps = result.get("timestamp") or []
    if not stamps:
        return empty_raw_frame()
    days = _local_days(stamps, meta)
    quote_ = result["indicators"]["quote"][0]
    columns = {c: np.array(quote_[c], dtype="float64") for c in BAR_COLUMNS}
    adj = result["indicators"].get("adjclose") or [{}]
    columns["adj_close"] = np.array(adj[0].get("adjclose", [None] * len(stamps)), dtype="float64")
    if any(len(v) != len(stamps) for v in columns.values()):
        raise ValueError(f"arrays differ in length from the {len(stamps)} timestamps")
    factor = _split_factors(days, (result.get("events") or {}).get("splits") or {}, meta)
    for col in ("open", "high", "low", "close"):
        columns[col] = columns[col] * factor
    columns["volume"] = columns["volume"] / factor
    return to_raw_frame(pd.DataFrame(columns, index=days))


def _chart_error(payload: Any) -> dict[str, Any] | None:
    """``chart.error`` when the payload has the expected envelope and it is set."""
    chart = payload.get("chart") if isinstance(payload, dict) else None
    error = chart.get("error") if isinstance(chart, dict) else None
    return error if isinstance(error, dict) else None


class YahooProvider:
    """Online provider over Yahoo Finance's chart API; prices as traded plus Yahoo's adjclose."""

    name = "yahoo"
    online = True

    def __init__(
        self,
        *,
        base_url: str = "https://query1.finance.yahoo.com",
        timeout: float = 10.0,
        user_agent: str = DEFAULT_USER_AGENT,
        client: httpx.Client | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._getter = HttpGetter(self.name, timeout=timeout, user_agent=user_agent, client=client)
        self._now = now

    def tickers(self) -> None:
        return None

    def close(self) -> None:
        """Close the HTTP client if this provider created it."""
        self._getter.close()

    def _params(self, start: date | None, end: date) -> dict[str, str | int]:
        period2 = max(_unix(end + timedelta(days=1)), int(self._now().timestamp()))
        return {
            "period1": _unix(start or EARLIEST),
            "period2": period2,
            "interval": "1d",
            "events": "div,split",
            "includeAdjustedClose": "true",
        }

    def fetch(self, ticker: str, *, start: date | None, end: date) -> RawBars:
        url = f"{self.base_url}/v8/finance/chart/{quote(ticker, safe='')}"
        response = self._getter.get(url, self._params(start, end))
        try:
            payload = response.json()
        except ValueError:
            payload = None
        error = _chart_error(payload)
        # Yahoo's 404 carries its JSON envelope; a bare 404 means a wrong base_url, not a symbol
        if error is not None and (response.status_code == 404 or error.get("code") == "Not Found"):
            raise UnknownTickerError(ticker, providers=[self.name], hint="Yahoo: symbol not found.")
        self._getter.check_status(response)
        if payload is None:
            raise self._getter.fail(
                f"answer is not JSON: {excerpt(response, 120)!r}", transient=False
            )
        if error:
            raise ProviderError(self.name, f"chart error: {error}", transient=False)
        try:
            frame = parse_chart(payload)
        except (LookupError, TypeError, AttributeError, ValueError) as err:
            raise ProviderError(
                self.name,
                f"unexpected chart JSON for {ticker} ({type(err).__name__}: {err})",
                transient=False,
            ) from err
        return RawBars(frame=frame, source=str(response.request.url), basis=BASIS)
