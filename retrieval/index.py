"""The retrieval index facade: one directory holding a vector store and a BM25 index in step.

Layout under ``directory``: ``index.json`` (the embedder an index was built with),
``vectors/`` (the LanceDB store, unless another ``VectorStore`` is passed in) and ``bm25/``.

``add`` is idempotent and cheap to repeat: only chunks whose id the vector store lacks are
embedded, and only chunks BM25 lacks are tokenized. The vector side is written first and the
BM25 side second, so a run interrupted in between is repaired by adding the same chunks again;
``stats().in_sync`` says whether both sides hold the same number of chunks.

Every file is replaced atomically. An ``index.json`` that cannot be read is rewritten (the
vector store still checks its dimension), and a BM25 index whose chunks file is unreadable is
rebuilt from the chunks the vector store holds, with a warning.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from core.files import write_atomic

try:  # POSIX: writers to one index directory take turns
    import fcntl
except ImportError:  # pragma: no cover - Windows: one writer at a time is the caller's to keep
    fcntl = None  # type: ignore[assignment]
from retrieval.catalog import IndexedDocument, documents_of
from retrieval.embeddings import Embedder, SentenceTransformerEmbedder
from retrieval.lexical import BM25Index
from retrieval.retriever import HybridRetriever, Mode, Reranker
from retrieval.store.base import Filters, StoreMismatchError, VectorStore
from retrieval.store.lance import LanceStore
from retrieval.types import Chunk, Passage

__all__ = ["AddResult", "Index", "IndexMismatchError", "IndexStats"]

log = logging.getLogger(__name__)


class IndexMismatchError(StoreMismatchError):
    """The directory holds an index built with another embedder (name or dimension)."""


@dataclass(frozen=True)
class AddResult:
    """What one ``Index.add`` did."""

    received: int  # chunks passed in
    unique: int  # distinct chunk ids among them
    embedded: int  # chunks embedded and written to the vector store
    lexical_added: int  # chunks added to the BM25 index


@dataclass(frozen=True)
class IndexStats:
    """Sizes and identity of an index."""

    directory: str
    embedder: str
    dim: int
    store: str
    vectors: int
    lexical: int
    documents: int

    @property
    def in_sync(self) -> bool:
        return self.vectors == self.lexical


class Index:
    """Chunks searchable by BM25, dense vectors or both, persisted under ``directory``.

    embedder: default all-MiniLM-L6-v2 from its local package; store: default a
    ``LanceStore`` in ``directory/vectors``; reranker: optional cross-encoder;
    batch_size: chunks embedded and upserted per batch.
    """

    def __init__(
        self,
        directory: str | Path,
        *,
        embedder: Embedder | None = None,
        store: VectorStore | None = None,
        reranker: Reranker | None = None,
        batch_size: int = 256,
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be positive, got {batch_size}")
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.embedder = embedder if embedder is not None else SentenceTransformerEmbedder()
        self._claim_directory()
        self.store = store if store is not None else self._default_store()
        self.lexical = BM25Index(self.directory / "bm25")
        if self.lexical.problem is not None:
            self._rebuild_lexical()
        self.retriever = HybridRetriever(self.store, self.lexical, self.embedder, reranker=reranker)
        self._stamp = self._lexical_stamp()  # the BM25 file as this process last read it
        self.batch_size = batch_size

    def _default_store(self) -> VectorStore:
        return LanceStore(self.directory / "vectors", dim=self.embedder.dim)

    def _rebuild_lexical(self) -> None:
        """Refill a BM25 index whose chunks file was unreadable from the vector store's chunks."""
        every = getattr(self.store, "all_chunks", None)
        chunks = every() if callable(every) else []
        if not chunks:
            return  # nothing to rebuild from: BM25 already warned that re-ingesting refills it
        problem = self.lexical.problem
        self.lexical.add(chunks)
        self.lexical.save()
        log.warning(
            "%s: BM25 index rebuilt from the %d chunks of the vector store", problem, len(chunks)
        )

    def _claim_directory(self) -> None:
        manifest = self.directory / "index.json"
        mine = {"embedder": self.embedder.name, "dim": self.embedder.dim}
        found = _read_json(manifest)
        if found is not None:
            if {key: found.get(key) for key in mine} != mine:
                raise IndexMismatchError(
                    f"{self.directory} holds an index built with {found.get('embedder')!r} "
                    f"({found.get('dim')} dims), not {mine['embedder']!r} ({mine['dim']} dims): "
                    "use that embedder or another directory"
                )
        else:
            write_atomic(manifest, json.dumps(mine, indent=2) + "\n")

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """One writer at a time across processes (an exclusive lock on ``.write.lock``), with
        the BM25 side read again from disk first: two ingests running at once each add to what
        the other saved, instead of the last save dropping the other's chunks (the catalog of
        documents is read from that file)."""
        with open(self.directory / ".write.lock", "a+") as handle:
            if fcntl is not None:
                fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                self._reload_lexical()
                yield
            finally:
                if fcntl is not None:
                    fcntl.flock(handle, fcntl.LOCK_UN)

    def _reload_lexical(self) -> None:
        """Read the BM25 side again when another process saved it since this one did."""
        if self._lexical_stamp() == self._stamp:
            return
        fresh = BM25Index(self.directory / "bm25")
        self.lexical = self.retriever.lexical = fresh
        if fresh.problem is not None:
            self._rebuild_lexical()

    def _lexical_stamp(self) -> tuple[int, int] | None:
        try:
            st = (self.directory / "bm25" / "chunks.parquet").stat()
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size)

    def add(
        self, chunks: Iterable[Chunk], *, on_progress: Callable[[int, int], None] | None = None
    ) -> AddResult:
        """Index ``chunks``; those already indexed (by id) are neither embedded nor re-added.
        ``on_progress(embedded, to_embed)`` is called after each embedded batch."""
        with self._writing():
            result = self._add(chunks, on_progress)
            self._stamp = self._lexical_stamp()
            return result

    def _add(
        self, chunks: Iterable[Chunk], on_progress: Callable[[int, int], None] | None
    ) -> AddResult:
        received = list(chunks)
        first: dict[str, Chunk] = {}
        for chunk in received:
            first.setdefault(chunk.id, chunk)
        unique = list(first.values())
        stored = {c.id for c in self.store.get([c.id for c in unique])}
        missing = [c for c in unique if c.id not in stored]
        for start in range(0, len(missing), self.batch_size):
            batch = missing[start : start + self.batch_size]
            self.store.upsert(batch, self.embedder.embed([c.text for c in batch]))
            if on_progress is not None:
                on_progress(start + len(batch), len(missing))
        lexical_added = self.lexical.add(unique)
        if lexical_added:
            self.lexical.save()
        return AddResult(
            received=len(received),
            unique=len(unique),
            embedded=len(missing),
            lexical_added=lexical_added,
        )

    def delete(self, doc_id: str) -> int:
        """Remove document ``doc_id`` from both sides; returns the BM25 chunks removed."""
        with self._writing():
            self.store.delete(doc_id)
            removed = self.lexical.delete(doc_id)
            if removed:
                self.lexical.save()
            self._stamp = self._lexical_stamp()
            return removed

    def search(
        self, query: str, *, k: int = 5, filters: Filters | None = None, mode: Mode = "hybrid"
    ) -> list[Passage]:
        """The ``k`` best passages for ``query`` (see ``HybridRetriever.retrieve``)."""
        return self.retriever.retrieve(query, k=k, filters=filters, mode=mode)

    def documents(self) -> list[IndexedDocument]:
        """The indexed documents (see ``retrieval.catalog``), in order of availability."""
        return documents_of(self.lexical.chunks())

    def document_chunks(self, doc_id: str) -> list[Chunk]:
        """The chunks of document ``doc_id``, in document order."""
        found = [c for c in self.lexical.chunks() if c.doc_id == doc_id]
        return sorted(found, key=lambda c: (c.char_start, c.char_end))

    def stats(self) -> IndexStats:
        return IndexStats(
            directory=str(self.directory),
            embedder=self.embedder.name,
            dim=self.embedder.dim,
            store=type(self.store).__name__,
            vectors=self.store.count(),
            lexical=self.lexical.count(),
            documents=len({c.doc_id for c in self.lexical.chunks()}),
        )


def _read_json(path: Path) -> dict[str, object] | None:
    """The JSON object in ``path``; None when it is missing, torn or not an object."""
    try:
        found = json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as err:
        log.warning("%s is unreadable (%s); writing it again", path, err)
        return None
    return found if isinstance(found, dict) else None
