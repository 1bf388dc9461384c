from __future__ import annotations

import socket
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from data.cache import DiskCache, RedisCache, decode_raw, encode_raw
from data.providers.base import RawBars
from tests.data._fakes import make_raw


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


def test_disk_cache_expires(tmp_path: Path) -> None:
    now = [1000.0]
    cache = DiskCache(tmp_path, clock=lambda: now[0])
    cache.set("k", b"value", ttl_s=10)
    assert cache.get("k") == b"value"
    assert cache.get("other") is None
    now[0] = 1010.0
    assert cache.get("k") is None
    assert not list(tmp_path.rglob("*.bin"))  # expired entries are removed


@pytest.mark.parametrize("damage", ["empty", "short", "half", "flipped"])
def test_disk_cache_reads_a_damaged_entry_as_a_miss(tmp_path: Path, damage: str) -> None:
    cache = DiskCache(tmp_path, clock=lambda: 1000.0)
    raw = RawBars(frame=make_raw(), source="stooq", basis="adjusted")
    value = encode_raw(raw, fetched_at=datetime(2024, 1, 2, tzinfo=UTC))
    cache.set("k", value, ttl_s=10)
    (path,) = tmp_path.rglob("*.bin")
    blob = path.read_bytes()
    damaged = {
        "empty": b"",
        "short": blob[:5],
        "half": blob[: len(blob) // 2],
        "flipped": blob[:-1] + bytes([blob[-1] ^ 0xFF]),
    }[damage]
    path.write_bytes(damaged)
    assert cache.get("k") is None and not path.exists()
    cache.set("k", value, ttl_s=10)
    assert cache.get("k") == value and decode_raw(value)[0].source == "stooq"
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]


def test_raw_bars_round_trip_through_bytes() -> None:
    raw = RawBars(frame=make_raw(periods=5), source="https://x/y", basis="raw")
    when = datetime(2024, 5, 6, 7, 8, tzinfo=UTC)
    back, fetched_at = decode_raw(encode_raw(raw, fetched_at=when))
    pd.testing.assert_frame_equal(back.frame, raw.frame, check_freq=False)
    assert (back.source, back.basis, fetched_at) == (raw.source, raw.basis, when)


@pytest.mark.redis
@pytest.mark.skipif(not _redis_up(), reason="no Redis server on 127.0.0.1:6379")
def test_redis_cache_against_real_server() -> None:
    prefix = f"signaldesk-test-{uuid.uuid4().hex}:"  # concurrent runs share the server
    cache = RedisCache("redis://127.0.0.1:6379/0", prefix=prefix)
    cache.set("k", b"\x00bytes", ttl_s=30)
    assert cache.get("k") == b"\x00bytes"
    assert cache._redis.ttl(f"{prefix}k") <= 30
    cache._redis.delete(f"{prefix}k")
    assert cache.get("k") is None


def test_redis_cache_down_degrades_to_a_miss(caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    cache = RedisCache(f"redis://127.0.0.1:{port}/0", timeout_s=0.2)
    cache.set("k", b"v", ttl_s=5)
    assert cache.get("k") is None
    assert "redis cache unavailable" in caplog.text
