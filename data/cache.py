"""Byte caches for provider responses: on disk by default, Redis when configured.

A cache is an optimisation, never a source of truth: when Redis is unreachable the cache
logs a warning and behaves as a miss, and the fetch goes on. Disk entries are written
atomically (temp file, fsync, rename) and carry a CRC-32 of their value: an entry that is
truncated or damaged anyway is removed and read as a miss.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import struct
import time
import zlib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Protocol

import pandas as pd

from core.files import write_bytes_atomic
from data.providers.base import RawBars

log = logging.getLogger(__name__)
_HEADER = struct.Struct("<dI")  # expiry (epoch seconds), CRC-32 of the value


class BytesCache(Protocol):
    def get(self, key: str) -> bytes | None: ...

    def set(self, key: str, value: bytes, *, ttl_s: float) -> None: ...


class DiskCache:
    """One file per key under ``directory``: a header (expiry in epoch seconds, CRC-32 of the
    value), then the value."""

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
        if len(blob) < _HEADER.size:
            path.unlink(missing_ok=True)
            return None
        expires, crc = _HEADER.unpack_from(blob)
        value = blob[_HEADER.size :]
        if self.clock() >= expires or zlib.crc32(value) != crc:
            path.unlink(missing_ok=True)
            return None
        return value

    def set(self, key: str, value: bytes, *, ttl_s: float) -> None:
        header = _HEADER.pack(self.clock() + ttl_s, zlib.crc32(value))
        write_bytes_atomic(self._path(key), header + value, mode=0o600)


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
