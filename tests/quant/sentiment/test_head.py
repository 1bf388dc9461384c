"""The head's forward pass, its file format, and the shipped head file."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from quant.sentiment import (
    LABELS,
    MINILM_NAME,
    ModelUnavailableError,
    SentimentHead,
    default_head_path,
    load_head,
    write_head,
)
from tests.quant.sentiment._fakes import word_head


def two_layer_head(rng: np.random.Generator) -> SentimentHead:
    return SentimentHead(
        name="mlp-test",
        embedding_model="fake",
        classes=("negative", "neutral", "positive"),
        weights=(rng.normal(size=(5, 4)), rng.normal(size=(4, 3))),
        biases=(rng.normal(size=4), rng.normal(size=3)),
    )


def test_forward_pass_is_relu_layers_then_softmax() -> None:
    rng = np.random.default_rng(7)
    head = two_layer_head(rng)
    x = rng.normal(size=(6, 5))
    hidden = np.maximum(x @ head.weights[0] + head.biases[0], 0)
    logits = hidden @ head.weights[1] + head.biases[1]
    want = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    got = head.predict_proba(x)
    np.testing.assert_allclose(got, want, rtol=1e-12)
    np.testing.assert_allclose(got.sum(axis=1), 1.0)
    assert head.dim == 5
    # huge logits do not overflow
    assert np.isfinite(head.predict_proba(x * 1e6)).all()


def test_one_layer_head_is_a_logistic_regression() -> None:
    head = word_head()
    probs = head.predict_proba([[1, 0, 0, 1], [0, 1, 0, 1], [0, 0, 0, 1]])
    assert [head.classes[i] for i in probs.argmax(axis=1)] == ["positive", "negative", "neutral"]


def test_bad_heads_and_inputs_are_refused() -> None:
    w, b = np.zeros((4, 3)), np.zeros(3)
    with pytest.raises(ValueError, match="permutation"):
        SentimentHead("x", "m", ("positive", "negative", "bullish"), (w,), (b,))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="chain"):
        SentimentHead("x", "m", LABELS, (w, np.zeros((4, 3))), (b, b))
    with pytest.raises(ValueError, match="2 outputs"):
        SentimentHead("x", "m", LABELS, (np.zeros((4, 2)),), (np.zeros(2),))
    with pytest.raises(ValueError, match=r"shape \(n, 4\)"):
        word_head().predict_proba(np.zeros((2, 5)))


def test_write_then_load_round_trips_exactly(tmp_path: Path) -> None:
    head = two_layer_head(np.random.default_rng(3))
    head = SentimentHead(
        head.name, head.embedding_model, head.classes, head.weights, head.biases,
        max_words=20, training={"date": "2024-01-02", "test": {"a": {"accuracy": 0.5}}},
    )  # fmt: skip
    path = write_head(head, tmp_path / "head.json")
    back = load_head(path)
    for a, b in zip((*head.weights, *head.biases), (*back.weights, *back.biases), strict=True):
        np.testing.assert_array_equal(a, b)
    assert (back.name, back.classes, back.max_words) == (head.name, head.classes, 20)
    assert back.training == head.training
    assert load_head(path) is back  # read once per path
    # a weight row per line: diffs stay readable
    assert len(path.read_text().splitlines()) > 5 + 4


def test_missing_or_foreign_files_raise_model_unavailable(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailableError, match="evals.sentiment.train"):
        load_head(tmp_path / "missing.json")
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"format": "something-else"}))
    with pytest.raises(ModelUnavailableError, match="not a sentiment head"):
        load_head(other)


def test_the_shipped_head_is_small_and_says_how_it_was_made() -> None:
    path = default_head_path()
    assert path.stat().st_size < 300_000
    assert (path.parent / "MODEL_CARD.md").exists()
    head = load_head()
    assert head.embedding_model == MINILM_NAME and head.dim == 384
    assert sorted(head.classes) == sorted(LABELS)
    training = head.training
    assert training["gold_band"] == 0.1
    assert training["refit_on"] == ["train", "validation"]
    assert set(training["test"]) == {"fiqa2018", "semeval2017", "tweets"}
    assert training["selection"]["chosen"]["label"]
    assert len(training["fingerprint"]) == 64 and training["date"]
