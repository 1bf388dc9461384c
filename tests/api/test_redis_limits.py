"""Rate limits shared through Redis: two apps (two replicas) draw from one bucket per key."""

from __future__ import annotations

import uuid

import pytest

from api.limits import RedisBuckets

pytestmark = pytest.mark.redis


@pytest.fixture
def client():  # noqa: ANN201
    redis = pytest.importorskip("redis")
    found = redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_connect_timeout=1)
    try:
        found.ping()
    except redis.RedisError:
        pytest.skip("no Redis server on 127.0.0.1:6379")
    yield found
    found.close()


def test_two_replicas_share_one_bucket(client) -> None:  # noqa: ANN001
    prefix = f"signaldesk-test:{uuid.uuid4().hex}:"
    one, two = RedisBuckets(client, prefix=prefix), RedisBuckets(client, prefix=prefix)
    waits = [b.take("key", rate=0.5, burst=3) for b in (one, two, one, two)]
    assert waits[:3] == [0.0, 0.0, 0.0]
    assert 1.0 <= waits[3] <= 2.0  # one token every 2 s
    assert one.take("other", rate=0.5, burst=3) == 0.0  # another key, another bucket
    client.delete(*client.keys(prefix + "*"))
