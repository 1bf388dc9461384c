"""Per-key rate limits: a token bucket per key, refilled at ``rate`` tokens per second up to
``burst``. ``MemoryBuckets`` serves one process; ``RedisBuckets`` keeps the buckets in Redis
(one atomic script per request, Redis's clock), so several replicas share each key's limit.

``take(key, rate=, burst=)`` returns 0.0 when the request may go on, else the seconds until
one token is back (the ``Retry-After`` of a 429).
"""

from __future__ import annotations

import math
import threading
import time
from typing import Any, Protocol

__all__ = ["Buckets", "MemoryBuckets", "RedisBuckets"]


class Buckets(Protocol):
    def take(self, key: str, *, rate: float, burst: int) -> float: ...


class MemoryBuckets:
    """Token buckets in this process (a lock around a dict)."""

    def __init__(self, clock: Any = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)

    def take(self, key: str, *, rate: float, burst: int) -> float:
        now = self._clock()
        with self._lock:
            tokens, at = self._buckets.get(key, (float(burst), now))
            tokens = min(float(burst), tokens + (now - at) * rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / rate


# KEYS[1]: the bucket; ARGV: rate per second, burst. Returns the wait in microseconds (0: ok).
_SCRIPT = """
local now = redis.call('TIME')
local t = tonumber(now[1]) + tonumber(now[2]) / 1e6
local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local found = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens, at = tonumber(found[1]), tonumber(found[2])
if tokens == nil then tokens, at = burst, t end
tokens = math.min(burst, tokens + (t - at) * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = math.ceil((1 - tokens) / rate * 1e6) end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(t))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return wait
"""


class RedisBuckets:
    """Token buckets in Redis under ``{prefix}{key}``, shared by every process using it."""

    def __init__(self, client: Any, *, prefix: str = "signaldesk:rate:") -> None:
        self._client = client
        self._prefix = prefix
        self._script = client.register_script(_SCRIPT)

    def take(self, key: str, *, rate: float, burst: int) -> float:
        wait_us = int(self._script(keys=[self._prefix + key], args=[rate, burst]))
        return 0.0 if wait_us <= 0 else math.ceil(wait_us / 1e3) / 1e3
