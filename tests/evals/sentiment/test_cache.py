"""The embedding cache: a text is embedded once, across instances, and the model loads lazily."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from evals.sentiment.cache import CachedEmbedder
from tests.quant.sentiment._fakes import CountingEmbedder


def test_only_missing_texts_are_embedded_and_kept_on_disk(tmp_path: Path) -> None:
    inner = CountingEmbedder()
    loads: list[int] = []

    def load() -> CountingEmbedder:
        loads.append(1)
        return inner

    cache = CachedEmbedder(load, name=inner.name, cache_dir=tmp_path)
    first = cache.embed(["good", "bad", "good"])
    assert inner.batches == [["good", "bad"]] and cache.embedded == 2
    np.testing.assert_array_equal(first[0], first[2])
    np.testing.assert_array_equal(cache.embed(["bad", "good good"])[0], first[1])
    assert inner.batches[-1] == ["good good"]

    reopened = CachedEmbedder(load, name=inner.name, cache_dir=tmp_path)
    again = reopened.embed(["good", "bad", "good"])
    np.testing.assert_array_equal(again, first)
    assert loads == [1] and reopened.embedded == 0  # the model never loaded a second time
    assert (tmp_path / f"{inner.name}.npz").exists()
    assert not list(tmp_path.glob("*.tmp.npz"))


def test_a_cache_refuses_another_model(tmp_path: Path) -> None:
    cache = CachedEmbedder(lambda: CountingEmbedder("other"), name="fake-embedder", cache_dir=None)
    with pytest.raises(ValueError, match="other"):
        cache.embed(["text"])
