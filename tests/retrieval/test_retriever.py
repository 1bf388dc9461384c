"""HybridRetriever: RRF math, modes, passages, rerank path and the point-in-time rule."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from retrieval.embeddings import HashingEmbedder
from retrieval.lexical import BM25Index
from retrieval.retriever import (
    HybridRetriever,
    Reranker,
    RerankerUnavailableError,
    best_rank_fusion,
    load_cross_encoder,
    reciprocal_rank_fusion,
)
from retrieval.store import Filters, LanceStore
from retrieval.types import Chunk
from tests.retrieval._chunks import make_chunk

TOPICS = (
    "revenue grew on iphone sales",
    "gross margin fell on component costs",
    "cloud revenue grew strongly",
    "supply chain risk from suppliers",
    "dividend raised and buyback expanded",
    "operating expenses rose with research spending",
)


class KeywordScorer:
    """A stand-in cross-encoder: the score is how often ``word`` occurs in the passage."""

    def __init__(self, word: str) -> None:
        self.word = word
        self.calls: list[list[tuple[str, str]]] = []

    def predict(self, inputs: Sequence[tuple[str, str]], /) -> np.ndarray:
        self.calls.append(list(inputs))
        return np.array([text.lower().count(self.word) for _, text in inputs], dtype=float)


def dated_corpus() -> list[Chunk]:
    """60 chunks: 6 topics x 10 years (2005-2014), three tickers."""
    return [
        make_chunk(
            f"{TOPICS[i % 6]} in fiscal {2005 + i // 6} note {i}",
            doc_id=f"doc-{i // 6}",
            ticker=("AAPL", "MSFT", "IBM")[i % 3],
            available_on=date(2005 + i // 6, 3, 15),
        )
        for i in range(60)
    ]


@pytest.fixture
def retriever(tmp_path: Path) -> HybridRetriever:
    embedder = HashingEmbedder(dim=64)
    store = LanceStore(tmp_path / "vectors", dim=64)
    lexical = BM25Index()
    chunks = dated_corpus()
    store.upsert(chunks, embedder.embed([c.text for c in chunks]))
    lexical.add(chunks)
    return HybridRetriever(store, lexical, embedder)


def test_rrf_on_a_hand_built_case() -> None:
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["b", "c", "d"]], k_rrf=60)
    assert [item for item, _ in fused] == ["b", "c", "a", "d"]
    expected = {
        "b": 1 / 62 + 1 / 61,
        "c": 1 / 63 + 1 / 62,
        "a": 1 / 61,
        "d": 1 / 63,
    }
    for item, score in fused:
        assert score == pytest.approx(expected[item], abs=1e-15)
    # equal scores break by id; a repeated id counts once per ranking
    assert reciprocal_rank_fusion([["y"], ["x"]]) == [("x", 1 / 61), ("y", 1 / 61)]
    assert reciprocal_rank_fusion([["a", "a", "b"]]) == [("a", 1 / 61), ("b", 1 / 62)]


def test_best_rank_fusion_on_a_hand_built_case() -> None:
    fused = best_rank_fusion([["a", "b", "c"], ["b", "d", "c"]], k_rrf=60, missing_rank=4)
    # best ranks: a 1, b 1, d 2, c 3; a and b tie at rank 1 and b, on both lists, goes first
    assert fused == [("b", 1 / 61), ("a", 1 / 61), ("d", 1 / 62), ("c", 1 / 63)]
    # without a missing rank equal agreement falls back to the id
    assert best_rank_fusion([["y"], ["x"]]) == [("x", 1 / 61), ("y", 1 / 61)]


def test_missing_rank_counts_an_absent_id_at_that_rank() -> None:
    fused = dict(reciprocal_rank_fusion([["a", "b"], ["b"]], k_rrf=60, missing_rank=3))
    assert fused == {"a": pytest.approx(1 / 61 + 1 / 63), "b": pytest.approx(1 / 62 + 1 / 61)}


@pytest.mark.parametrize("fusion", ["best-rank", "rrf"])
def test_hybrid_fuses_the_two_rankings(retriever: HybridRetriever, fusion: str) -> None:
    retriever.fusion = fusion  # type: ignore[assignment]
    query, f = "revenue grew cloud", Filters(tickers=("MSFT", "AAPL"))
    lexical = [c.id for c, _ in retriever.lexical.search(query, k=50, filters=f)]
    vector = retriever.embedder.embed([query])[0]
    dense = [c.id for c, _ in retriever.store.query(vector, k=50, filters=f)]
    if fusion == "rrf":
        expected = reciprocal_rank_fusion([lexical, dense])[:7]
    else:
        expected = best_rank_fusion([lexical, dense], missing_rank=51)[:7]
    passages = retriever.retrieve(query, k=7, filters=f)
    assert [(p.chunk.id, p.score) for p in passages] == [(i, pytest.approx(s)) for i, s in expected]
    assert [p.rank for p in passages] == list(range(1, 8))
    assert all(p.id == f"P-{p.chunk.id}" and p.method == "hybrid" for p in passages)


@pytest.mark.parametrize("mode", ["bm25", "dense"])
def test_single_modes_report_their_method(retriever: HybridRetriever, mode: str) -> None:
    passages = retriever.retrieve("dividend buyback", k=3, mode=mode)
    assert len(passages) == 3 and {p.method for p in passages} == {mode}
    assert "dividend" in passages[0].chunk.text
    assert [p.score for p in passages] == sorted((p.score for p in passages), reverse=True)


def test_passage_ids_are_stable_across_retrievers(retriever, tmp_path: Path) -> None:
    first = retriever.retrieve("margin costs", k=4)
    again = HybridRetriever(
        LanceStore(tmp_path / "vectors", dim=64), retriever.lexical, HashingEmbedder(dim=64)
    ).retrieve("margin costs", k=4)
    assert [p.id for p in first] == [p.id for p in again]


@pytest.mark.parametrize("mode", ["hybrid", "bm25", "dense"])
def test_point_in_time_nothing_later_comes_back(retriever: HybridRetriever, mode: str) -> None:
    as_of = date(2009, 3, 15)
    for query in [*TOPICS, "fiscal 2014 revenue", "note 59"]:
        passages = retriever.retrieve(
            query, k=10, filters=Filters(available_on_max=as_of), mode=mode
        )
        assert passages and all(p.chunk.available_on <= as_of for p in passages)
    # with dense search every chunk up to as_of is reachable, and none after it
    everything = retriever.retrieve(
        "x", k=100, filters=Filters(available_on_max=as_of), mode="dense"
    )
    assert len(everything) == 30 and max(p.chunk.available_on for p in everything) == as_of


def test_rerank_path_rescores_the_fused_candidates(retriever: HybridRetriever) -> None:
    scorer = KeywordScorer("buyback")
    assert isinstance(scorer, Reranker)
    retriever.reranker = scorer
    passages = retriever.retrieve(
        "revenue dividend", k=3, filters=Filters(available_on_max=date(2010, 12, 31))
    )
    (pairs,) = scorer.calls
    assert 3 <= len(pairs) <= 50 and {q for q, _ in pairs} == {"revenue dividend"}
    assert [p.method for p in passages] == ["rerank"] * 3 and [p.rank for p in passages] == [
        1,
        2,
        3,
    ]
    assert all("buyback" in p.chunk.text and p.score == 1.0 for p in passages)
    assert all(p.chunk.available_on <= date(2010, 12, 31) for p in passages)


def test_reranker_returning_the_wrong_count_is_an_error(retriever: HybridRetriever) -> None:
    class Broken:
        def predict(self, inputs, /):
            return [1.0]

    retriever.reranker = Broken()
    with pytest.raises(ValueError, match="1 scores"):
        retriever.retrieve("revenue", k=3)


def test_no_reranker_without_a_local_model(tmp_path: Path) -> None:
    assert load_cross_encoder(None) is None
    with pytest.raises(RerankerUnavailableError, match="SIGNALDESK_RERANKER_MODEL"):
        load_cross_encoder(tmp_path / "absent")


def test_whole_chunk_replaces_a_truncated_store_copy(tmp_path: Path) -> None:
    embedder = HashingEmbedder(dim=16)
    full = make_chunk("dividend " * 50)
    cut = full.model_copy(update={"text": "dividend " * 5})  # as a store with a size cap keeps it
    store = LanceStore(tmp_path, dim=16)
    store.upsert([cut], embedder.embed([cut.text]))
    lexical = BM25Index()
    lexical.add([full])
    (passage,) = HybridRetriever(store, lexical, embedder).retrieve("dividend", k=1, mode="dense")
    assert passage.chunk == full


def test_guards(retriever: HybridRetriever) -> None:
    assert retriever.retrieve("   ", k=3) == [] and retriever.retrieve("revenue", k=0) == []
    with pytest.raises(ValueError, match="unknown mode"):
        retriever.retrieve("revenue", mode="sparse")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="64-dim"):
        HybridRetriever(retriever.store, retriever.lexical, HashingEmbedder(dim=8))
    with pytest.raises(ValueError, match="unknown fusion 'max'"):
        HybridRetriever(
            retriever.store,
            retriever.lexical,
            retriever.embedder,
            fusion="max",  # type: ignore[arg-type]
        )


class FixedLexical(BM25Index):
    """A BM25 index whose ranking is given (best first), whatever the query."""

    def __init__(self, chunks: list[Chunk]) -> None:
        super().__init__()
        self.add(chunks)
        self.ranking = chunks

    def search(self, query, *, k=10, filters=None):  # type: ignore[no-untyped-def, override]
        return [(c, 1.0 / rank) for rank, c in enumerate(self.ranking[:k], start=1)]


class FixedStore:
    """A vector store whose ranking is given (best first), whatever the query vector."""

    dim = 8

    def __init__(self, chunks: list[Chunk]) -> None:
        self.ranking = chunks

    def query(self, vector, *, k, filters=None):  # type: ignore[no-untyped-def]
        return [(c, 1.0 / rank) for rank, c in enumerate(self.ranking[:k], start=1)]


def test_a_lexical_only_hit_is_not_buried_by_the_fusion() -> None:
    """Issue 23: the best BM25 hit (an exact figure), absent from the dense top 50, fell from
    lexical rank 1 to 23 because chunks on both lists collect two RRF terms. Here the two
    top-50 lists share only their tails (20 chunks, in opposite orders)."""
    exact = make_chunk("total net sales of $65,225 million", doc_id="exact")
    shared = [make_chunk(f"shared passage {i}", doc_id=f"s{i}") for i in range(20)]
    lexical_only = [make_chunk(f"lexical passage {i}", doc_id=f"l{i}") for i in range(29)]
    dense_only = [make_chunk(f"dense passage {i}", doc_id=f"d{i}") for i in range(30)]
    lexical = FixedLexical([exact, *lexical_only, *shared])
    store = FixedStore([*shared[::-1], *dense_only])
    retriever = HybridRetriever(store, lexical, HashingEmbedder(dim=8))  # type: ignore[arg-type]
    passages = retriever.retrieve("net sales 65,225", k=10)
    assert exact.id in [p.chunk.id for p in passages[:3]]
    assert retriever.retrieve("net sales 65,225", k=1, mode="bm25")[0].chunk.id == exact.id
