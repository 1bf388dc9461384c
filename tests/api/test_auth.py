"""Who may call the API: keys for tokens, tokens with scopes, revocation, rotation, limits."""

from __future__ import annotations

import base64
import time

import pytest

from api import security
from api.keys import KeyStore
from api.limits import MemoryBuckets
from api.tokens import InvalidTokenError, TokenIssuer
from tests.api.conftest import Api

SECRET_A, SECRET_B = "a" * 40, "b" * 40


def test_health_needs_no_token_and_the_rest_does(api: Api) -> None:
    assert api.client.get("/healthz").json() == {"status": "ok"}
    ready = api.client.get("/readyz").json()
    assert ready["ready"] is True and set(ready["checks"]) == {
        "database",
        "cache",
        "data",
        "models",
    }
    refused = api.client.get("/v1/signal/AAPL")
    assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
    assert refused.json()["error"]["code"] == "unauthorized"


def test_a_key_gets_a_token_with_its_scopes_or_fewer(api: Api) -> None:
    key = api.key("read", "ask")
    got = api.client.post("/v1/token", data={"client_secret": key}).json()
    assert got["token_type"] == "bearer" and got["scope"] == "read ask"
    assert got["expires_in"] == api.services.settings.api_token_ttl_s
    narrowed = api.client.post("/v1/token", data={"client_secret": key, "scope": "read"}).json()
    assert narrowed["scope"] == "read"
    wider = api.client.post("/v1/token", data={"client_secret": key, "scope": "admin"})
    assert wider.status_code == 400 and wider.json()["error"]["code"] == "invalid_scope"
    basic = base64.b64encode(f"{key.split('_')[1]}:{key}".encode()).decode()
    via_basic = api.client.post("/v1/token", headers={"Authorization": f"Basic {basic}"})
    assert via_basic.status_code == 200 and via_basic.json()["scope"] == "read ask"


@pytest.mark.parametrize(
    "secret",
    ["", "sdk_0123456789_" + "x" * 43, "not-a-key", "sdk_zz_short"],
)
def test_a_wrong_key_gets_no_token(api: Api, secret: str) -> None:
    api.key("read")
    got = api.client.post("/v1/token", data={"client_secret": secret})
    assert got.status_code == 401 and got.json()["error"]["code"] == "invalid_client"


def test_a_token_of_another_key_id_or_grant_is_refused(api: Api) -> None:
    key = api.key("read")
    other_id = api.client.post("/v1/token", data={"client_secret": key, "client_id": "ffffffffff"})
    assert other_id.status_code == 401
    grant = api.client.post("/v1/token", data={"client_secret": key, "grant_type": "password"})
    assert grant.status_code == 400 and grant.json()["error"]["code"] == "unsupported_grant_type"


def test_tampered_expired_and_wrong_scope_tokens_are_refused(api: Api) -> None:
    token = api.token("read")
    head, body, sig = token.split(".")
    tampered = f"{head}.{body}.{sig[:-2]}{'A' if sig[-2] != 'A' else 'B'}{sig[-1]}"
    for bad in (tampered, token + "x", "a.b.c", ""):
        got = api.client.get("/v1/technicals/IBM", headers={"Authorization": f"Bearer {bad}"})
        assert got.status_code == 401, bad
    key_id = KeyStore(api.services.engine).listed()[0].id
    old = api.services.tokens.issue(key_id, ["read"], now=time.time() - 7200)
    expired = api.client.get("/v1/technicals/IBM", headers={"Authorization": f"Bearer {old}"})
    assert expired.status_code == 401 and "expired" in expired.json()["error"]["message"]
    ask = api.client.post(
        "/v1/ask",
        json={"question": "What is IBM's RSI?"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert ask.status_code == 403 and "'ask' scope" in ask.json()["error"]["message"]


def test_a_revoked_key_stops_its_tokens(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(security, "KEY_RECHECK_S", 0.0)
    headers = api.headers("read")
    assert api.client.get("/v1/technicals/IBM?as_of=2012-06-29", headers=headers).status_code == 200
    store = KeyStore(api.services.engine)
    assert store.revoke(store.listed()[0].id)
    got = api.client.get("/v1/technicals/IBM?as_of=2012-06-29", headers=headers)
    assert got.status_code == 401 and "revoked" in got.json()["error"]["message"]
    assert not store.revoke("0000000000")


def test_rotation_verifies_with_every_secret_and_signs_with_the_first() -> None:
    before = TokenIssuer([SECRET_A], ttl_s=60).issue("k", ["read"])
    rotated = TokenIssuer([SECRET_B, SECRET_A], ttl_s=60)
    assert rotated.verify(before).key_id == "k"
    after = rotated.issue("k", ["read"])
    assert TokenIssuer([SECRET_B], ttl_s=60).verify(after).scopes == ("read",)
    with pytest.raises(InvalidTokenError):
        TokenIssuer([SECRET_A], ttl_s=60).verify(after)


def test_the_rate_limit_answers_429_with_retry_after(api: Api) -> None:
    api.services.settings.api_burst = 3  # type: ignore[misc]
    headers = api.headers("read", rate=6.0)  # 6 per minute: one token back every 10 s
    url = "/v1/technicals/IBM?as_of=2012-06-29"
    codes = [api.client.get(url, headers=headers).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = api.client.get(url, headers=headers)
    assert limited.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(limited.headers["retry-after"]) <= 10
    other = api.headers("read", rate=6.0)  # each key has its own bucket
    assert api.client.get(url, headers=other).status_code == 200


def test_memory_buckets_refill_at_the_rate() -> None:
    now = [0.0]
    buckets = MemoryBuckets(clock=lambda: now[0])
    assert [buckets.take("k", rate=1.0, burst=2) for _ in range(3)] == [0.0, 0.0, 1.0]
    now[0] = 0.5
    assert buckets.take("k", rate=1.0, burst=2) == pytest.approx(0.5)
    now[0] = 10.0  # refilled, but never beyond the burst
    assert [buckets.take("k", rate=1.0, burst=2) for _ in range(3)] == [0.0, 0.0, 1.0]
