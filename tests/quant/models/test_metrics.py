"""The go/no-go rule on constructed prediction sets with known accuracy and baseline."""

from __future__ import annotations

import numpy as np
import pytest

from quant.models import GoNoGoRule, decide, majority_class, score


def predictions(*, n: int, up_rate: float, accuracy: float) -> tuple[np.ndarray, np.ndarray]:
    """Labels with ``up_rate`` ups and probabilities that are right on exactly ``accuracy``."""
    y = (np.arange(n) < round(n * up_rate)).astype(np.float64)
    right = np.arange(n) % n < round(n * accuracy)
    order = np.random.default_rng(0).permutation(n)  # spread the misses over both classes
    right = right[order]
    predicted_up = np.where(right, y == 1, y == 0)
    return np.where(predicted_up, 0.8, 0.2), y


@pytest.mark.parametrize(
    ("accuracy", "up_rate", "verdict", "leak"),
    [
        (0.549, 0.50, "NO-GO", False),  # below 55%
        (0.550, 0.50, "GO", False),  # the boundary passes
        (0.560, 0.58, "NO-GO", False),  # above 55% but not above the majority baseline
        (0.580, 0.58, "NO-GO", False),  # equal to the baseline is not better
        (0.600, 0.52, "GO", False),
        (0.710, 0.52, "GO", True),  # probable leak: flagged, verdict unchanged
    ],
)
def test_go_no_go_rules(accuracy: float, up_rate: float, verdict: str, leak: bool) -> None:
    prob, y = predictions(n=1000, up_rate=up_rate, accuracy=accuracy)
    scores = score(prob, y, baseline=majority_class(y))
    assert scores.accuracy == pytest.approx(accuracy)
    assert scores.baseline_accuracy == pytest.approx(up_rate)
    decision = decide(scores)
    assert decision.verdict == verdict
    assert decision.leak_suspected is leak
    assert any("leak" in r for r in decision.reasons) is leak


def test_scores_by_hand() -> None:
    prob = np.array([0.9, 0.6, 0.4, 0.2])
    y = np.array([1.0, 0.0, 0.0, 1.0])
    s = score(prob, y, baseline=1.0)
    assert s.n == 4 and s.accuracy == 0.5 and s.baseline_accuracy == 0.5
    assert s.auc == pytest.approx(0.5)  # pairs: (0.9>0.6) (0.9>0.4) (0.2<0.6) (0.2<0.4)
    assert s.brier == pytest.approx((0.01 + 0.36 + 0.16 + 0.64) / 4)
    assert s.log_loss == pytest.approx(-np.mean(np.log([0.9, 0.4, 0.6, 0.2])))
    assert np.isnan(score(prob, np.ones(4), baseline=1.0).auc)  # one class: undefined


def test_majority_ties_go_up_and_empty_sets_are_no_go() -> None:
    assert majority_class(np.array([0.0, 1.0])) == 1.0
    assert majority_class(np.array([0.0, 0.0, 1.0])) == 0.0
    assert decide(score(np.zeros(0), np.zeros(0), baseline=1.0)).verdict == "NO-GO"


def test_thresholds_are_configuration() -> None:
    prob, y = predictions(n=1000, up_rate=0.5, accuracy=0.53)
    rule = GoNoGoRule(min_accuracy=0.52, leak_accuracy=0.9)
    assert decide(score(prob, y, baseline=1.0), rule=rule).verdict == "GO"
