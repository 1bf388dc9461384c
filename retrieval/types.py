"""The types that cross retrieval's boundary: documents, chunks, passages and news items.

Everything carries the metadata that citations need (ticker, form, fiscal period, filing or
publication date, section, source path/URL, character offsets) and the date that point-in-time
filtering uses: a document is invisible before ``available_on``.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

DocKind = Literal["filing", "call", "news", "other"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Section(_Frozen):
    """A located part of a document, e.g. 10-K Item 7, with offsets into the document text."""

    name: str  # canonical, e.g. "Item 1A", "Item 7", "Prepared remarks", "Q&A", "Body"
    title: str = ""  # as written, e.g. "Risk Factors"
    start: int = Field(ge=0)
    end: int = Field(ge=0)


class Document(_Frozen):
    """One source document with its metadata and full text."""

    id: str  # stable: derived from source identity (e.g. accession number) or content hash
    kind: DocKind
    ticker: str | None = None
    company: str | None = None
    cik: str | None = None
    form: str | None = None  # 10-K, 10-Q, 8-K, 10-K/A ...; None for calls and news
    title: str = ""
    fiscal_period: str | None = None  # e.g. "FY2012", "2012Q3"
    period_end: date | None = None
    available_on: date  # filing date for filings, call date, publication date for news
    source: str  # path or URL a reader can follow
    text: str
    sections: tuple[Section, ...] = ()


class Chunk(_Frozen):
    """A section-aware piece of a document, the unit that is indexed and cited."""

    id: str  # content_hash of (doc id + section + text)
    doc_id: str
    kind: DocKind
    ticker: str | None
    form: str | None
    fiscal_period: str | None
    available_on: date
    section: str
    section_title: str = ""
    source: str
    char_start: int
    char_end: int
    text: str
    injection_suspected: bool = False  # text that looks like instructions to a model


class Passage(_Frozen):
    """A retrieved chunk with its score; what the agent cites (by ``id``)."""

    id: str  # "P-" + chunk id: stable across runs for the same chunk
    chunk: Chunk
    score: float
    rank: int
    method: Literal["bm25", "dense", "hybrid", "rerank"]


class NewsItem(_Frozen):
    """A dated headline (and optional body) tagged with tickers."""

    id: str
    published: date
    tickers: tuple[str, ...]
    title: str
    body: str = ""
    url: str = ""
    source: str = ""
