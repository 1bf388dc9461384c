"""An on-disk cache of text embeddings, so that retraining and re-evaluating embed nothing twice.

``CachedEmbedder`` wraps an embedder (loaded only when a text is missing from the cache) and keeps
``<cache_dir>/<model name>.npz``: SHA-256 keys of the texts and their float32 vectors, no text.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from quant.sentiment import TextEmbedder

FloatArray = npt.NDArray[np.float32]


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class CachedEmbedder:
    """A ``TextEmbedder`` that reads vectors from the cache and embeds only the missing texts.

    load: returns the real embedder, called at most once, on the first miss.
    name: the embedding model's name (the cache file's name; checked against the real one).
    cache_dir: None = no file, an in-memory cache only.
    """

    def __init__(
        self, load: Callable[[], TextEmbedder], *, name: str, cache_dir: Path | None
    ) -> None:
        self._load = load
        self._inner: TextEmbedder | None = None
        self._name = name
        self.path = cache_dir / f"{name}.npz" if cache_dir is not None else None
        self._vectors: dict[str, FloatArray] = {}
        if self.path is not None and self.path.exists():
            with np.load(self.path) as stored:
                self._vectors = dict(zip(stored["keys"].tolist(), stored["vectors"], strict=True))
        self.embedded = 0  # texts embedded by the real model in this process

    @property
    def name(self) -> str:
        return self._name

    def embed(self, texts: Sequence[str]) -> FloatArray:
        keys = [text_key(t) for t in texts]
        missing = list(dict.fromkeys(k for k in keys if k not in self._vectors))
        if missing:
            by_key = {k: t for k, t in zip(keys, texts, strict=True)}
            vectors = self._embedder().embed([by_key[k] for k in missing])
            self._vectors.update(zip(missing, np.asarray(vectors, dtype=np.float32), strict=True))
            self.embedded += len(missing)
            self._save()
        if not keys:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([self._vectors[k] for k in keys]).astype(np.float32, copy=False)

    def _embedder(self) -> TextEmbedder:
        if self._inner is None:
            self._inner = self._load()
            if self._inner.name != self._name:
                raise ValueError(f"cache {self._name!r} got embedder {self._inner.name!r}")
        return self._inner

    def _save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = sorted(self._vectors)
        tmp = self.path.with_suffix(f".{os.getpid()}.tmp.npz")
        np.savez(tmp, keys=np.array(keys), vectors=np.stack([self._vectors[k] for k in keys]))
        tmp.replace(self.path)
