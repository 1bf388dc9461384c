from datetime import date

import pytest

from quant.models.metrics import Scores
from quant.track.policy import (
    RetrainPolicy,
    SlotState,
    challenger_wins,
    retrain_trigger,
    rolling_hit_rate,
)

DAY = date(2012, 6, 1)
POLICY = RetrainPolicy(every_days=30, min_accuracy=0.55, min_calls=50, window=100, cooldown_days=20)


def _state(**kw) -> SlotState:
    return SlotState(**({"champion_as_of": date(2012, 5, 20)} | kw))


def test_a_slot_without_a_model_is_trained_first():
    trigger = retrain_trigger(POLICY, SlotState(champion_as_of=None), as_of=DAY)
    assert trigger is not None and trigger.kind == "initial"


def test_the_schedule_counts_from_the_last_retrain_promoted_or_not():
    old = _state(champion_as_of=date(2012, 1, 2))
    assert retrain_trigger(POLICY, old, as_of=DAY).kind == "schedule"
    kept = _state(champion_as_of=date(2012, 1, 2), last_retrain=date(2012, 5, 25))
    assert retrain_trigger(POLICY, kept, as_of=DAY) is None  # retrained a week ago, not promoted
    assert retrain_trigger(POLICY, kept, as_of=date(2012, 6, 24)).kind == "schedule"


def test_accuracy_below_the_floor_triggers_once_enough_calls_are_resolved():
    bad = (1.0,) * 54 + (0.0,) * 46  # 54% of the last 100
    trigger = retrain_trigger(POLICY, _state(champion_as_of=date(2012, 5, 10), hits=bad), as_of=DAY)
    assert trigger is not None and trigger.kind == "accuracy" and "54.0%" in trigger.reason
    few = (0.0,) * 49  # all wrong, but fewer than min_calls
    assert (
        retrain_trigger(POLICY, _state(champion_as_of=date(2012, 5, 10), hits=few), as_of=DAY)
        is None
    )
    good = (1.0,) * 55 + (0.0,) * 45
    assert (
        retrain_trigger(POLICY, _state(champion_as_of=date(2012, 5, 10), hits=good), as_of=DAY)
        is None
    )


def test_only_the_last_window_of_hits_counts():
    hits = (0.0,) * 500 + (1.0,) * 100
    assert rolling_hit_rate(hits, window=100) == (1.0, 100)
    rate, n = rolling_hit_rate((), window=100)
    assert n == 0 and rate != rate


def test_accuracy_and_drift_wait_for_the_cooldown_after_a_retrain():
    bad = (0.0,) * 100
    recent = _state(champion_as_of=date(2012, 5, 25), hits=bad, drifted=True)
    assert retrain_trigger(POLICY, recent, as_of=DAY) is None  # 7 days < 20
    later = _state(champion_as_of=date(2012, 5, 8), hits=(1.0,) * 100, drifted=True)
    assert retrain_trigger(POLICY, later, as_of=DAY).kind == "drift"
    off = POLICY.model_copy(update={"on_drift": False})
    assert retrain_trigger(off, later, as_of=DAY) is None


def test_a_champion_from_the_future_is_refused():
    with pytest.raises(ValueError, match="after"):
        retrain_trigger(POLICY, _state(champion_as_of=date(2013, 1, 1)), as_of=DAY)


def _scores(n: int, accuracy: float, log_loss: float = 0.69) -> Scores:
    return Scores(
        n=n,
        accuracy=accuracy,
        baseline_accuracy=0.5,
        auc=0.5,
        brier=0.25,
        log_loss=log_loss,
        up_rate=0.5,
    )


def test_the_challenger_must_be_go_and_beat_the_champion_on_the_same_rows():
    champ = _scores(60, 0.50)
    assert challenger_wins(champion=champ, challenger=_scores(60, 0.58), verdict="GO").promote
    no_go = challenger_wins(champion=champ, challenger=_scores(60, 0.58), verdict="NO-GO")
    assert not no_go.promote and "NO-GO" in no_go.reason
    worse = challenger_wins(champion=champ, challenger=_scores(60, 0.48), verdict="GO")
    assert not worse.promote and "does not beat" in worse.reason
    tie = challenger_wins(champion=champ, challenger=_scores(60, 0.50, 0.68), verdict="GO")
    assert tie.promote  # same accuracy, lower log loss
    few = challenger_wins(champion=_scores(10, 0.5), challenger=_scores(10, 0.9), verdict="GO")
    assert not few.promote and "only 10" in few.reason
    with pytest.raises(ValueError, match="different rows"):
        challenger_wins(champion=_scores(10, 0.5), challenger=_scores(11, 0.9), verdict="GO")
