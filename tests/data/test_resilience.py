from __future__ import annotations

import pytest

from data.errors import ProviderError
from data.resilience import CircuitBreaker, call_with_retry


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_retry_waits_1_2_4_seconds_then_gives_up() -> None:
    sleeps: list[float] = []
    calls = 0

    def flaky() -> int:
        nonlocal calls
        calls += 1
        raise ProviderError("p", "HTTP 503", transient=True)

    with pytest.raises(ProviderError, match="HTTP 503"):
        call_with_retry(flaky, attempts=4, sleep=sleeps.append)
    assert calls == 4
    assert sleeps == [1.0, 2.0, 4.0]


def test_retry_returns_once_the_call_succeeds() -> None:
    sleeps: list[float] = []
    outcomes = iter([ProviderError("p", "timeout"), ProviderError("p", "timeout"), 42])

    def sometimes() -> int:
        value = next(outcomes)
        if isinstance(value, Exception):
            raise value
        return value

    assert call_with_retry(sometimes, sleep=sleeps.append) == 42
    assert sleeps == [1.0, 2.0]


def test_retry_does_not_repeat_permanent_errors() -> None:
    sleeps: list[float] = []
    calls = 0

    def broken() -> None:
        nonlocal calls
        calls += 1
        raise ProviderError("p", "malformed payload", transient=False)

    with pytest.raises(ProviderError):
        call_with_retry(broken, sleep=sleeps.append)
    assert (calls, sleeps) == (1, [])


def test_breaker_opens_after_threshold_and_half_opens_after_cooldown() -> None:
    clock = Clock()
    breaker = CircuitBreaker(failure_threshold=3, cooldown_s=60, clock=clock)
    for _ in range(2):
        breaker.record_failure()
    assert breaker.state == "closed" and breaker.allow()
    breaker.record_failure()
    assert breaker.state == "open" and not breaker.allow()
    clock.now = 59.0
    assert breaker.seconds_left() == pytest.approx(1.0)
    assert not breaker.allow()
    clock.now = 60.0
    assert breaker.state == "half-open" and breaker.allow()
    breaker.record_failure()  # the trial call failed: open again for a full cool-down
    assert breaker.state == "open"
    clock.now = 120.0
    breaker.record_success()
    assert breaker.state == "closed" and breaker.failures == 0
