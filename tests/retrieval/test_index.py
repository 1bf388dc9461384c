"""Index facade: idempotent, cheap re-ingestion; both sides in step; persisted; guarded."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from retrieval.embeddings import HashingEmbedder
from retrieval.index import Index, IndexMismatchError
from retrieval.store import Filters
from retrieval.types import Chunk
from tests.retrieval._chunks import make_chunk


class CountingEmbedder(HashingEmbedder):
    """Hashing embedder that counts the texts it embeds."""

    def __init__(self, dim: int = 32) -> None:
        super().__init__(dim)
        self.embedded = 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.embedded += len(texts)
        return super().embed(texts)


def filing_chunks() -> list[Chunk]:
    return [
        make_chunk(
            "iPhone net sales grew 50%.", doc_id="aapl-2010", available_on=date(2010, 10, 27)
        ),
        make_chunk("Gross margin was 39.4%.", doc_id="aapl-2010", available_on=date(2010, 10, 27)),
        make_chunk(
            "Server and tools revenue grew.",
            doc_id="msft-2010",
            ticker="MSFT",
            available_on=date(2010, 7, 30),
        ),
        make_chunk(
            "iPhone net sales grew 87%.", doc_id="aapl-2011", available_on=date(2011, 10, 26)
        ),
    ]


def test_add_embeds_only_new_chunks(tmp_path: Path) -> None:
    embedder = CountingEmbedder()
    index = Index(tmp_path, embedder=embedder, batch_size=2)
    chunks = filing_chunks()
    first = index.add(chunks[:3])
    assert (first.received, first.unique, first.embedded, first.lexical_added) == (3, 3, 3, 3)
    again = index.add(chunks)  # three old, one new, and a duplicate in the same call
    assert (again.unique, again.embedded, again.lexical_added) == (4, 1, 1)
    assert embedder.embedded == 4
    assert index.add([*chunks, chunks[0]]).embedded == 0 and embedder.embedded == 4
    stats = index.stats()
    assert (stats.vectors, stats.lexical, stats.documents, stats.in_sync) == (4, 4, 3, True)
    assert (stats.embedder, stats.dim, stats.store) == ("hashing-32", 32, "LanceStore")


def test_add_reports_each_embedded_batch(tmp_path: Path) -> None:
    index = Index(tmp_path, embedder=HashingEmbedder(32), batch_size=2)
    chunks = filing_chunks()
    index.add(chunks[:1])
    seen: list[tuple[int, int]] = []
    index.add(chunks, on_progress=lambda done, total: seen.append((done, total)))
    assert seen == [(2, 3), (3, 3)]  # the three new chunks, in batches of two


def test_search_modes_and_point_in_time(tmp_path: Path) -> None:
    index = Index(tmp_path, embedder=HashingEmbedder(32))
    index.add(filing_chunks())
    as_of = date(2010, 12, 31)
    for mode in ("hybrid", "bm25", "dense"):
        passages = index.search(
            "iPhone net sales", k=3, filters=Filters(available_on_max=as_of), mode=mode
        )
        assert passages[0].chunk.doc_id == "aapl-2010" and passages[0].method == mode
        assert all(p.chunk.available_on <= as_of for p in passages)
    (latest,) = index.search("iPhone sales grew 87%", k=1, mode="bm25")  # no filter: 2011 too
    assert latest.chunk.doc_id == "aapl-2011"
    msft = index.search("revenue", k=5, filters=Filters(tickers=("MSFT",)))
    assert [p.chunk.doc_id for p in msft] == ["msft-2010"]


def test_reopens_from_disk_without_re_embedding(tmp_path: Path) -> None:
    index = Index(tmp_path, embedder=HashingEmbedder(32))
    index.add(filing_chunks())
    before = index.search("gross margin", k=4)
    embedder = CountingEmbedder()
    reopened = Index(tmp_path, embedder=embedder)
    assert reopened.search("gross margin", k=4) == before
    assert reopened.add(filing_chunks()).embedded == 0 and embedder.embedded == 1  # the query
    assert reopened.stats().vectors == 4


def test_repairs_a_missing_bm25_side(tmp_path: Path) -> None:
    index = Index(tmp_path, embedder=HashingEmbedder(32))
    chunks = filing_chunks()
    index.store.upsert(chunks, index.embedder.embed([c.text for c in chunks]))  # crash after
    assert not index.stats().in_sync
    result = index.add(chunks)
    assert (result.embedded, result.lexical_added) == (0, 4) and index.stats().in_sync


def test_delete_removes_a_document_from_both_sides(tmp_path: Path) -> None:
    index = Index(tmp_path, embedder=HashingEmbedder(32))
    index.add(filing_chunks())
    assert index.delete("aapl-2010") == 2
    stats = index.stats()
    assert (stats.vectors, stats.lexical, stats.documents) == (2, 2, 2)
    assert all(p.chunk.doc_id != "aapl-2010" for p in index.search("gross margin iPhone", k=5))


def test_refuses_a_directory_built_with_another_embedder(tmp_path: Path) -> None:
    Index(tmp_path, embedder=HashingEmbedder(32)).add(filing_chunks()[:1])
    with pytest.raises(IndexMismatchError, match="hashing-32"):
        Index(tmp_path, embedder=HashingEmbedder(16))


def test_two_writers_on_one_directory_keep_each_others_documents(tmp_path: Path) -> None:
    """Two ingests at once (two processes, each with the index opened before the other saved):
    the second adds to what the first saved, so the catalog lists both documents."""
    from retrieval.catalog import IndexCatalog

    first = Index(tmp_path, embedder=HashingEmbedder(16))
    second = Index(tmp_path, embedder=HashingEmbedder(16))  # opened before `first` writes
    first.add([make_chunk("Apple designs phones.", doc_id="aapl-2010")])
    second.add([make_chunk("Microsoft sells Windows.", doc_id="msft-2010")])
    assert {d.doc_id for d in IndexCatalog(tmp_path).documents()} == {"aapl-2010", "msft-2010"}
    assert {d.doc_id for d in Index(tmp_path, embedder=HashingEmbedder(16)).documents()} == {
        "aapl-2010",
        "msft-2010",
    }
    first.delete("msft-2010")  # a delete, too, works on what the other writer saved
    assert {d.doc_id for d in IndexCatalog(tmp_path).documents()} == {"aapl-2010"}
