"""HTTP helpers for online sources: a token-bucket rate limiter and an on-disk response cache.

Both take their clocks (and the limiter its sleep) as arguments, so tests run instantly and
measure what they promise on a fake clock.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from core.files import atomic_path


class RateLimiter:
    """At most ``rate_per_s`` acquisitions per second, ``burst`` of them back to back.

    With the default ``burst=1`` acquisitions are spaced at least ``1 / rate_per_s`` apart, so no
    window of one second (half-open) holds more than ``rate_per_s`` of them.
    """

    def __init__(
        self,
        rate_per_s: float,
        *,
        burst: int = 1,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate_per_s <= 0 or burst < 1:
            raise ValueError(f"need rate_per_s > 0 and burst >= 1, got {rate_per_s}, {burst}")
        self.rate_per_s = rate_per_s
        self.burst = burst
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(burst)
        self._updated = clock()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Wait for a token; return the clock time at which it was granted."""
        with self._lock:
            while True:
                now = self._clock()
                elapsed = max(0.0, now - self._updated)
                self._tokens = min(float(self.burst), self._tokens + elapsed * self.rate_per_s)
                self._updated = now
                if self._tokens >= 1.0 - 1e-9:
                    self._tokens = max(0.0, self._tokens - 1.0)
                    return now
                self._sleep((1.0 - self._tokens) / self.rate_per_s)


class DiskCache:
    """Response bodies on disk, one file per URL (named by its sha256), written atomically.

    ``get(url, max_age_s=None)`` returns a body of any age; with ``max_age_s`` an older body
    (by file modification time against ``now()``) is a miss.
    """

    def __init__(self, directory: Path | str, *, now: Callable[[], float] = time.time) -> None:
        self.directory = Path(directory)
        self._now = now

    def _path(self, url: str) -> Path:
        digest = hashlib.sha256(url.encode("utf-8")).hexdigest()
        return self.directory / digest[:2] / digest

    def get(self, url: str, *, max_age_s: float | None = None) -> bytes | None:
        path = self._path(url)
        try:
            if max_age_s is not None and self._now() - path.stat().st_mtime > max_age_s:
                return None
            return path.read_bytes()
        except FileNotFoundError:
            return None

    def put(self, url: str, body: bytes) -> None:
        with atomic_path(self._path(url), mode=0o600) as tmp:  # whole or absent after a crash
            tmp.write_bytes(body)
            stamp = self._now()
            os.utime(tmp, (stamp, stamp))
