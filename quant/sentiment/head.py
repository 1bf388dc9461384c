"""A small trained classifier over sentence embeddings: its weights, file format and forward pass.

A head is a stack of dense layers (ReLU between them, softmax at the end) applied to an
embedding; multinomial logistic regression is the one-layer case. Its file is JSON:

- ``format``: ``"signaldesk-sentiment-head/1"``;
- ``name``: the head's id, reported in every score's ``model`` (``"minilm:<name>"``);
- ``embedding_model``: the sentence-transformers model it was trained on (``all-MiniLM-L6-v2``);
  embeddings from any other model are refused;
- ``classes``: the class of each output column (a permutation of negative/neutral/positive);
- ``max_words``: texts are scored in chunks of at most this many words;
- ``layers``: ``[{"weight": [[...] x n_in] (n_in x n_out), "bias": [n_out]}, ...]``;
- ``training``: provenance (data, split, label thresholds, hyperparameters, metrics, date),
  kept as is and not read by the scorer.

The shipped head is ``minilm_head.json`` beside this module (see ``MODEL_CARD.md``), made by
``python -m evals.sentiment.train``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from quant.sentiment._types import LABELS, Label
from quant.sentiment.errors import ModelUnavailableError

FloatArray = npt.NDArray[np.float64]
HEAD_FORMAT = "signaldesk-sentiment-head/1"
HEAD_FILE = "minilm_head.json"


@dataclass(frozen=True, eq=False)
class SentimentHead:
    """Trained weights; ``predict_proba`` maps embeddings (n, dim) to probabilities (n, 3)."""

    name: str
    embedding_model: str
    classes: tuple[Label, ...]
    weights: tuple[FloatArray, ...]  # (n_in, n_out) per layer
    biases: tuple[FloatArray, ...]  # (n_out,) per layer
    max_words: int = 48
    training: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if sorted(self.classes) != sorted(LABELS):
            raise ValueError(f"classes must be a permutation of {LABELS}, got {self.classes}")
        if not self.weights or len(self.weights) != len(self.biases):
            raise ValueError("a head needs one bias per weight matrix, and at least one layer")
        n_in = self.weights[0].shape[0]
        for weight, bias in zip(self.weights, self.biases, strict=True):
            if weight.ndim != 2 or weight.shape[0] != n_in or bias.shape != (weight.shape[1],):
                raise ValueError(f"layer shapes do not chain: {weight.shape} then {bias.shape}")
            n_in = weight.shape[1]
        if n_in != len(self.classes):
            raise ValueError(f"the last layer has {n_in} outputs for {len(self.classes)} classes")
        if self.max_words < 1:
            raise ValueError(f"max_words must be >= 1, got {self.max_words}")

    @property
    def dim(self) -> int:
        """The embedding dimension the head expects."""
        return int(self.weights[0].shape[0])

    def predict_proba(self, embeddings: npt.ArrayLike) -> FloatArray:
        """Softmax probabilities, shape (n, 3), columns in ``classes`` order (float64)."""
        hidden = np.asarray(embeddings, dtype=np.float64)
        if hidden.ndim != 2 or hidden.shape[1] != self.dim:
            raise ValueError(f"embeddings must have shape (n, {self.dim}), got {hidden.shape}")
        last = len(self.weights) - 1
        for i, (weight, bias) in enumerate(zip(self.weights, self.biases, strict=True)):
            hidden = hidden @ weight + bias
            if i < last:
                hidden = np.maximum(hidden, 0.0)
        hidden -= hidden.max(axis=1, keepdims=True)
        exp = np.exp(hidden)
        out: FloatArray = exp / exp.sum(axis=1, keepdims=True)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": HEAD_FORMAT,
            "name": self.name,
            "embedding_model": self.embedding_model,
            "classes": list(self.classes),
            "max_words": self.max_words,
            "layers": [
                {"weight": w.tolist(), "bias": b.tolist()}
                for w, b in zip(self.weights, self.biases, strict=True)
            ],
            "training": self.training,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SentimentHead:
        if data.get("format") != HEAD_FORMAT:
            raise ValueError(f"not a {HEAD_FORMAT} file (format {data.get('format')!r})")
        layers = data["layers"]
        return cls(
            name=str(data["name"]),
            embedding_model=str(data["embedding_model"]),
            classes=tuple(data["classes"]),
            weights=tuple(np.asarray(layer["weight"], dtype=np.float64) for layer in layers),
            biases=tuple(np.asarray(layer["bias"], dtype=np.float64) for layer in layers),
            max_words=int(data["max_words"]),
            training=dict(data.get("training", {})),
        )


def default_head_path() -> Path:
    """The shipped head, ``quant/sentiment/minilm_head.json``."""
    return Path(__file__).resolve().parent / HEAD_FILE


def load_head(path: str | Path | None = None) -> SentimentHead:
    """Read a head file once per resolved path (cached); None is the shipped head.

    Raises ModelUnavailableError when the file is missing or not a head file.
    """
    resolved = Path(path) if path is not None else default_head_path()
    return _read_head(str(resolved.resolve()))


@lru_cache(maxsize=4)
def _read_head(path: str) -> SentimentHead:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return SentimentHead.from_dict(data)
    except OSError as err:
        raise ModelUnavailableError(
            f"cannot read the sentiment head at {path}: {err.strerror}; retrain it with "
            "`python -m evals.sentiment.train`",
            model=path,
        ) from err
    except (ValueError, KeyError, TypeError) as err:
        raise ModelUnavailableError(
            f"{path} is not a sentiment head file: {err}", model=path
        ) from err


_NUMBER_LIST = re.compile(r"\[[-0-9.eE+,\s]*\]")


def write_head(head: SentimentHead, path: str | Path) -> Path:
    """Write ``head`` as JSON, each list of numbers on one line (a weight row, a bias); floats
    are written exactly (shortest round-trip repr). Returns the path."""
    target = Path(path)
    text = json.dumps(head.to_dict(), indent=1)
    text = _NUMBER_LIST.sub(
        lambda m: "[" + ", ".join(m.group()[1:-1].replace(",", " ").split()) + "]", text
    )
    target.write_text(text + "\n", encoding="utf-8")
    _read_head.cache_clear()
    return target
