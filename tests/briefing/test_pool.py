from __future__ import annotations

import threading
import time

import pytest

from briefing._pool import Outcome, run_each


def test_every_item_runs_and_a_failure_is_an_outcome_not_an_exception() -> None:
    def work(n: int) -> int:
        if n == 3:
            raise ValueError("three is bad")
        return n * n

    seen: list[int] = []
    out = run_each(range(6), work, workers=2, timeout_s=10, on_done=lambda k, o: seen.append(k))
    assert {k: o.value for k, o in out.items() if o.kind == "ok"} == {
        0: 0,
        1: 1,
        2: 4,
        4: 16,
        5: 25,
    }
    assert out[3].kind == "error" and str(out[3].error) == "three is bad"
    assert sorted(seen) == list(range(6))


def test_no_more_than_workers_run_at_once() -> None:
    lock, running, peak = threading.Lock(), [0], [0]

    def work(_: int) -> None:
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.02)
        with lock:
            running[0] -= 1

    run_each(range(12), work, workers=3, timeout_s=10)
    assert peak[0] == 3


def test_a_hung_item_times_out_and_its_slot_goes_to_the_next() -> None:
    release, slow_done = threading.Event(), threading.Event()

    def work(item: str) -> str:
        if item == "slow":
            release.wait(10)
            slow_done.set()
        return item

    try:
        out = run_each(["slow", "a", "b", "c"], work, workers=1, timeout_s=0.3)
        still_hung = not slow_done.is_set()  # returned without waiting for the slow item
    finally:
        release.set()
    assert still_hung
    assert out["slow"].kind == "timeout" and out["slow"].seconds >= 0.3
    assert [out[k].value for k in "abc"] == ["a", "b", "c"]


def test_workers_must_be_positive() -> None:
    with pytest.raises(ValueError, match="workers"):
        run_each([1], lambda n: n, workers=0, timeout_s=1)
    assert Outcome("ok", value=1).error is None
