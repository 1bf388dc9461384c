"""Login rate limits: per user name and per client address, with exponential backoff.

Each failed login counts against the name tried and the address it came from. The first
``free`` failures of a key cost nothing; each one after that locks the key for ``base_s``,
doubling per failure up to ``max_s``. A key's failures are forgotten ``forget_s`` after its last
one, and a successful login clears its user name (not its address, so one good account cannot
reset a password sprayer's count). Memory is bounded: at most ``max_keys`` keys per kind, the
oldest dropped first. In-process only; the clock is injectable (tests never sleep).
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["LoginLimiter", "Policy"]


@dataclass(frozen=True)
class Policy:
    """How many failures a key gets for free and how long each further one locks it."""

    free: int
    base_s: float = 1.0
    max_s: float = 900.0
    forget_s: float = 3600.0

    def lock_s(self, failures: int) -> float:
        over = failures - self.free
        return 0.0 if over <= 0 else min(self.max_s, self.base_s * 2.0 ** min(over - 1, 40))


@dataclass
class _Record:
    failures: int = 0
    last: float = 0.0
    until: float = 0.0


class _Table:
    def __init__(self, policy: Policy, max_keys: int) -> None:
        self.policy, self.max_keys = policy, max_keys
        self.records: OrderedDict[str, _Record] = OrderedDict()

    def wait(self, key: str, now: float) -> float:
        record = self.records.get(key)
        if record is None:
            return 0.0
        if now - record.last > self.policy.forget_s:
            del self.records[key]
            return 0.0
        return max(0.0, record.until - now)

    def fail(self, key: str, now: float) -> None:
        record = self.records.pop(key, None) or _Record()
        if now - record.last > self.policy.forget_s:
            record = _Record()
        record.failures += 1
        record.last = now
        record.until = now + self.policy.lock_s(record.failures)
        self.records[key] = record  # most recent last
        while len(self.records) > self.max_keys:
            self.records.popitem(last=False)

    def clear(self, key: str) -> None:
        self.records.pop(key, None)


class LoginLimiter:
    """``wait(name, address)`` -> seconds before another try is allowed (0: go ahead);
    ``failed`` and ``succeeded`` record the outcome. Thread-safe."""

    def __init__(
        self,
        *,
        per_user: Policy | None = None,
        per_address: Policy | None = None,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.users = _Table(per_user or Policy(free=5), max_keys)
        self.addresses = _Table(per_address or Policy(free=20), max_keys)
        self.clock = clock
        self._lock = threading.Lock()

    def wait(self, name: str, address: str) -> float:
        with self._lock:
            now = self.clock()
            return max(self.users.wait(name.lower(), now), self.addresses.wait(address, now))

    def wait_whole_s(self, name: str, address: str) -> int:
        """``wait`` rounded up to whole seconds (for ``Retry-After``)."""
        return math.ceil(self.wait(name, address))

    def failed(self, name: str, address: str) -> None:
        with self._lock:
            now = self.clock()
            self.users.fail(name.lower(), now)
            self.addresses.fail(address, now)

    def succeeded(self, name: str) -> None:
        with self._lock:
            self.users.clear(name.lower())

    def __len__(self) -> int:
        return len(self.users.records) + len(self.addresses.records)
