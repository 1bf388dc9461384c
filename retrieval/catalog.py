"""What the index holds, document by document, read without loading any model.

A search over an empty index used to load the embedding model (seconds, a minute on a cold
disk) before finding nothing. The catalog answers "which documents are indexed for this ticker,
kind and date?" from the BM25 side's ``chunks.parquet`` metadata columns alone, so a question
about documents nobody ingested is answered at once, and a tool that needs one filing (the
latest 10-K as of a date, a figure from its tables) finds it and reads its stored chunks
without the vector store.

``IndexCatalog`` reads an index directory (``Index``'s layout); ``Index`` itself offers the same
two methods over its in-memory chunks (``DocumentCatalog``). ``document_text`` puts a
document's ingested chunks back together at their character offsets, the text tools read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Protocol

import pyarrow as pa
import pyarrow.parquet as pq

from retrieval.store.records import CHUNK_COLUMNS, table_to_chunks
from retrieval.types import Chunk

__all__ = [
    "CatalogUnreadableError",
    "DocumentCatalog",
    "IndexCatalog",
    "IndexedDocument",
    "document_text",
    "documents_of",
    "latest_per_ticker",
]

_META = ("doc_id", "kind", "ticker", "form", "fiscal_period", "available_on", "source")


@dataclass(frozen=True)
class IndexedDocument:
    """One indexed document: its identity and the metadata scoping and citing need."""

    doc_id: str
    kind: str
    ticker: str | None
    form: str | None
    fiscal_period: str | None  # "FY2010", "2010Q3"
    available_on: date
    source: str


class DocumentCatalog(Protocol):
    """The documents an index holds and one document's chunks (``Index`` and ``IndexCatalog``)."""

    def documents(self) -> Sequence[IndexedDocument]: ...

    def document_chunks(self, doc_id: str) -> list[Chunk]: ...


def documents_of(rows: Iterable[Chunk] | Iterable[dict[str, object]]) -> list[IndexedDocument]:
    """One ``IndexedDocument`` per distinct ``doc_id`` of chunks (or chunk metadata rows), in
    order of availability, then id."""
    found: dict[str, IndexedDocument] = {}
    for row in rows:
        meta = row if isinstance(row, dict) else row.model_dump(include=set(_META))
        doc_id = str(meta["doc_id"])
        if doc_id not in found:
            found[doc_id] = IndexedDocument(
                doc_id=doc_id,
                kind=str(meta["kind"]),
                ticker=_text(meta["ticker"]),
                form=_text(meta["form"]),
                fiscal_period=_text(meta["fiscal_period"]),
                available_on=meta["available_on"],  # type: ignore[arg-type]
                source=str(meta["source"]),
            )
    return sorted(found.values(), key=lambda d: (d.available_on, d.doc_id))


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def latest_per_ticker(docs: Iterable[IndexedDocument]) -> list[IndexedDocument]:
    """The document filed last for each ticker (ties: the larger id), tickers in name order."""
    best: dict[str | None, IndexedDocument] = {}
    for doc in docs:
        held = best.get(doc.ticker)
        if held is None or (doc.available_on, doc.doc_id) > (held.available_on, held.doc_id):
            best[doc.ticker] = doc
    return [best[t] for t in sorted(best, key=lambda t: t or "")]


class CatalogUnreadableError(OSError):
    """The catalog cannot say what the index holds (its chunks file is torn or missing beside a
    vector store): open the index itself, which rebuilds that file from the vector store."""


class IndexCatalog:
    """The catalog of the index under ``directory`` (its ``bm25/chunks.parquet``), read lazily
    once; an index nobody has written to holds no documents. CatalogUnreadableError when the
    file is unreadable, or missing while vectors were written."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self.path = self.directory / "bm25" / "chunks.parquet"
        self._documents: list[IndexedDocument] | None = None

    def documents(self) -> Sequence[IndexedDocument]:
        if self._documents is None:
            self._documents = documents_of(self._rows()) if self.path.exists() else self._none()
        return self._documents

    def _none(self) -> list[IndexedDocument]:
        vectors = self.directory / "vectors"
        if vectors.is_dir() and any(vectors.iterdir()):
            raise CatalogUnreadableError(f"{self.path} is missing but {vectors} holds vectors")
        return []

    def _rows(self) -> list[dict[str, object]]:
        try:
            return pq.read_table(self.path, columns=list(_META)).to_pylist()
        except (OSError, ValueError, pa.ArrowException) as err:
            raise CatalogUnreadableError(f"{self.path} is unreadable: {err}") from err

    def document_chunks(self, doc_id: str) -> list[Chunk]:
        """The stored chunks of ``doc_id``, in document order."""
        if not self.path.exists():
            return []
        table = pq.read_table(
            self.path, columns=list(CHUNK_COLUMNS), filters=[("doc_id", "=", doc_id)]
        )
        return sorted(table_to_chunks(table), key=lambda c: (c.char_start, c.char_end))


def document_text(chunks: Iterable[Chunk]) -> str:
    """The document text its chunks cover, each character at its offset in the original.

    Chunks overlap or abut; what no chunk covers (whitespace between sections, a chunk dropped
    as a duplicate) is filled with spaces, and with a blank line where the gap is longer than
    one character, so lines and paragraphs stay apart and offsets stay exact."""
    parts: list[str] = []
    cursor = 0
    for chunk in sorted(chunks, key=lambda c: (c.char_start, c.char_end)):
        if chunk.char_end <= cursor:
            continue
        gap = chunk.char_start - cursor
        if gap > 0:
            parts.append(" " if gap == 1 else ("\n\n" + " " * (gap - 2))[:gap])
            cursor = chunk.char_start
        parts.append(chunk.text[cursor - chunk.char_start :])
        cursor = chunk.char_end
    return "".join(parts)
