"""Dated items kept for sentiment: news headlines and earnings-call documents, on disk.

One Parquet file per kind under a directory passed in; adding is idempotent by item id and the
files are replaced atomically (temp file, fsync, rename). A file that cannot be read (truncated,
garbage) reads as empty with one warning, and re-ingesting the documents writes it again. Reads
filter by ticker and an inclusive date window, so callers
never see an item published after the as-of date they ask for.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any, cast

import pandas as pd
import pyarrow as pa

from core.files import atomic_path
from retrieval.types import Document, NewsItem

_NEWS = "news.parquet"
_CALLS = "calls.parquet"
_FILINGS = "filings.parquet"  # metadata only (no text): what was filed when, for briefings

log = logging.getLogger(__name__)


class Corpus:
    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def _read(self, name: str) -> pd.DataFrame | None:
        path = self.directory / name
        if not path.exists():
            return None
        try:
            return pd.read_parquet(path)
        except (OSError, ValueError, pa.ArrowException) as err:
            reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            log.warning(
                "%s is unreadable (%s: %s); reading it as empty: re-ingest the documents "
                "(`signaldesk ingest`) to write it again",
                path,
                type(err).__name__,
                reason,
            )
            return None

    def _write(self, name: str, frame: pd.DataFrame) -> None:
        with atomic_path(self.directory / name) as tmp:
            frame.to_parquet(tmp, index=False)

    def _add(self, name: str, rows: list[dict]) -> int:
        if not rows:
            return 0
        old = self._read(name)
        new = pd.DataFrame(rows)
        if old is not None:
            new = new.loc[~new["id"].isin(old["id"])]
            if new.empty:
                return 0
            new = pd.concat([old, new], ignore_index=True)
        new = new.drop_duplicates(subset="id", keep="first")
        self._write(name, new)
        return len(new) - (0 if old is None else len(old))

    def add_news(self, items: Iterable[NewsItem]) -> int:
        """Store headlines; returns how many were new."""
        rows = [
            {
                "id": i.id,
                "published": i.published,
                "tickers": list(i.tickers),
                "title": i.title,
                "body": i.body,
                "url": i.url,
                "source": i.source,
            }
            for i in items
        ]
        return self._add(_NEWS, rows)

    def add_calls(self, documents: Iterable[Document]) -> int:
        """Store earnings-call documents (kind "call"); returns how many were new."""
        rows = [d.model_dump(exclude={"sections"}) for d in documents if d.kind == "call"]
        return self._add(_CALLS, rows)

    def add_filings(self, documents: Iterable[Document]) -> int:
        """Record filings (kind "filing") by id, date and title, without their text."""
        rows = [
            d.model_dump(exclude={"sections", "text"}) | {"text": ""}
            for d in documents
            if d.kind == "filing"
        ]
        return self._add(_FILINGS, rows)

    def news(self, ticker: str, *, start: date, end: date) -> list[NewsItem]:
        frame = self._read(_NEWS)
        if frame is None:
            return []
        day = pd.to_datetime(frame["published"]).dt.date
        hit = frame.loc[(day >= start) & (day <= end) & frame["tickers"].map(lambda t: ticker in t)]
        return [
            NewsItem(
                id=r["id"],
                published=pd.Timestamp(r["published"]).date(),
                tickers=tuple(r["tickers"]),
                title=r["title"],
                body=r["body"],
                url=r["url"],
                source=r["source"],
            )
            for r in _records(hit)
        ]

    def calls(self, ticker: str, *, start: date, end: date) -> list[Document]:
        return self._documents(_CALLS, ticker, start=start, end=end)

    def filings(self, ticker: str, *, start: date, end: date) -> list[Document]:
        """Filings recorded by ``add_filings`` (their ``text`` is empty)."""
        return self._documents(_FILINGS, ticker, start=start, end=end)

    def _documents(self, name: str, ticker: str, *, start: date, end: date) -> list[Document]:
        frame = self._read(name)
        if frame is None:
            return []
        day = pd.to_datetime(frame["available_on"]).dt.date
        hit = frame.loc[(day >= start) & (day <= end) & (frame["ticker"] == ticker)]
        out = []
        for row in _records(hit):
            row["available_on"] = pd.Timestamp(row["available_on"]).date()
            if row.get("period_end") is not None and not pd.isna(row["period_end"]):
                row["period_end"] = pd.Timestamp(row["period_end"]).date()
            else:
                row["period_end"] = None
            out.append(Document(**row))
        return sorted(out, key=lambda d: d.available_on)

    def counts(self) -> dict[str, int]:
        return {
            name: 0 if (f := self._read(file)) is None else len(f)
            for name, file in (("news", _NEWS), ("calls", _CALLS), ("filings", _FILINGS))
        }


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows as dicts by column name (every column of these files is named by a string)."""
    return cast(list[dict[str, Any]], frame.to_dict(orient="records"))
