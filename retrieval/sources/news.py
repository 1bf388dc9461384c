"""News files to ``NewsItem``s: the Reuters headline jsonl, and generic jsonl/CSV news.

Columns (jsonl keys or CSV headers, case-insensitive; the first present wins):

| field | accepted names |
| --- | --- |
| date (required) | date, published, published_at, publishedat, datetime, time, ts, timestamp |
| tickers | tickers, ticker, symbols, symbol (a list, or a string split on , ; space or \\|) |
| title (required) | title, headline |
| body | body, text, content, summary, description |
| url | url, link, href |
| section | reuters_section, section, category, source |

``NewsItem.source`` is ``"<feed>:<section>"`` (e.g. ``"reuters:technologyNews"``), or the feed
name alone; the feed is the ``feed=`` argument, else the file's stem. A record that is not valid
JSON, has no title, or no date is reported as skipped (``path`` and line number) and the rest
load. ``published`` is the record's calendar date as given (the Reuters ``date`` field).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from core.ids import content_hash
from retrieval.sources.common import MalformedFileError, SkippedFile, decode_text, parse_date, skip
from retrieval.types import Document, NewsItem

_DATE = ("date", "published", "published_at", "publishedat", "datetime", "time", "ts", "timestamp")
_TICKERS = ("tickers", "ticker", "symbols", "symbol")
_TITLE = ("title", "headline")
_BODY = ("body", "text", "content", "summary", "description")
_URL = ("url", "link", "href")
_SECTION = ("reuters_section", "section", "category", "source")
NEWS_SUFFIXES = (".jsonl", ".csv")


@dataclass
class NewsLoad:
    """Items read from news files, and the records or files that were skipped."""

    items: list[NewsItem] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)


def read_news(path: Path | str, *, feed: str | None = None) -> NewsLoad:
    """Read one .jsonl or .csv news file; bad records are skipped and reported, never raised."""
    path = Path(path)
    load = NewsLoad()
    try:
        text = decode_text(path.read_bytes())
    except (OSError, MalformedFileError) as err:
        skip(load.skipped, path, str(err))
        return load
    feed = feed or path.stem
    try:
        records = _csv_records(text) if path.suffix.lower() == ".csv" else _jsonl_records(text)
    except (MalformedFileError, csv.Error) as err:
        skip(load.skipped, path, str(err))
        return load
    for line_no, record in records:
        if isinstance(record, str):
            skip(load.skipped, f"{path}:{line_no}", record)
            continue
        try:
            load.items.append(news_item(record, feed=feed))
        except ValueError as err:
            skip(load.skipped, f"{path}:{line_no}", str(err))
    return load


def read_reuters_jsonl(path: Path | str) -> NewsLoad:
    """The shared Reuters headline file (date, ts, tickers[], title, reuters_section, url)."""
    return read_news(path, feed="reuters")


def news_item(record: Mapping[str, object], *, feed: str) -> NewsItem:
    """One record to a NewsItem; ValueError (with the reason) when it has no title or date."""
    row = {str(k).strip().lower(): v for k, v in record.items()}
    title = str(_first(row, _TITLE) or "").strip()
    if not title:
        raise ValueError("no title/headline")
    raw_date = _first(row, _DATE)
    published = parse_date(str(raw_date)) if raw_date else None
    if published is None:
        raise ValueError(f"no readable date in {raw_date!r}")
    tickers = _tickers(_first(row, _TICKERS))
    url = str(_first(row, _URL) or "")
    section = str(_first(row, _SECTION) or "").strip()
    return NewsItem(
        id=content_hash(f"{published.isoformat()}|{title}|{url}"),
        published=published,
        tickers=tickers,
        title=title,
        body=str(_first(row, _BODY) or ""),
        url=url,
        source=f"{feed}:{section}" if section and section != feed else feed,
    )


def news_document(item: NewsItem) -> Document:
    """A NewsItem as a Document (kind "news") for chunking and indexing.

    ``Document.ticker`` holds one ticker: it is set when the item has exactly one, else None
    (the item's ``tickers`` keep them all).
    """
    text = item.title if not item.body else f"{item.title}\n\n{item.body}"
    return Document(
        id=f"news-{item.id}",
        kind="news",
        ticker=item.tickers[0] if len(item.tickers) == 1 else None,
        title=item.title,
        available_on=item.published,
        source=item.url or item.source,
        text=text,
    )


def _first(row: Mapping[str, object], names: tuple[str, ...]) -> object | None:
    for name in names:
        value = row.get(name)
        if value not in (None, "", []):
            return value
    return None


def _tickers(value: object | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        parts = value.replace(";", ",").replace("|", ",").replace(" ", ",").split(",")
    elif isinstance(value, list | tuple):
        parts = [str(v) for v in value]
    else:
        parts = [str(value)]
    return tuple(dict.fromkeys(p.strip().upper() for p in parts if p.strip()))


def _jsonl_records(text: str) -> list[tuple[int, dict[str, object] | str]]:
    records: list[tuple[int, dict[str, object] | str]] = []
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as err:
            records.append((line_no, f"invalid JSON: {err.msg} at column {err.colno}"))
            continue
        records.append((line_no, value if isinstance(value, dict) else "not a JSON object"))
    return records


def _csv_records(text: str) -> list[tuple[int, dict[str, object] | str]]:
    reader = csv.DictReader(io.StringIO(text))
    columns = {str(name).strip().lower() for name in reader.fieldnames or ()}
    if not (columns & set(_TITLE) and columns & set(_DATE)):
        raise MalformedFileError(
            f"not a news CSV: no title/headline and date columns in {sorted(columns)[:8]}"
        )
    records: list[tuple[int, dict[str, object] | str]] = []
    for row in reader:
        if None in row:  # more cells than headers
            records.append((reader.line_num, "more cells than the header has columns"))
            continue
        records.append((reader.line_num, {k: v for k, v in row.items() if k is not None}))
    return records
