"""Fitting heads on embeddings and the choice among candidates, on seeded synthetic vectors."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from evals.sentiment.fit import (
    CLASSES,
    GRID,
    Candidate,
    Part,
    fit,
    refit,
    sample_weights,
    scores,
    select,
)
from quant.sentiment import Label


def blobs(name: str, n: int, *, seed: int, spread: float = 1.0) -> Part:
    """Three Gaussian classes in 8 dimensions, class means on separate axes; 3/5 neutral."""
    rng = np.random.default_rng(seed)
    labels: list[Label] = [
        ("neutral", "neutral", "neutral", "positive", "negative")[i % 5] for i in range(n)
    ]
    centres = np.eye(8)[[CLASSES.index(label) for label in labels]] * 2.0
    return Part(name, centres + rng.normal(scale=spread, size=(n, 8)), tuple(labels))


def test_a_logistic_head_is_sklearns_model_with_columns_in_class_order() -> None:
    train = blobs("a", 120, seed=1)
    fitted = fit(train.x, train.labels, train.groups, Candidate("logreg", c=2.0))
    model = LogisticRegression(C=2.0, max_iter=5000).fit(train.x, list(train.labels))
    assert list(model.classes_) == list(CLASSES)
    head = fitted.head(name="t", embedding_model="m", max_words=5, training={})
    np.testing.assert_allclose(head.predict_proba(train.x), model.predict_proba(train.x), atol=1e-6)


@pytest.mark.parametrize(
    "candidate",
    [Candidate("logreg", c=1.0, balanced=True), Candidate("mlp", hidden=16, alpha=0.01)],
)
def test_fits_are_deterministic(candidate: Candidate) -> None:
    train = blobs("a", 90, seed=2)
    one = fit(train.x, train.labels, train.groups, candidate)
    two = fit(train.x, train.labels, train.groups, candidate)
    for a, b in zip((*one.weights, *one.biases), (*two.weights, *two.biases), strict=True):
        np.testing.assert_array_equal(a, b)
    test = blobs("a", 60, seed=3)
    assert scores(test.labels, one.predict(test.x))["macro_f1"] > 0.75


def test_sample_weights_balance_classes_and_sets() -> None:
    labels: list[Label] = ["neutral", "neutral", "neutral", "neutral", "neutral", "neutral"]
    labels += ["positive", "negative"]
    groups = ["big"] * 6 + ["small"] * 2
    plain = sample_weights(labels, groups, Candidate("logreg"))
    np.testing.assert_array_equal(plain, np.ones(8))
    by_class = sample_weights(labels, groups, Candidate("logreg", balanced=True))
    assert by_class.mean() == pytest.approx(1.0)
    assert by_class[:6].sum() == pytest.approx(by_class[6]) == pytest.approx(by_class[7])
    by_set = sample_weights(labels, groups, Candidate("logreg", balance_sets=True))
    assert by_set[:6].sum() == pytest.approx(by_set[6:].sum())


def test_selection_prefers_the_first_candidate_within_the_tolerance() -> None:
    train = [blobs("a", 90, seed=4, spread=1.5), blobs("b", 60, seed=5, spread=1.5)]
    validation = [blobs("a", 60, seed=6, spread=1.5), blobs("b", 60, seed=7, spread=1.5)]
    grid = [Candidate("logreg", c=1e-4), Candidate("logreg", c=1.0), Candidate("logreg", c=2.0)]
    chosen, table = select(train, validation, grid=grid, tolerance=0.0)
    assert [row["candidate"] for row in table] == [c.label() for c in grid]
    best = max(row["mean_macro_f1"] for row in table)
    assert table[grid.index(chosen)]["mean_macro_f1"] == best
    assert table[0]["mean_macro_f1"] < best - 0.2  # over-regularised: always the majority
    loose, _ = select(train, validation, grid=grid, tolerance=1.0)
    assert loose == grid[0]
    parallel, parallel_table = select(train, validation, grid=grid, tolerance=0.0, n_jobs=2)
    assert (parallel, parallel_table) == (chosen, table)
    refitted = refit([*train, *validation], chosen)
    assert refitted.candidate == chosen


def test_the_grid_lists_simpler_models_first() -> None:
    kinds = [c.kind for c in GRID]
    assert kinds == sorted(kinds)  # every logistic regression before any MLP
    logreg_c = [c.c for c in GRID if c.kind == "logreg"]
    assert logreg_c == sorted(logreg_c)
    with pytest.raises(ValueError, match="cover"):
        fit(np.zeros((2, 3)), ["positive", "negative"], ["a", "a"], GRID[0])
