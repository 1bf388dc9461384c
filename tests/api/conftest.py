"""The API in this process: an app on the test's own home (tests/conftest.py), keys made in its
database, and Starlette's test client (httpx on the ASGI app, no socket)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from api.keys import KeyStore
from api.limits import MemoryBuckets
from api.services import Services, build_services
from core.settings import load_settings


@dataclass
class Api:
    app: FastAPI
    services: Services
    client: TestClient

    def key(self, *scopes: str, rate: float | None = None) -> str:
        return (
            KeyStore(self.services.engine).create("test", scopes=scopes, rate_per_minute=rate).key
        )

    def token(self, *scopes: str, rate: float | None = None) -> str:
        got = self.client.post("/v1/token", data={"client_secret": self.key(*scopes, rate=rate)})
        assert got.status_code == 200, got.text
        token: str = got.json()["access_token"]
        return token

    def headers(self, *scopes: str, rate: float | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(*scopes, rate=rate)}"}


@contextmanager
def api_on(**overrides: object) -> Iterator[Api]:
    """The API on the test's settings with ``overrides``, closed when the block ends (also
    when it fails)."""
    yield from make_api(**overrides)


def make_api(**overrides: object) -> Iterator[Api]:
    settings = load_settings(**overrides)
    services = build_services(settings, buckets=MemoryBuckets())
    app = create_app(services=services)
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            yield Api(app=app, services=services, client=client)
    finally:
        services.close()


@pytest.fixture
def api() -> Iterator[Api]:
    yield from make_api()
