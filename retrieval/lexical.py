"""BM25 keyword search over chunks (``bm25s``, Lucene variant, k1=1.5, b=0.75), on disk.

Score of a chunk: sum over query terms of ``ln(1 + (N - df + 0.5) / (df + 0.5)) * tf /
(tf + k1 * (1 - b + b * dl / avgdl))`` (Lucene 8+ drops the constant ``k1 + 1`` numerator).

Tokenizer (``tokenize``): lower-case; numbers keep their decimal point and lose thousands
separators ("1,496.5" -> "1496.5"); otherwise runs of letters and digits ("FY2019" ->
"fy2019", "10-K" -> "10", "k"); English stopwords (``STOPWORDS``) and one-letter tokens are
dropped. No stemming: "margin" and "margins" are different terms.

Filters: the ``Filters`` are turned into a 0/1 weight per chunk, computed with numpy over the
metadata columns, and bm25s multiplies every chunk's score by it before ranking, so the top
``k`` are taken within the filtered subset (same semantics as the vector stores). IDF and
length statistics stay corpus-wide, so a chunk's score does not depend on the filter. Only
chunks sharing at least one term with the query are returned.

Persistence (``directory``): ``chunks.parquet`` (the chunks and their tokens), ``bm25/`` (the
bm25s matrices) and ``manifest.json`` (which chunk ids the matrices were built from). The
matrices are rebuilt, from the stored tokens, when they are missing or stale, and lazily after
``add``/``delete``.

Crash safety: ``chunks.parquet`` and ``manifest.json`` are replaced atomically (temp file,
fsync, rename); the manifest is removed before the matrices are rewritten and written back
after, so matrices that a kill -9 left half-written never match a manifest and are rebuilt
from the tokens. A ``chunks.parquet`` that cannot be read (truncated, garbage) leaves the
index empty with one warning (``problem`` says why); ``Index`` then refills it from the
vector store, and re-ingesting the documents refills it too.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

import bm25s
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from core.files import atomic_path, write_atomic
from retrieval.store.base import LIST_FILTERS, Filters, ScoredChunk
from retrieval.store.records import chunks_to_table, table_to_chunks
from retrieval.types import Chunk

__all__ = ["STOPWORDS", "BM25Index", "tokenize"]

log = logging.getLogger(__name__)

# English function words; negations and direction words (not, no, up, down, over, below,
# more ...) carry meaning in finance text and are kept.
# fmt: off
STOPWORDS = frozenset((
    "a", "about", "all", "also", "an", "and", "any", "are", "as", "at", "be", "been",
    "being", "both", "but", "by", "can", "could", "did", "do", "does", "doing", "during",
    "each", "for", "from", "further", "had", "has", "have", "having", "he", "her", "here",
    "hers", "herself", "him", "himself", "his", "how", "i", "if", "in", "into", "is", "it",
    "its", "itself", "just", "me", "my", "myself", "of", "on", "once", "only", "or",
    "other", "our", "ours", "ourselves", "own", "same", "she", "should", "so", "some",
    "such", "than", "that", "the", "their", "theirs", "them", "themselves", "then", "there",
    "these", "they", "this", "those", "through", "to", "too", "very", "was", "we", "were",
    "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with",
    "would", "you", "your", "yours", "yourself", "yourselves",
))
# fmt: on
_TOKEN = re.compile(r"\d+(?:[.,]\d+)+|[^\W_]+")
_FORMAT = 1  # bump when the tokenizer or the stored layout changes
_STALE_TMP_S = 3600.0  # a temporary file this old is a killed save's, not one in progress


def tokenize(text: str) -> list[str]:
    """The BM25 terms of ``text`` (see the module docstring for the rules)."""
    terms = (t.replace(",", "") for t in _TOKEN.findall(text.lower()))
    return [t for t in terms if t not in STOPWORDS and (len(t) > 1 or t.isdigit())]


class BM25Index:
    """BM25 over a growing set of chunks; ``directory=None`` keeps it in memory only."""

    def __init__(self, directory: str | Path | None = None, *, k1: float = 1.5, b: float = 0.75):
        self.directory = None if directory is None else Path(directory)
        self.k1, self.b = k1, b
        self._chunks: list[Chunk] = []
        self._tokens: list[list[str]] = []
        self._position: dict[str, int] = {}
        self._model: bm25s.BM25 | None = None
        self._columns: dict[str, np.ndarray] = {}
        self.problem: str | None = (
            None  # why the stored chunks could not be read, if they could not
        )
        if self.directory is not None and (self.directory / "chunks.parquet").exists():
            self._load()

    # -- contents -------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._chunks)

    def count(self) -> int:
        return len(self._chunks)

    def __contains__(self, chunk_id: object) -> bool:
        return chunk_id in self._position

    def get(self, chunk_id: str) -> Chunk | None:
        position = self._position.get(chunk_id)
        return None if position is None else self._chunks[position]

    def add(self, chunks: Iterable[Chunk]) -> int:
        """Add the chunks whose id is not indexed yet; returns how many were added."""
        added = 0
        for chunk in chunks:
            if chunk.id in self._position:
                continue
            self._position[chunk.id] = len(self._chunks)
            self._chunks.append(chunk)
            self._tokens.append(tokenize(chunk.text))
            added += 1
        if added:
            self._model = None
        return added

    def delete(self, doc_id: str) -> int:
        """Remove the chunks of document ``doc_id``; returns how many were removed."""
        keep = [i for i, c in enumerate(self._chunks) if c.doc_id != doc_id]
        removed = len(self._chunks) - len(keep)
        if removed:
            self._chunks = [self._chunks[i] for i in keep]
            self._tokens = [self._tokens[i] for i in keep]
            self._position = {c.id: i for i, c in enumerate(self._chunks)}
            self._model = None
        return removed

    # -- search ---------------------------------------------------------------------------
    def search(self, query: str, *, k: int, filters: Filters | None = None) -> list[ScoredChunk]:
        """The ``k`` best chunks for ``query`` among those passing ``filters``, best first
        (ties: the earlier indexed chunk first), with their BM25 scores."""
        if k <= 0 or not any(self._tokens):  # bm25s cannot index a corpus without terms
            return []
        model = self._ensure_model()
        ids = [model.vocab_dict[t] for t in tokenize(query) if t in model.vocab_dict]
        if not ids:
            return []
        mask = self._mask(filters)
        scores = model.get_scores_from_ids(ids, weight_mask=mask)
        hits = np.flatnonzero(scores > 0)
        if hits.size > k:
            hits = hits[np.argpartition(-scores[hits], k - 1)[:k]]
        hits = hits[np.lexsort((hits, -scores[hits]))]
        return [(self._chunks[i], float(scores[i])) for i in hits]

    def _mask(self, filters: Filters | None) -> np.ndarray | None:
        if filters is None or filters.is_empty:
            return None
        cols = self._columns
        mask = np.ones(len(self._chunks), dtype=bool)
        for column, name in LIST_FILTERS:
            values = getattr(filters, name)
            if values is not None:
                mask &= np.isin(cols[column], np.array(values, dtype=object))
        if filters.available_on_min is not None:
            mask &= cols["available_on"] >= np.datetime64(filters.available_on_min, "D")
        if filters.available_on_max is not None:
            mask &= cols["available_on"] <= np.datetime64(filters.available_on_max, "D")
        return mask.astype(np.float32)

    def _ensure_model(self) -> bm25s.BM25:
        if self._model is None:
            self._model = self._build()
        return self._model

    def _build(self) -> bm25s.BM25:
        model = bm25s.BM25(k1=self.k1, b=self.b, method="lucene")
        model.index(self._tokens, show_progress=False)
        self._refresh_columns()
        return model

    def _refresh_columns(self) -> None:
        def column(name: str) -> np.ndarray:
            return np.array([getattr(c, name) for c in self._chunks], dtype=object)

        self._columns = {field: column(field) for field, _ in LIST_FILTERS}
        self._columns["available_on"] = np.array(
            [c.available_on for c in self._chunks], dtype="datetime64[D]"
        )

    # -- persistence ----------------------------------------------------------------------
    def _digest(self) -> str:
        ids = "\n".join(c.id for c in self._chunks).encode("utf-8")
        return hashlib.sha256(ids + f"|{self.k1}|{self.b}|{_FORMAT}".encode()).hexdigest()

    def save(self) -> None:
        """Write the chunks, their tokens and the BM25 matrices under ``directory``."""
        if self.directory is None:
            raise ValueError("this BM25Index has no directory to save to")
        self.directory.mkdir(parents=True, exist_ok=True)
        table = chunks_to_table(self._chunks).append_column(
            "tokens", pa.array(self._tokens, type=pa.list_(pa.string()))
        )
        _remove_stale_temporaries(self.directory)
        manifest_path = self.directory / "manifest.json"
        manifest_path.unlink(missing_ok=True)  # the matrices below are stale until it is back
        with atomic_path(self.directory / "chunks.parquet") as tmp:
            pq.write_table(table, tmp)
        manifest = {"format": _FORMAT, "count": len(self._chunks), "digest": self._digest()}
        if any(self._tokens):
            self._ensure_model().save(str(self.directory / "bm25"), show_progress=False)
        write_atomic(manifest_path, json.dumps(manifest, indent=2))
        self.problem = None

    def _load(self) -> None:
        assert self.directory is not None
        path = self.directory / "chunks.parquet"
        try:
            table = pq.read_table(path)
            chunks = table_to_chunks(table)
            tokens = table.column("tokens").to_pylist()
        except (OSError, ValueError, KeyError, TypeError, pa.ArrowException) as err:
            self.problem = f"{path} is unreadable ({type(err).__name__}: {_first_line(err)})"
            log.warning(
                "BM25 index %s; keyword search starts empty until it is rebuilt "
                "(re-run `signaldesk ingest` on your documents)",
                self.problem,
            )
            return
        self._chunks, self._tokens = chunks, tokens
        self._position = {c.id: i for i, c in enumerate(self._chunks)}
        if any(self._tokens) and self._manifest().get("digest") == self._digest():
            self._model = self._load_model()
            if self._model is not None:
                self._refresh_columns()

    def _manifest(self) -> dict[str, object]:
        assert self.directory is not None
        try:
            found = json.loads((self.directory / "manifest.json").read_text())
        except (OSError, ValueError):  # missing or torn: the matrices are rebuilt from tokens
            return {}
        return found if isinstance(found, dict) else {}

    def _load_model(self) -> bm25s.BM25 | None:
        """The saved matrices, or None (rebuilt lazily from the tokens) when they are unusable."""
        assert self.directory is not None
        try:
            model = bm25s.BM25.load(str(self.directory / "bm25"), show_progress=False)
            if int(model.scores["num_docs"]) != len(self._chunks):
                raise ValueError("document count differs from chunks.parquet")
        except Exception as err:  # noqa: BLE001 -- a derived cache: any failure means rebuild
            log.warning(
                "BM25 matrices under %s unusable (%s); rebuilding them from the tokens",
                self.directory,
                _first_line(err),
            )
            return None
        return model

    def chunks(self) -> Sequence[Chunk]:
        """Every indexed chunk, in indexing order."""
        return tuple(self._chunks)


def _remove_stale_temporaries(directory: Path) -> None:
    """Delete temporary files a killed save left behind (old enough not to be another process's
    save in progress)."""
    cutoff = time.time() - _STALE_TMP_S
    for stale in directory.glob(".*.tmp"):
        try:
            if stale.stat().st_mtime < cutoff:
                stale.unlink()
        except FileNotFoundError:  # another process cleaned it first
            continue


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__
