"""Embedders: the bundled MiniLM loads offline; the hashing aid is deterministic."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from retrieval.embeddings import (
    DEFAULT_MODEL_NAME,
    Embedder,
    EmbeddingModelUnavailableError,
    HashingEmbedder,
    SentenceTransformerEmbedder,
    default_model_path,
)


@pytest.fixture(scope="module")
def minilm() -> Iterator[SentenceTransformerEmbedder]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HUB_OFFLINE", "1")
        mp.setenv("TRANSFORMERS_OFFLINE", "1")
        yield SentenceTransformerEmbedder(batch_size=2)


@pytest.mark.slow
def test_minilm_loads_offline_with_384_dim_unit_vectors(minilm) -> None:
    assert isinstance(minilm, Embedder)
    assert (minilm.dim, minilm.name) == (384, DEFAULT_MODEL_NAME)
    vectors = minilm.embed(["Revenue grew.", "Margins fell.", "Cash flow improved."])
    assert vectors.dtype == np.float32 and vectors.shape == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert minilm.embed([]).shape == (0, 384)
    np.testing.assert_allclose(minilm.embed(["Revenue grew."])[0], vectors[0], atol=1e-5)


@pytest.mark.slow
def test_minilm_similarity_ordering(minilm) -> None:
    query, related, unrelated, other = minilm.embed(
        [
            "How much did net sales grow last year?",
            "Total net sales increased 12% year over year to $65 billion.",
            "The cat slept on a warm windowsill all afternoon.",
            "Our new headquarters building opened with a larger cafeteria.",
        ]
    )
    assert query @ related > 0.5
    assert query @ related > query @ unrelated + 0.3
    assert query @ related > query @ other


def test_missing_local_model_names_the_setting(tmp_path: Path) -> None:
    with pytest.raises(EmbeddingModelUnavailableError, match="SIGNALDESK_EMBEDDING_MODEL"):
        SentenceTransformerEmbedder(tmp_path / "absent")
    with pytest.raises(EmbeddingModelUnavailableError, match="downloads are off"):
        SentenceTransformerEmbedder("sentence-transformers/not-installed-here")
    (tmp_path / "broken").mkdir()
    with pytest.raises(EmbeddingModelUnavailableError, match="cannot load"):
        SentenceTransformerEmbedder(tmp_path / "broken")


def test_default_model_path_is_a_local_model_directory() -> None:
    path = default_model_path()
    assert (path / "config.json").is_file() and (path / "modules.json").is_file()


def test_hashing_embedder_is_deterministic_and_unit_length() -> None:
    emb = HashingEmbedder(dim=32)
    assert isinstance(emb, Embedder) and (emb.dim, emb.name) == (32, "hashing-32")
    a = emb.embed(["gross margin fell", "gross margin rose", "dividend", ""])
    assert a.shape == (4, 32) and a.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-6)
    np.testing.assert_array_equal(emb.embed(["gross margin fell"])[0], a[0])
    np.testing.assert_array_equal(HashingEmbedder(dim=32).embed(["Gross  MARGIN fell"])[0], a[0])
    assert a[0] @ a[1] > a[0] @ a[2]  # shared words, closer vectors
    np.testing.assert_array_equal(a[3], np.eye(32, dtype=np.float32)[0])  # no words: e0
    with pytest.raises(ValueError):
        HashingEmbedder(dim=1)
