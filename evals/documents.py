"""Index a suite's own documents before it runs, through the same code as ``ingest folder``."""

from __future__ import annotations

from pathlib import Path

from agent.services import open_corpus, open_index
from core.settings import Settings
from evals.suite import Suite
from retrieval.ingest import IngestReport, ingest
from retrieval.sources.folder import read_document

__all__ = ["index_suite_documents"]


def index_suite_documents(suite: Suite, *, settings: Settings, folder: Path) -> IngestReport | None:
    """Write each document to ``folder`` as text, read it like any filing, and index it."""
    if not suite.documents:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    documents = []
    for doc in suite.documents:
        path = folder / f"{doc.id}.txt"
        path.write_text(doc.text, encoding="utf-8")
        documents.append(
            read_document(path, ticker=doc.ticker, kind=doc.kind, available_on=doc.date)
        )
    return ingest(documents=documents, index=open_index(settings), corpus=open_corpus(settings))
