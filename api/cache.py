"""Computed responses, reused: keyed by (endpoint, ticker, as-of, parameters, signal
configuration, model version, data version), kept ``ttl`` seconds, in Redis when configured
(shared by replicas) or in this process (an LRU).

A new model in the registry or new price files change the key, so they are seen at once. Data
that only a query could date (the database, online providers) is reused up to the TTL.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any, Protocol

__all__ = ["MemoryCache", "RedisCache", "ResponseCache", "cache_key", "folder_version"]


class ResponseCache(Protocol):
    def get(self, key: str) -> bytes | None: ...

    def put(self, key: str, value: bytes, *, ttl_s: float) -> None: ...


def cache_key(*parts: Any) -> str:
    text = json.dumps(parts, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def folder_version(folder: Path | None) -> str:
    """The newest modification time under ``folder`` (0 when it is missing): a new or
    rewritten file changes it."""
    if folder is None or not folder.is_dir():
        return "0"
    newest = folder.stat().st_mtime_ns
    for root, _, files in os.walk(folder):
        for name in files:
            try:
                newest = max(newest, os.stat(os.path.join(root, name)).st_mtime_ns)
            except OSError:
                continue  # removed while walking
    return str(newest)


class MemoryCache:
    """An LRU of at most ``max_items`` responses in this process, each with its deadline."""

    def __init__(self, *, max_items: int = 4096, clock: Any = time.monotonic) -> None:
        self._items: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._lock = threading.Lock()
        self._max = max_items
        self._clock = clock

    def get(self, key: str) -> bytes | None:
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            deadline, value = found
            if deadline < self._clock():
                del self._items[key]
                return None
            self._items.move_to_end(key)
            return value

    def put(self, key: str, value: bytes, *, ttl_s: float) -> None:
        if ttl_s <= 0:
            return
        with self._lock:
            self._items[key] = (self._clock() + ttl_s, value)
            self._items.move_to_end(key)
            while len(self._items) > self._max:
                self._items.popitem(last=False)


class RedisCache:
    """Responses in Redis under ``{prefix}{key}`` with Redis's own expiry."""

    def __init__(self, client: Any, *, prefix: str = "signaldesk:api:") -> None:
        self._client, self._prefix = client, prefix

    def get(self, key: str) -> bytes | None:
        found = self._client.get(self._prefix + key)
        return None if found is None else bytes(found)

    def put(self, key: str, value: bytes, *, ttl_s: float) -> None:
        if ttl_s > 0:
            self._client.set(self._prefix + key, value, px=max(1, int(ttl_s * 1000)))
