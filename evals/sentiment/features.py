"""Embeddings of labelled examples, computed as the scorer computes them (``text_chunks``)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from evals.sentiment.data import Example, LabelledSet, Split
from evals.sentiment.fit import Part
from quant.sentiment import TextEmbedder, text_chunks


def embed_examples(
    examples: Sequence[Example], embedder: TextEmbedder, *, max_words: int
) -> npt.NDArray[np.float64]:
    """One row per example: the embedding of its only chunk (a headline or a tweet), or the
    mean of its chunks' embeddings for a longer text. Distinct chunks are embedded once."""
    per_text = [text_chunks(e.text, max_words=max_words) for e in examples]
    distinct = list(dict.fromkeys(c for chunks in per_text for c in chunks))
    vectors = np.asarray(embedder.embed(distinct), dtype=np.float64)
    row = {c: i for i, c in enumerate(distinct)}
    return np.stack([vectors[[row[c] for c in chunks]].mean(axis=0) for chunks in per_text])


def part(
    data: LabelledSet, splits: Sequence[Split], embedder: TextEmbedder, *, max_words: int
) -> Part:
    """``data``'s examples of ``splits`` as a fitting ``Part``."""
    examples = data.split(*splits)
    return Part(
        data.name,
        embed_examples(examples, embedder, max_words=max_words),
        tuple(e.label for e in examples),
    )
