"""Daily bars as the rest of SignalDesk sees them: a frame plus where it came from.

Providers return *raw* bars: the prices as traded, with the source's adjusted close beside them
when it has one. ``adjust_point_in_time`` turns them into split/dividend-adjusted bars as they
were knowable on the window's last day (see its docstring); ``Bars`` carries the result with its
``Provenance`` so that any number computed from it can cite its origin.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime
from typing import Any, cast

import numpy as np
import pandas as pd

from data.errors import InvalidRangeError, InvalidTickerError

PRICE_COLUMNS: tuple[str, ...] = ("open", "high", "low", "close")
BAR_COLUMNS: tuple[str, ...] = (*PRICE_COLUMNS, "volume")
RAW_COLUMNS: tuple[str, ...] = (*BAR_COLUMNS, "adj_close")

_TICKER_RE = re.compile(r"^\^?[A-Z0-9][A-Z0-9.\-=]{0,14}$")


def normalize_ticker(ticker: str) -> str:
    """Upper-case and validate a ticker symbol (``aapl`` -> ``AAPL``, ``^gspc`` -> ``^GSPC``)."""
    symbol = ticker.strip().upper()
    if not _TICKER_RE.match(symbol):
        raise InvalidTickerError(
            f"invalid ticker {ticker!r}: use a symbol like AAPL, BRK-B or ^GSPC"
        )
    return symbol


def check_range(start: date | None, end: date) -> None:
    """Raise ``InvalidRangeError`` when ``start`` is after ``end``."""
    if start is not None and start > end:
        raise InvalidRangeError(
            f"start {start.isoformat()} is after end {end.isoformat()}: swap the dates"
        )


def empty_raw_frame() -> pd.DataFrame:
    """A raw-bars frame with no rows and the canonical columns and index."""
    frame = pd.DataFrame({c: pd.Series(dtype="float64") for c in RAW_COLUMNS})
    frame.index = pd.DatetimeIndex([], name="date")
    return frame


def to_raw_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Coerce a provider's frame to the canonical raw layout.

    Index: tz-naive ``DatetimeIndex`` named ``date`` (normalised to midnight), in source order
    (duplicates and disorder are kept so that quality checks can see them). Columns: ``open``,
    ``high``, ``low``, ``close``, ``volume`` and ``adj_close`` (NaN when the source has none), all
    float64.
    """
    missing = [c for c in BAR_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"bars are missing columns {missing}")
    out = pd.DataFrame(index=frame.index)
    for col in RAW_COLUMNS:
        if col in frame.columns:
            out[col] = pd.to_numeric(frame[col], errors="coerce").astype("float64")
        else:
            out[col] = np.nan
    index = pd.DatetimeIndex(pd.to_datetime(out.index))
    if index.tz is not None:
        index = index.tz_localize(None)
    out.index = index.normalize().rename("date")
    return out


def adjustment_factors(raw: pd.DataFrame) -> pd.Series:
    """Point-in-time adjustment factor per row: (adj_close/close) / that ratio on the last row.

    Back-adjusted closes embed every split and dividend up to the day the source was compiled,
    including ones *after* the window. Dividing by the last row's ratio cancels those later
    events exactly, so prices on the window's last day equal the traded prices and earlier
    prices are adjusted only for events up to that day. Rows without an adjusted close get
    factor 1 (prices taken as given).
    """
    ratio = raw["adj_close"] / raw["close"]
    if raw.empty or ratio.isna().all():
        return pd.Series(1.0, index=raw.index)
    ratio = ratio.ffill().bfill()
    return ratio / ratio.iloc[-1]


def adjust_point_in_time(raw: pd.DataFrame) -> pd.DataFrame:
    """Adjusted OHLCV from raw bars: prices times the factor, volume divided by it."""
    factor = adjustment_factors(raw)
    out = raw.loc[:, list(PRICE_COLUMNS)].mul(factor, axis=0)
    out["volume"] = raw["volume"] / factor
    return out


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a frame of bars came from, so that evidence built on it can cite it."""

    provider: str
    ticker: str
    source: str
    fetched_at: datetime
    adjustment: str
    start: date | None = None
    end: date | None = None
    rows: int = 0
    cached: bool = False
    quarantined: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("fetched_at", "start", "end"):
            value = out[key]
            out[key] = value.isoformat() if value is not None else None
        out["notes"] = list(self.notes)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Provenance:
        values = dict(data)
        values["fetched_at"] = datetime.fromisoformat(values["fetched_at"])
        for key in ("start", "end"):
            if values.get(key):
                values[key] = date.fromisoformat(values[key])
        values["notes"] = tuple(values.get("notes", ()))
        return cls(**values)

    def with_(self, **changes: Any) -> Provenance:
        return replace(self, **changes)


@dataclass(frozen=True, slots=True)
class Bars:
    """Adjusted daily bars (``open high low close volume``, date index, oldest first)."""

    frame: pd.DataFrame
    provenance: Provenance

    @property
    def ticker(self) -> str:
        return self.provenance.ticker

    def __len__(self) -> int:
        return len(self.frame)

    def to_records(self) -> list[dict[str, Any]]:
        """Rows as JSON-ready dicts, dates as ISO strings."""
        frame = self.frame.reset_index()
        frame["date"] = frame["date"].dt.strftime("%Y-%m-%d")
        return cast(list[dict[str, Any]], frame.to_dict(orient="records"))  # columns are str
