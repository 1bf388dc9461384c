"""Fitting the sentiment head on embeddings, and choosing its hyperparameters on validation data.

Candidates (``GRID``, simplest first): multinomial logistic regressions (L2, inverse strength
``c``, strongest regularisation first), with or without balanced class weights, then
one-hidden-layer MLPs (64 ReLU units, L2 ``alpha``). Each set's examples can weigh 1/size of the
set (``balance_sets``) so that the large tweet set does not drown the headlines.

Selection (``select``): every candidate is fitted on the train splits and scored by the mean over
the sets of its validation macro-F1; the winner is the first candidate in grid order whose mean
is within ``TOLERANCE`` (0.01) of the best. The validation splits are small (148-374 texts), so a
difference under 0.01 is a couple of texts: the simpler, convex model is preferred, and it
reproduces across machines (a logistic regression has one optimum). Test splits are never read
here. Every fit is seeded, so a refit gives the same weights on the same embeddings.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]  # no stubs

from quant.sentiment import Label, SentimentHead

CLASSES: tuple[Label, ...] = ("negative", "neutral", "positive")
SEED = 20240601
TOLERANCE = 0.01
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Candidate:
    kind: Literal["logreg", "mlp"]
    c: float = 1.0  # logreg: inverse L2 strength
    hidden: int = 0  # mlp: hidden units
    alpha: float = 0.0  # mlp: L2 strength
    balanced: bool = False  # class weights inversely proportional to class frequency
    balance_sets: bool = False  # each set weighs the same in total

    def label(self) -> str:
        what = (
            f"logreg C={self.c:g}"
            if self.kind == "logreg"
            else (f"mlp {self.hidden} alpha={self.alpha:g}")
        )
        extras = [n for n, on in (("balanced", self.balanced), ("sets", self.balance_sets)) if on]
        return " ".join([what, *extras])

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


GRID: tuple[Candidate, ...] = tuple(
    Candidate("logreg", c=c, balanced=b, balance_sets=s)
    for c in (0.5, 1.0, 2.0, 4.0, 8.0, 16.0)
    for b in (False, True)
    for s in (False, True)
) + tuple(
    Candidate("mlp", hidden=64, alpha=a, balance_sets=s)
    for a in (1.0, 0.1, 0.01)
    for s in (False, True)
)


@dataclass(frozen=True)
class Fitted:
    """A fitted candidate as head layers (classes in ``CLASSES`` order)."""

    candidate: Candidate
    weights: tuple[FloatArray, ...]
    biases: tuple[FloatArray, ...]

    def head(
        self, *, name: str, embedding_model: str, max_words: int, training: dict[str, Any]
    ) -> SentimentHead:
        return SentimentHead(
            name=name,
            embedding_model=embedding_model,
            classes=CLASSES,
            weights=self.weights,
            biases=self.biases,
            max_words=max_words,
            training=training,
        )

    def predict(self, x: npt.ArrayLike) -> list[Label]:
        probs = self.head(name="-", embedding_model="-", max_words=1, training={}).predict_proba(x)
        return [CLASSES[i] for i in probs.argmax(axis=1)]


def sample_weights(
    labels: Sequence[Label], groups: Sequence[str], candidate: Candidate
) -> FloatArray:
    """Per-example weights (mean 1): class-balanced and/or set-balanced as the candidate says."""
    weight = np.ones(len(labels), dtype=np.float64)
    y, g = np.asarray(labels), np.asarray(groups)
    if candidate.balance_sets:
        for group in np.unique(g):
            weight[g == group] /= (g == group).sum()
    if candidate.balanced:
        for label in CLASSES:
            mask = y == label
            if mask.any():
                weight[mask] /= weight[mask].sum()
    out: FloatArray = weight * len(weight) / weight.sum()
    return out


def fit(
    x: npt.ArrayLike,
    labels: Sequence[Label],
    groups: Sequence[str],
    candidate: Candidate,
    *,
    seed: int = SEED,
) -> Fitted:
    """Fit ``candidate`` on embeddings ``x`` (n, dim); the three classes must all occur."""
    features = np.asarray(x, dtype=np.float64)
    if sorted(set(labels)) != sorted(CLASSES):
        raise ValueError(f"training labels must cover {CLASSES}, got {sorted(set(labels))}")
    weight = sample_weights(labels, groups, candidate)
    # one BLAS thread: the matrices are small, and threads that spin beside torch's (or other
    # processes') can slow a fit down a hundredfold on a busy machine
    with warnings.catch_warnings(), threadpool_limits(limits=1):
        warnings.simplefilter("ignore", ConvergenceWarning)
        if candidate.kind == "logreg":
            model = LogisticRegression(C=candidate.c, max_iter=5000, random_state=seed)
            model.fit(features, list(labels), sample_weight=weight)
            order = [list(model.classes_).index(c) for c in CLASSES]
            return Fitted(
                candidate,
                (np.asarray(model.coef_, dtype=np.float64)[order].T.copy(),),
                (np.asarray(model.intercept_, dtype=np.float64)[order].copy(),),
            )
        mlp = MLPClassifier(
            hidden_layer_sizes=(candidate.hidden,),
            alpha=candidate.alpha,
            max_iter=300,
            random_state=seed,
        )
        mlp.fit(features, list(labels), sample_weight=weight)
    order = [list(mlp.classes_).index(c) for c in CLASSES]
    first_w, last_w = (np.asarray(w, dtype=np.float64) for w in mlp.coefs_)
    first_b, last_b = (np.asarray(b, dtype=np.float64) for b in mlp.intercepts_)
    return Fitted(candidate, (first_w, last_w[:, order].copy()), (first_b, last_b[order].copy()))


def scores(gold: Sequence[Label], predicted: Sequence[Label]) -> dict[str, float]:
    """Accuracy and macro-F1 over the three classes."""
    return {
        "accuracy": float(accuracy_score(gold, predicted)),
        "macro_f1": float(
            f1_score(gold, predicted, labels=list(CLASSES), average="macro", zero_division=0)
        ),
    }


@dataclass(frozen=True)
class Part:
    """One set's examples as arrays: embeddings, labels, and the set's name per example."""

    name: str
    x: FloatArray
    labels: tuple[Label, ...]

    @property
    def groups(self) -> tuple[str, ...]:
        return (self.name,) * len(self.labels)


def _stack(parts: Sequence[Part]) -> tuple[FloatArray, list[Label], list[str]]:
    x = np.concatenate([p.x for p in parts])
    return x, [lab for p in parts for lab in p.labels], [g for p in parts for g in p.groups]


def _validate(
    train: Sequence[Part], validation: Sequence[Part], candidate: Candidate, seed: int
) -> dict[str, Any]:
    x, labels, groups = _stack(train)
    fitted = fit(x, labels, groups, candidate, seed=seed)
    per_set = {v.name: scores(v.labels, fitted.predict(v.x)) for v in validation}
    mean = float(np.mean([s["macro_f1"] for s in per_set.values()]))
    return {"candidate": candidate.label(), "mean_macro_f1": mean, "sets": per_set}


def select(
    train: Sequence[Part],
    validation: Sequence[Part],
    *,
    grid: Sequence[Candidate] = GRID,
    tolerance: float = TOLERANCE,
    seed: int = SEED,
    n_jobs: int = 1,
) -> tuple[Candidate, list[dict[str, Any]]]:
    """The chosen candidate (see the module doc) and every candidate's validation scores (per
    set and the mean), in grid order. n_jobs: fits run in parallel processes (same result)."""
    from joblib import Parallel, delayed

    table: list[dict[str, Any]] = Parallel(n_jobs=n_jobs)(
        delayed(_validate)(train, validation, candidate, seed) for candidate in grid
    )
    best = max(row["mean_macro_f1"] for row in table)
    chosen = next(i for i, row in enumerate(table) if row["mean_macro_f1"] >= best - tolerance)
    return grid[chosen], table


def refit(parts: Sequence[Part], candidate: Candidate, *, seed: int = SEED) -> Fitted:
    """``candidate`` fitted on all of ``parts`` (the train and validation splits, once chosen)."""
    x, labels, groups = _stack(parts)
    return fit(x, labels, groups, candidate, seed=seed)
