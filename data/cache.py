"""Byte caches for provider responses: on disk by default, Redis when configured.

A cache is an optimisation, never a source of truth: when Redis is unreachable the cache
logs a warning and behaves as a miss, and the fetch goes on.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import struct
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Protocol

import pandas as pd

from data.providers.base import RawBars

log = logging.getLogger(__name__)


class BytesCache(Protocol):
    def get(self, key: str) -> bytes | None: ...

    def set(self, key: str, value: bytes, *, ttl_s: float) -> None: ...


class DiskCache:
    """One file per key under ``directory``; the first 8 bytes hold the expiry (epoch seconds)."""

    def __init__(self, directory: Path, *, clock: Callable[[], float] = time.time) -> None:
        self.directory = Path(directory)
        self.clock = clock

    def _path(self, key: str) -> Path:
        digest = hashlib.sha256(key.encode()).hexdigest()
        return self.directory / digest[:2] / f"{digest}.bin"

    def get(self, key: str) -> bytes | None:
        path = self._path(key)
        try:
            blob = path.read_bytes()
        except FileNotFoundError:
            return None
        (expires,) = struct.unpack("<d", blob[:8])
        if self.clock() >= expires:
            path.unlink(missing_ok=True)
            return None
        return blob[8:]

    def set(self, key: str, value: bytes, *, ttl_s: float) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(struct.pack("<d", self.clock() + ttl_s) + value)
        os.replace(tmp, path)


class RedisCache:
    """Keys under ``prefix`` in Redis with a TTL; connection failures degrade to misses."""

    def __init__(self, url: str, *, prefix: str = "signaldesk:", timeout_s: float = 1.0) -> None:
        import redis

        self._redis = redis.Redis.from_url(
            url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s
        )
        self._errors: tuple[type[BaseException], ...] = (redis.RedisError, OSError)
        self.prefix = prefix

    def get(self, key: str) -> bytes | None:
        try:
            value = self._redis.get(self.prefix + key)
        except self._errors as err:
            log.warning("redis cache unavailable, treating as a miss", extra={"error": str(err)})
            return None
        return value if isinstance(value, bytes) else None

    def set(self, key: str, value: bytes, *, ttl_s: float) -> None:
        try:
            self._redis.set(self.prefix + key, value, ex=max(1, int(ttl_s)))
        except self._errors as err:
            log.warning("redis cache unavailable, not cached", extra={"error": str(err)})


def encode_raw(raw: RawBars, *, fetched_at: datetime) -> bytes:
    """A JSON header (source, basis, fetched_at) followed by the frame as Parquet."""
    header = json.dumps(
        {"source": raw.source, "basis": raw.basis, "fetched_at": fetched_at.isoformat()}
    ).encode()
    body = io.BytesIO()
    raw.frame.to_parquet(body)
    return struct.pack("<I", len(header)) + header + body.getvalue()


def decode_raw(blob: bytes) -> tuple[RawBars, datetime]:
    (size,) = struct.unpack("<I", blob[:4])
    header = json.loads(blob[4 : 4 + size])
    frame = pd.read_parquet(io.BytesIO(blob[4 + size :]))
    raw = RawBars(frame=frame, source=header["source"], basis=header["basis"])
    return raw, datetime.fromisoformat(header["fetched_at"])
