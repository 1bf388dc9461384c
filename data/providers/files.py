"""Bars a user already has: one CSV or Parquet file per ticker in a folder.

``DIR/TICKER.csv`` (or ``.parquet``) with columns ``date, open, high, low, close, volume`` and an
optional ``adj_close``. Column names are matched case-insensitively; ``Adj Close`` is accepted.
Rows are read sorted by date (a CSV's row order means nothing; a note says when it was not
sorted); duplicated dates are kept for the quality check, which quarantines every copy. Two files
for one ticker (``AAPL.csv`` and ``aapl.csv``) are an error naming both, never a silent pick.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from data.bars import to_raw_frame
from data.errors import AmbiguousFileError, ProviderError, UnknownTickerError
from data.providers.base import RawBars

_SUFFIX = {"csv": ".csv", "parquet": ".parquet"}


def _ticker_from_path(path: Path) -> str:
    return path.stem.upper()


class FileProvider:
    """Reads ``DIR/TICKER.csv`` or ``DIR/TICKER.parquet``."""

    online = False

    def __init__(self, directory: Path, *, fmt: str = "csv") -> None:
        if fmt not in _SUFFIX:
            raise ValueError(f"unknown file format {fmt!r}: use csv or parquet")
        self.directory = Path(directory)
        self.fmt = fmt
        self.name = f"{fmt}:{self.directory}"

    def tickers(self) -> list[str]:
        if not self.directory.is_dir():
            return []
        return sorted({_ticker_from_path(p) for p in self.directory.glob(f"*{_SUFFIX[self.fmt]}")})

    def _path(self, ticker: str) -> Path:
        if not self.directory.is_dir():
            raise ProviderError(
                self.name, f"folder {self.directory} does not exist", transient=False
            )
        wanted = ticker.upper()
        paths = sorted(
            p
            for p in self.directory.glob(f"*{_SUFFIX[self.fmt]}")
            if _ticker_from_path(p) == wanted
        )
        if len(paths) > 1:
            raise AmbiguousFileError(
                f"{self.name}: more than one file for {wanted}: "
                f"{', '.join(p.name for p in paths)}; keep one and remove or rename the others"
            )
        if not paths:
            raise UnknownTickerError(
                ticker, providers=[self.name], hint=f"Expected a file {wanted}{_SUFFIX[self.fmt]}."
            )
        return paths[0]

    def fetch(self, ticker: str, *, start: date | None, end: date) -> RawBars:
        path = self._path(ticker)
        try:
            frame = pd.read_csv(path) if self.fmt == "csv" else pd.read_parquet(path)
        except (OSError, ValueError, pd.errors.ParserError) as err:
            raise ProviderError(self.name, f"cannot read {path}: {err}", transient=False) from err
        frame.columns = [str(c).strip().lower().replace(" ", "_") for c in frame.columns]
        if "date" not in frame.columns:
            raise ProviderError(self.name, f"{path} has no 'date' column", transient=False)
        dates = pd.to_datetime(frame.pop("date"), errors="coerce")
        if dates.isna().any():
            bad = int(dates.isna().sum())
            raise ProviderError(self.name, f"{path}: {bad} unparseable dates", transient=False)
        notes: tuple[str, ...] = ()
        if len(dates) > 1 and dates.is_monotonic_decreasing and dates.is_unique:
            frame, dates = frame.iloc[::-1], dates.iloc[::-1]  # a newest-first export
        elif not dates.is_monotonic_increasing:
            order = np.argsort(dates.to_numpy(), kind="stable")
            moved = int((order != np.arange(len(order))).sum())
            frame, dates = frame.iloc[order], dates.iloc[order]
            notes = (
                f"{path.name}: {moved} of {len(order)} rows were not in date order;"
                " read sorted by date",
            )
        frame.index = dates
        try:
            raw = to_raw_frame(frame)
        except ValueError as err:
            raise ProviderError(self.name, f"{path}: {err}", transient=False) from err
        has_adj = raw["adj_close"].notna().any()
        return RawBars(
            frame=raw,
            source=str(path.resolve()),
            basis="raw + file adj_close" if has_adj else "as in file (no adj_close)",
            notes=notes,
        )
