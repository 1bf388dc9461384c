"""Ingestion: documents and news -> section-aware chunks -> the index; dated news and calls
also go to the corpus that sentiment reads. Idempotent: re-ingesting changes nothing.

The report's ``status`` says how it went: "ok" (everything read), "partial" (some files or
records were skipped, the rest ingested) or "nothing" (no document and no news item to ingest).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from retrieval.chunking import chunk_documents
from retrieval.corpus import Corpus
from retrieval.index import Index
from retrieval.sources.common import SkippedFile
from retrieval.sources.news import news_document
from retrieval.types import Document, NewsItem


@dataclass(frozen=True)
class IngestReport:
    documents: int
    news: int
    chunks: int
    embedded: int
    new_news: int
    new_calls: int
    flagged: int
    seconds: float
    skipped: tuple[SkippedFile, ...] = field(default_factory=tuple)

    @property
    def status(self) -> Literal["ok", "partial", "nothing"]:
        """ "nothing" when no document or news item was read, "partial" when files were skipped."""
        if self.documents + self.news == 0:
            return "nothing"
        return "partial" if self.skipped else "ok"

    @property
    def chunks_per_s(self) -> float:
        return self.chunks / self.seconds if self.seconds > 0 else float("nan")

    def to_dict(self) -> dict[str, object]:
        return {
            "status": self.status,
            "documents": self.documents,
            "news": self.news,
            "chunks": self.chunks,
            "embedded": self.embedded,
            "new_news": self.new_news,
            "new_calls": self.new_calls,
            "injection_flagged_chunks": self.flagged,
            "seconds": round(self.seconds, 3),
            "chunks_per_s": round(self.chunks_per_s, 1) if self.seconds > 0 else None,
            "skipped": [{"path": str(s.path), "reason": s.reason} for s in self.skipped],
        }


def ingest(
    *,
    documents: Sequence[Document],
    news: Sequence[NewsItem] = (),
    index: Index,
    corpus: Corpus,
    skipped: Sequence[SkippedFile] = (),
    on_progress: Callable[[int, int], None] | None = None,
) -> IngestReport:
    """Chunk, embed and index ``documents`` and ``news``; ``on_progress(embedded, to_embed)``
    follows the embedding, the long part."""
    started = time.perf_counter()
    chunks = chunk_documents([*documents, *(news_document(n) for n in news)])
    added = index.add(chunks, on_progress=on_progress)
    new_news = corpus.add_news(news)
    new_calls = corpus.add_calls(d for d in documents if d.kind == "call")
    corpus.add_filings(d for d in documents if d.kind == "filing")
    return IngestReport(
        documents=len(documents),
        news=len(news),
        chunks=len(chunks),
        embedded=added.embedded,
        new_news=new_news,
        new_calls=new_calls,
        flagged=sum(c.injection_suspected for c in chunks),
        seconds=time.perf_counter() - started,
        skipped=tuple(skipped),
    )
