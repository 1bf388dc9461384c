"""Retries with exponential backoff and a per-provider circuit breaker.

Both take their clock and sleep function as arguments so that tests run instantly and
deterministically.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
)

from data.errors import ProviderError

log = logging.getLogger(__name__)
T = TypeVar("T")


def _is_transient(err: BaseException) -> bool:
    return isinstance(err, ProviderError) and err.transient


def _log_retry(state: RetryCallState) -> None:
    err = state.outcome.exception() if state.outcome else None
    delay = state.next_action.sleep if state.next_action else 0.0
    log.warning(
        "retrying after transient failure",
        extra={"attempt": state.attempt_number, "delay_s": delay, "error": str(err)},
    )


def call_with_retry(
    fn: Callable[[], T],
    *,
    attempts: int = 4,
    base_delay: float = 1.0,
    max_delay: float = 4.0,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Call ``fn``; on a transient ``ProviderError`` wait 1 s, 2 s, 4 s ... and try again.

    Non-transient errors and the last transient one propagate unchanged.
    """
    retrying = Retrying(
        stop=stop_after_attempt(attempts),
        wait=wait_exponential(multiplier=base_delay, min=base_delay, max=max_delay),
        retry=retry_if_exception(_is_transient),
        sleep=sleep,
        before_sleep=_log_retry,
        reraise=True,
    )
    return retrying(fn)


@dataclass
class CircuitBreaker:
    """Skips a provider for ``cooldown_s`` after ``failure_threshold`` consecutive failures.

    After the cool-down one trial call is let through (half-open): success closes the circuit,
    failure opens it again for another cool-down.
    """

    failure_threshold: int = 3
    cooldown_s: float = 300.0
    clock: Callable[[], float] = time.monotonic
    failures: int = 0
    opened_at: float | None = None

    @property
    def state(self) -> str:
        if self.opened_at is None:
            return "closed"
        return "half-open" if self.clock() - self.opened_at >= self.cooldown_s else "open"

    def allow(self) -> bool:
        return self.state != "open"

    def seconds_left(self) -> float:
        if self.opened_at is None:
            return 0.0
        return max(0.0, self.cooldown_s - (self.clock() - self.opened_at))

    def record_success(self) -> None:
        self.failures = 0
        self.opened_at = None

    def record_failure(self) -> None:
        self.failures += 1
        if self.state == "half-open" or self.failures >= self.failure_threshold:
            self.opened_at = self.clock()
