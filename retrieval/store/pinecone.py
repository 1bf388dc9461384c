"""Pinecone as the vector store at scale, through the official ``pinecone`` SDK (v10).

The index must exist already, created with the embedder's dimension and metric ``cosine``
(or ``dotproduct``: the vectors are unit length). Records:

- id: the chunk id; values: the unit vector; namespace: optional (``namespace=""`` is the
  default namespace);
- metadata: the chunk's fields. Pinecone refuses ``null`` values, so a ``None`` ticker, form or
  fiscal period is left out; ``available_on`` is an integer ``YYYYMMDD`` (Pinecone's range
  operators only take numbers), e.g. ``{"available_on": {"$lte": 20101231}}``.
- Pinecone caps metadata at 40 KB per record. ``text`` is cut to ``text_limit_bytes`` of UTF-8
  (default 30,000) on a character boundary and ``text_truncated: true`` is set; the chunk id,
  ``source`` and ``char_start``/``char_end`` remain the pointer to the full text.
  ``HybridRetriever`` swaps in the full chunk from the BM25 side, which keeps every chunk whole.

``Filters`` become a Pinecone metadata filter (``$in`` per list field, ``$gte``/``$lte`` on the
date, joined by ``$and``), evaluated by Pinecone before ranking. ``delete(doc_id)`` deletes by
the metadata filter ``{"doc_id": {"$eq": doc_id}}``. Counts come from
``describe_index_stats`` and, like reads after writes, are eventually consistent.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
from pinecone import Pinecone

from retrieval.store.base import (
    LIST_FILTERS,
    Filters,
    ScoredChunk,
    StoreError,
    as_query_vector,
    as_vectors,
)
from retrieval.types import Chunk

__all__ = ["METADATA_LIMIT_BYTES", "PineconeStore", "chunk_metadata", "pinecone_filter"]

METADATA_LIMIT_BYTES = 40_960
_OPTIONAL = ("ticker", "form", "fiscal_period")
_FETCH_BATCH = 100


def _date_int(day: date) -> int:
    return day.year * 10_000 + day.month * 100 + day.day


def _int_date(value: float) -> date:
    n = int(value)
    return date(n // 10_000, n // 100 % 100, n % 100)


def _cut_utf8(text: str, limit: int) -> str:
    return text.encode("utf-8")[: max(limit, 0)].decode("utf-8", errors="ignore")


def chunk_metadata(chunk: Chunk, *, text_limit_bytes: int = 30_000) -> dict[str, Any]:
    """The Pinecone metadata of ``chunk`` (no nulls; integer date; text cut to fit 40 KB)."""
    meta: dict[str, Any] = {
        "doc_id": chunk.doc_id,
        "kind": chunk.kind,
        "available_on": _date_int(chunk.available_on),
        "section": chunk.section,
        "section_title": chunk.section_title,
        "source": chunk.source,
        "char_start": chunk.char_start,
        "char_end": chunk.char_end,
        "injection_suspected": chunk.injection_suspected,
        "text_truncated": False,
        "text": "",
    }
    meta.update({name: getattr(chunk, name) for name in _OPTIONAL if getattr(chunk, name)})
    overhead = len(json.dumps(meta, ensure_ascii=False).encode("utf-8"))
    room = min(text_limit_bytes, METADATA_LIMIT_BYTES - overhead - 64)  # 64: JSON escapes
    if room <= 0:
        raise StoreError(f"chunk {chunk.id}: metadata without text exceeds Pinecone's 40 KB")
    text = _cut_utf8(chunk.text, room)
    while len(json.dumps(text, ensure_ascii=False).encode("utf-8")) > room + 64:
        room //= 2  # text full of characters JSON escapes (quotes, controls): shrink again
        text = _cut_utf8(chunk.text, room)
    meta["text"] = text
    meta["text_truncated"] = len(text) < len(chunk.text)
    return meta


def chunk_from_metadata(vector_id: str, meta: Mapping[str, Any]) -> Chunk:
    """The chunk stored under ``vector_id`` (text as stored: see ``text_truncated``)."""
    return Chunk(
        id=vector_id,
        doc_id=meta["doc_id"],
        kind=meta["kind"],
        ticker=meta.get("ticker"),
        form=meta.get("form"),
        fiscal_period=meta.get("fiscal_period"),
        available_on=_int_date(meta["available_on"]),
        section=meta["section"],
        section_title=meta.get("section_title", ""),
        source=meta["source"],
        char_start=int(meta["char_start"]),
        char_end=int(meta["char_end"]),
        text=meta.get("text", ""),
        injection_suspected=bool(meta.get("injection_suspected", False)),
    )


def pinecone_filter(filters: Filters | None) -> dict[str, Any] | None:
    """``filters`` in Pinecone's filter syntax, or None when nothing is restricted.

    >>> pinecone_filter(Filters(tickers=("AAPL",), available_on_max=date(2010, 12, 31)))
    {'$and': [{'ticker': {'$in': ['AAPL']}}, {'available_on': {'$lte': 20101231}}]}
    """
    if filters is None:
        return None
    conditions: list[dict[str, Any]] = [
        {field: {"$in": list(values)}}
        for field, name in LIST_FILTERS
        if (values := getattr(filters, name)) is not None
    ]
    if filters.available_on_min is not None:
        conditions.append({"available_on": {"$gte": _date_int(filters.available_on_min)}})
    if filters.available_on_max is not None:
        conditions.append({"available_on": {"$lte": _date_int(filters.available_on_max)}})
    if not conditions:
        return None
    return conditions[0] if len(conditions) == 1 else {"$and": conditions}


class PineconeStore:
    """Chunks in an existing Pinecone index.

    dim: the index's dimension; api_key: the project's key; index_name and/or host: a
    ``host`` (``https://<index>-<project>.svc.<region>.pinecone.io``) is used as given and
    skips the describe call that resolving ``index_name`` costs (the v10 SDK has no
    ``environment``: the host carries the region); namespace: "" for the default one.
    """

    def __init__(
        self,
        *,
        dim: int,
        api_key: str,
        index_name: str = "",
        host: str = "",
        namespace: str = "",
        text_limit_bytes: int = 30_000,
        batch_size: int = 100,
        timeout_s: float = 30.0,
    ) -> None:
        if not (index_name or host):
            raise ValueError("PineconeStore needs index_name or host")
        if not 1 <= batch_size <= 1_000:
            raise ValueError(f"batch_size must be in 1..1000, got {batch_size}")
        self._dim = dim
        self.namespace = namespace
        self.text_limit_bytes = text_limit_bytes
        self.batch_size = batch_size
        self._index = Pinecone(api_key=api_key, timeout=timeout_s).index(name=index_name, host=host)

    @property
    def dim(self) -> int:
        return self._dim

    def upsert(self, chunks: Sequence[Chunk], vectors: npt.NDArray[np.float32]) -> int:
        array = as_vectors(vectors, n=len(chunks), dim=self._dim)
        records = {
            c.id: {
                "id": c.id,
                "values": array[i].tolist(),
                "metadata": chunk_metadata(c, text_limit_bytes=self.text_limit_bytes),
            }
            for i, c in enumerate(chunks)
        }
        items = list(records.values())  # a repeated id keeps its last occurrence
        for start in range(0, len(items), self.batch_size):
            batch = items[start : start + self.batch_size]
            self._index.upsert(vectors=batch, namespace=self.namespace, show_progress=False)
        return len(items)

    def query(
        self, vector: npt.NDArray[np.float32], *, k: int, filters: Filters | None = None
    ) -> list[ScoredChunk]:
        q = as_query_vector(vector, dim=self._dim)
        if k <= 0:
            return []
        response = self._index.query(
            vector=q.tolist(),
            top_k=k,
            filter=pinecone_filter(filters),
            include_metadata=True,
            namespace=self.namespace,
        )
        return [
            (chunk_from_metadata(m.id, m.metadata or {}), float(m.score)) for m in response.matches
        ]

    def delete(self, doc_id: str) -> None:
        self._index.delete(filter={"doc_id": {"$eq": doc_id}}, namespace=self.namespace)

    def count(self) -> int:
        namespaces = self._index.describe_index_stats().namespaces
        names = (self.namespace,) if self.namespace else ("", "__default__")
        return sum(namespaces[n].vector_count for n in names if n in namespaces)

    def get(self, ids: Sequence[str]) -> list[Chunk]:
        unique = list(dict.fromkeys(ids))
        found: dict[str, Chunk] = {}
        for start in range(0, len(unique), _FETCH_BATCH):
            batch = unique[start : start + _FETCH_BATCH]
            response = self._index.fetch(ids=batch, namespace=self.namespace)
            found.update(
                (vid, chunk_from_metadata(vid, v.metadata or {}))
                for vid, v in response.vectors.items()
            )
        return [found[i] for i in ids if i in found]
