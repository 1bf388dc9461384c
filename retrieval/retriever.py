"""Hybrid retrieval: BM25 and dense candidates fused by rank, optionally reranked.

Each side contributes its best ``candidates`` (50) chunks under the same ``Filters``, so
point-in-time and metadata restrictions hold on both sides before fusion. Two fusion rules:

- ``"best-rank"`` (the default): chunks are ordered by their best rank on either side, score
  ``1 / (k_rrf + best rank)``; equal best ranks are ordered by their reciprocal-rank sum, a
  chunk missing from one side counting there at rank ``candidates + 1``. The two lists are
  interleaved, agreement deciding within each rank, so a chunk at lexical rank r is never
  below fused rank 2r: an exact figure or rare term only BM25 finds is not buried (issue 23:
  plain RRF moved such hits from rank 1 to a median of 15 on TAT-QA dev).
- ``"rrf"``: reciprocal-rank fusion (Cormack et al., 2009), the sum over the rankings a chunk
  appears in of ``1 / (k_rrf + rank)``, ranks from 1, ``k_rrf = 60``.

Ties break by chunk id, so results are deterministic. ``benchmarks/retrieval_tatqa.py``
measures both.

Reranking is optional: a ``Reranker`` (anything with sentence-transformers' ``CrossEncoder``
``predict(pairs) -> scores``) rescores the fused candidates; ``load_cross_encoder(path)`` loads
one from a local directory and returns None when no path is configured (the offline default:
no cross-encoder ships with SignalDesk, so reranking is off).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

import numpy as np

from retrieval.embeddings import Embedder
from retrieval.lexical import BM25Index
from retrieval.store.base import Filters, ScoredChunk, VectorStore
from retrieval.types import Chunk, Passage

__all__ = [
    "HybridRetriever",
    "Mode",
    "Fusion",
    "Reranker",
    "RerankerUnavailableError",
    "best_rank_fusion",
    "load_cross_encoder",
    "reciprocal_rank_fusion",
]

Mode = Literal["hybrid", "bm25", "dense"]
Method = Literal["hybrid", "bm25", "dense", "rerank"]
Fusion = Literal["best-rank", "rrf"]
K_RRF = 60


class RerankerUnavailableError(RuntimeError):
    """A configured cross-encoder cannot be loaded from its local path (fix the setting)."""


@runtime_checkable
class Reranker(Protocol):
    """Scores (query, passage text) pairs; higher is more relevant (``CrossEncoder.predict``)."""

    def predict(self, inputs: Sequence[tuple[str, str]], /) -> Sequence[float] | np.ndarray:
        """One relevance score per (query, passage text) pair."""
        ...


def load_cross_encoder(path: str | Path | None, *, device: str = "cpu") -> Reranker | None:
    """A sentence-transformers ``CrossEncoder`` from the local directory ``path``; None when
    ``path`` is None (reranking off). Never downloads."""
    if path is None:
        return None
    local = Path(path).expanduser()
    if not local.is_dir():
        raise RerankerUnavailableError(
            f"reranker model {str(path)!r} is not a local directory: set "
            "SIGNALDESK_RERANKER_MODEL to a local cross-encoder directory, or leave it unset"
        )
    from sentence_transformers import CrossEncoder

    try:
        return CrossEncoder(str(local), device=device, local_files_only=True)
    except (OSError, ValueError) as err:
        raise RerankerUnavailableError(f"cannot load reranker from {local}: {err}") from err


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[str]], *, k_rrf: int = K_RRF, missing_rank: int | None = None
) -> list[tuple[str, float]]:
    """Fuse rankings of ids (best first) into one: ``sum 1 / (k_rrf + rank)``, rank from 1.

    missing_rank: the rank an id absent from a ranking counts at there (for truncated
    rankings, one past their depth: the id is at best that far down); None adds nothing.
    Returns (id, fused score) best first; equal scores are ordered by id.
    """
    ranks = [
        {item: r for r, item in enumerate(dict.fromkeys(ranking), start=1)} for ranking in rankings
    ]
    fused: dict[str, float] = {}
    for ranked in ranks:
        for item in ranked:
            if item not in fused:
                fused[item] = sum(
                    1.0 / (k_rrf + r)
                    for r in (other.get(item, missing_rank) for other in ranks)
                    if r is not None
                )
    return sorted(fused.items(), key=lambda pair: (-pair[1], pair[0]))


def best_rank_fusion(
    rankings: Sequence[Sequence[str]], *, k_rrf: int = K_RRF, missing_rank: int | None = None
) -> list[tuple[str, float]]:
    """Fuse rankings of ids (best first) by each id's best rank on any of them.

    Returns (id, ``1 / (k_rrf + best rank)``) best first; equal best ranks are ordered by the
    ``reciprocal_rank_fusion`` sum (with ``missing_rank``), then by id.
    """
    best: dict[str, int] = {}
    for ranking in rankings:
        for rank, item in enumerate(dict.fromkeys(ranking), start=1):
            best[item] = min(rank, best.get(item, rank))
    agreement = dict(reciprocal_rank_fusion(rankings, k_rrf=k_rrf, missing_rank=missing_rank))
    order = sorted(best, key=lambda item: (best[item], -agreement[item], item))
    return [(item, 1.0 / (k_rrf + best[item])) for item in order]


class HybridRetriever:
    """Retrieves cited passages from a vector store and a BM25 index holding the same chunks.

    candidates: how many chunks each side contributes to fusion (and to reranking);
    k_rrf: the fusion constant; fusion: "best-rank" or "rrf" (see the module docstring);
    reranker: optional, see ``Reranker``.
    """

    def __init__(
        self,
        store: VectorStore,
        lexical: BM25Index,
        embedder: Embedder,
        *,
        reranker: Reranker | None = None,
        candidates: int = 50,
        k_rrf: int = K_RRF,
        fusion: Fusion = "best-rank",
    ) -> None:
        if store.dim != embedder.dim:
            raise ValueError(f"store holds {store.dim}-dim vectors, embedder makes {embedder.dim}")
        if fusion not in ("best-rank", "rrf"):
            raise ValueError(f"unknown fusion {fusion!r}: use 'best-rank' or 'rrf'")
        self.store = store
        self.lexical = lexical
        self.embedder = embedder
        self.reranker = reranker
        self.candidates = candidates
        self.k_rrf = k_rrf
        self.fusion: Fusion = fusion

    def retrieve(
        self, query: str, *, k: int = 5, filters: Filters | None = None, mode: Mode = "hybrid"
    ) -> list[Passage]:
        """The ``k`` best passages for ``query`` under ``filters``; ``mode`` picks BM25 alone,
        dense alone or their fusion. With a reranker, the first ``candidates`` of that list
        are rescored and ``method`` is "rerank"."""
        if k <= 0 or not query.strip():
            return []
        depth = max(k, self.candidates) if self.reranker is not None else k
        if mode == "bm25":
            ranked = self.lexical.search(query, k=depth, filters=filters)
        elif mode == "dense":
            ranked = self._dense(query, k=depth, filters=filters)
        elif mode == "hybrid":
            ranked = self._hybrid(query, k=depth, filters=filters)
        else:
            raise ValueError(f"unknown mode {mode!r}: use 'hybrid', 'bm25' or 'dense'")
        ranked = [(self._whole(chunk), score) for chunk, score in ranked]
        if self.reranker is not None and ranked:
            return _passages(self._rerank(query, ranked)[:k], method="rerank")
        return _passages(ranked[:k], method=mode)

    def _dense(self, query: str, *, k: int, filters: Filters | None) -> list[ScoredChunk]:
        vector = self.embedder.embed([query])[0]
        return self.store.query(vector, k=k, filters=filters)

    def _hybrid(self, query: str, *, k: int, filters: Filters | None) -> list[ScoredChunk]:
        depth = max(k, self.candidates)
        lexical = self.lexical.search(query, k=depth, filters=filters)
        dense = self._dense(query, k=depth, filters=filters)
        chunks = {c.id: c for c, _ in dense} | {c.id: c for c, _ in lexical}
        rankings = [[c.id for c, _ in lexical], [c.id for c, _ in dense]]
        if self.fusion == "rrf":
            fused = reciprocal_rank_fusion(rankings, k_rrf=self.k_rrf)
        else:
            fused = best_rank_fusion(rankings, k_rrf=self.k_rrf, missing_rank=depth + 1)
        return [(chunks[i], score) for i, score in fused[:k]]

    def _whole(self, chunk: Chunk) -> Chunk:
        # A store may keep a shortened text (Pinecone's metadata limit); BM25 keeps the chunk.
        return self.lexical.get(chunk.id) or chunk

    def _rerank(self, query: str, ranked: list[ScoredChunk]) -> list[ScoredChunk]:
        assert self.reranker is not None
        scores = np.asarray(
            self.reranker.predict([(query, c.text) for c, _ in ranked]), dtype=float
        ).reshape(-1)
        if scores.shape != (len(ranked),):
            raise ValueError(f"reranker returned {scores.size} scores for {len(ranked)} pairs")
        order = sorted(range(len(ranked)), key=lambda i: (-scores[i], i))  # stable on ties
        return [(ranked[i][0], float(scores[i])) for i in order]


def _passages(ranked: Sequence[ScoredChunk], *, method: Method) -> list[Passage]:
    return [
        Passage(id=f"P-{chunk.id}", chunk=chunk, score=score, rank=rank, method=method)
        for rank, (chunk, score) in enumerate(ranked, start=1)
    ]
