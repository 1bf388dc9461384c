"""LanceStore: filters evaluated inside LanceDB, idempotent upserts, exact and ANN paths."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import lancedb
import numpy as np
import pytest

from retrieval.store import Filters, LanceStore, StoreMismatchError, lance_where
from retrieval.types import Chunk
from tests.retrieval._chunks import make_chunk, unit_rows

DIM = 16


def corpus(n: int = 300) -> list[Chunk]:
    """``n`` chunks over 3 tickers, 3 forms, 3 sections and 10 years, all fields varied."""
    tickers = ("AAPL", "MSFT", "IBM")
    forms = ("10-K", "10-Q", "8-K")
    sections = ("Item 1A", "Item 7", "Item 8")
    return [
        make_chunk(
            f"chunk {i} text",
            doc_id=f"doc-{i // 10}",
            ticker=tickers[i % 3],
            form=forms[(i // 3) % 3],
            section=sections[(i // 9) % 3],
            kind="filing" if i % 5 else "call",
            available_on=date(2005 + i % 10, 1 + i % 12, 1 + i % 28),
        )
        for i in range(n)
    ]


def exact_top(
    chunks: list[Chunk], vectors: np.ndarray, q: np.ndarray, k: int, f: Filters
) -> list[str]:
    keep = np.array([f.matches(c) for c in chunks])
    scores = np.where(keep, vectors @ q, -np.inf)
    order = np.argsort(-scores, kind="stable")[: min(k, int(keep.sum()))]
    return [chunks[i].id for i in order]


@pytest.fixture
def filled(tmp_path: Path) -> tuple[LanceStore, list[Chunk], np.ndarray]:
    chunks = corpus()
    vectors = unit_rows(len(chunks), DIM, seed=1)
    store = LanceStore(tmp_path / "vectors", dim=DIM)
    assert store.upsert(chunks, vectors) == len(chunks)
    return store, chunks, vectors


def test_lance_where_translates_every_field_and_escapes_quotes() -> None:
    f = Filters(
        tickers=("AAPL", "MSFT"),
        forms=("10-K",),
        sections=("Item 7", "Rock 'n' roll"),
        kinds=("filing",),
        available_on_min=date(2009, 1, 1),
        available_on_max=date(2010, 12, 31),
    )
    assert lance_where(f) == (
        "ticker IN ('AAPL', 'MSFT') AND form IN ('10-K') "
        "AND section IN ('Item 7', 'Rock ''n'' roll') AND kind IN ('filing') "
        "AND available_on >= date '2009-01-01' AND available_on <= date '2010-12-31'"
    )
    assert lance_where(Filters()) is None
    assert lance_where(None) is None


def test_roundtrip_keeps_every_field(tmp_path: Path) -> None:
    store = LanceStore(tmp_path, dim=DIM)
    news = make_chunk("Headline", ticker=None, form=None, kind="news", fiscal_period=None)
    chunks = [news, make_chunk("Revenue rose.")]
    store.upsert(chunks, unit_rows(2, DIM))
    assert store.get([chunks[1].id, "missing", news.id]) == [chunks[1], news]
    assert store.count() == 2


def test_upsert_is_idempotent_and_replaces_by_id(filled) -> None:
    store, chunks, vectors = filled
    store.upsert(chunks, vectors)
    assert store.count() == len(chunks)
    # same id, new vector: the row is replaced, not duplicated
    target = chunks[0]
    new_vector = unit_rows(1, DIM, seed=99)
    store.upsert([target, target], np.vstack([vectors[:1], new_vector]))  # last one wins
    assert store.count() == len(chunks)
    (best, score), *_ = store.query(new_vector[0], k=1)
    assert best == target and score == pytest.approx(1.0, abs=1e-5)


def test_query_matches_exact_cosine(filled) -> None:
    store, chunks, vectors = filled
    q = unit_rows(1, DIM, seed=7)[0]
    hits = store.query(q, k=10)
    assert [c.id for c, _ in hits] == exact_top(chunks, vectors, q, 10, Filters())
    by_id = {c.id: i for i, c in enumerate(chunks)}
    np.testing.assert_allclose(
        [s for _, s in hits], [float(vectors[by_id[c.id]] @ q) for c, _ in hits], atol=1e-5
    )


@pytest.mark.parametrize(
    "f",
    [
        Filters(tickers=("MSFT",), forms=("10-Q",)),
        Filters(sections=("Item 1A",), kinds=("call",)),
        Filters(available_on_max=date(2007, 6, 30)),
        Filters(
            tickers=("IBM",), available_on_min=date(2012, 1, 1), available_on_max=date(2013, 12, 31)
        ),
        Filters(doc_ids=("doc-3", "doc-17")),
    ],
)
def test_filters_run_inside_the_store(filled, f: Filters) -> None:
    store, chunks, vectors = filled
    q = unit_rows(1, DIM, seed=11)[0]
    hits = store.query(q, k=5, filters=f)
    assert len(hits) == 5  # k results although the filter is selective
    assert all(f.matches(c) for c, _ in hits)
    assert [c.id for c, _ in hits] == exact_top(chunks, vectors, q, 5, f)


def test_selective_filter_returns_all_matches_and_nothing_else(filled) -> None:
    store, chunks, _ = filled
    f = Filters(tickers=("MSFT",), forms=("10-Q",), sections=("Item 8",))
    expected = {c.id for c in chunks if f.matches(c)}
    assert 0 < len(expected) < 20
    hits = store.query(unit_rows(1, DIM, seed=3)[0], k=50, filters=f)
    assert {c.id for c, _ in hits} == expected


def test_point_in_time_is_inclusive(filled) -> None:
    store, chunks, _ = filled
    as_of = chunks[33].available_on  # 2008-10-06
    hits = store.query(unit_rows(1, DIM, seed=5)[0], k=400, filters=Filters(available_on_max=as_of))
    assert {c.id for c, _ in hits} == {c.id for c in chunks if c.available_on <= as_of}
    assert max(c.available_on for c, _ in hits) == as_of  # a chunk dated as_of is visible


def test_delete_removes_one_document(filled) -> None:
    store, chunks, _ = filled
    store.delete("doc-4")
    assert store.count() == len(chunks) - 10
    assert store.get([c.id for c in chunks if c.doc_id == "doc-4"]) == []
    store.delete("no-such-doc")
    assert store.count() == len(chunks) - 10


def test_reopen_keeps_rows_and_checks_dimension(filled, tmp_path: Path) -> None:
    store, chunks, _ = filled
    again = LanceStore(tmp_path / "vectors", dim=DIM)
    assert again.count() == len(chunks)
    with pytest.raises(StoreMismatchError, match="16-dim"):
        LanceStore(tmp_path / "vectors", dim=DIM * 2)


def test_rejects_vectors_of_the_wrong_shape(tmp_path: Path) -> None:
    store = LanceStore(tmp_path, dim=DIM)
    with pytest.raises(StoreMismatchError, match=r"\(2, 16\)"):
        store.upsert([make_chunk("a"), make_chunk("b")], unit_rows(2, DIM + 1))
    with pytest.raises(StoreMismatchError):
        store.query(np.ones(DIM + 1, dtype=np.float32), k=1)


def test_ann_index_is_built_at_threshold_and_filters_still_return_k(tmp_path: Path) -> None:
    chunks = corpus(600)
    vectors = unit_rows(len(chunks), DIM, seed=2)
    store = LanceStore(tmp_path, dim=DIM, ann_threshold=500, exact_below=0)
    store.upsert(chunks[:400], vectors[:400])
    assert not store.has_ann_index
    store.upsert(chunks[400:], vectors[400:])
    assert store.has_ann_index
    # a stored vector finds itself through the index
    (best, score), *_ = store.query(vectors[123], k=3)
    assert best.id == chunks[123].id and score == pytest.approx(1.0, abs=1e-2)
    # exact_below=0 forces the ANN path; a selective filter still yields k matching rows
    f = Filters(tickers=("IBM",), forms=("8-K",), available_on_max=date(2009, 12, 31))
    hits = store.query(unit_rows(1, DIM, seed=8)[0], k=10, filters=f)
    assert len(hits) == 10 and all(f.matches(c) for c, _ in hits)


def test_a_table_created_by_another_process_in_between_is_opened(
    filled, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two first ingests at once: both look for the table, neither finds it, the other one
    # creates it first. The second create must open that table, not fail "already exists".
    store, chunks, _ = filled

    def not_found(self: object, name: str, **kwargs: object) -> None:
        raise ValueError(f"Table '{name}' was not found")

    monkeypatch.setattr(lancedb.db.LanceDBConnection, "open_table", not_found)
    late = LanceStore(tmp_path / "vectors", dim=DIM)
    assert late.count() == len(chunks)
