"""Test doubles for the MiniLM sentiment path: a word-counting embedder and a hand-set head."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from quant.sentiment import Label, SentimentHead


class CountingEmbedder:
    """(count of "good", count of "bad", 0, 1) per text; records every batch it is given."""

    def __init__(self, name: str = "fake-embedder") -> None:
        self._name = name
        self.batches: list[list[str]] = []

    @property
    def name(self) -> str:
        return self._name

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        self.batches.append(list(texts))
        rows = [
            [t.lower().split().count("good"), t.lower().split().count("bad"), 0, 1] for t in texts
        ]
        return np.asarray(rows, dtype=np.float32).reshape(len(texts), 4)


def word_head(
    *, name: str = "words-v0", embedding_model: str = "fake-embedder", max_words: int = 6
) -> SentimentHead:
    """ "good" pushes positive, "bad" negative, a constant pulls to neutral (classes permuted)."""
    weight = np.zeros((4, 3))
    classes: tuple[Label, ...] = ("positive", "neutral", "negative")
    weight[0, 0] = 2.0  # good -> positive
    weight[1, 2] = 2.0  # bad -> negative
    weight[3, 1] = 1.0  # constant -> neutral
    return SentimentHead(
        name=name,
        embedding_model=embedding_model,
        classes=classes,
        weights=(weight,),
        biases=(np.zeros(3),),
        max_words=max_words,
    )
