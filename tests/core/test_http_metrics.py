"""The HTTP metrics of a web process (``core.http_metrics``): counts and latency by route
template (a mount's path, ``unmatched`` otherwise), never ``/metrics`` itself; ``/metrics``
ahead of a catch-all route, with the process's own metrics after the app's; a server span per
request when tracing is on."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from prometheus_client.parser import text_string_to_metric_families
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from core import tracing
from core.http_metrics import MetricsMiddleware, install_http_metrics


def _app(*, catch_all: bool = False) -> FastAPI:
    app = FastAPI()

    @app.get("/items/{item_id}")
    def item(item_id: int) -> dict[str, int]:
        return {"id": item_id}

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("boom")

    async def hello(request: Any) -> PlainTextResponse:
        return PlainTextResponse("hello")

    app.mount("/sub", Starlette(routes=[Route("/hello", hello)]))
    app.mount("/raw", PlainTextResponse("an ASGI app without routes"))  # as socket.io's
    if catch_all:  # as the chat's page route: any path

        @app.get("/{anything:path}")
        def page(anything: str) -> PlainTextResponse:
            return PlainTextResponse("page")

    install_http_metrics(app)
    return app


def _counts(client: TestClient) -> dict[tuple[str, str, str], float]:
    got = client.get("/metrics")
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/plain")
    return {
        (s.labels["method"], s.labels["route"], s.labels["status"]): s.value
        for family in text_string_to_metric_families(got.text)
        for s in family.samples
        if s.name == "signaldesk_http_requests_total"
    }


def test_requests_are_counted_by_route_template() -> None:
    client = TestClient(_app(), raise_server_exceptions=False)
    for path in ("/items/1", "/items/2", "/boom", "/sub/hello", "/raw/x", "/no/such/page"):
        client.get(path)
    client.post("/items/1")
    assert _counts(client) == {
        ("GET", "/items/{item_id}", "200"): 2,
        ("GET", "/boom", "500"): 1,
        ("GET", "/sub/hello", "200"): 1,  # a mounted app's route, behind the mount's path
        ("GET", "/raw", "200"): 1,  # the mount's path
        ("GET", "unmatched", "404"): 1,
        ("POST", "/items/{item_id}", "405"): 1,
    }  # /metrics itself is never counted


def test_metrics_come_first_and_carry_the_process_metrics() -> None:
    app = _app(catch_all=True)
    assert app.router.routes[0].path == "/metrics"  # type: ignore[attr-defined]
    client = TestClient(app)
    assert client.get("/no/such/page").text == "page"
    text = client.get("/metrics").text
    assert 'signaldesk_http_requests_total{method="GET",route="/{anything:path}"' in text
    assert "# TYPE signaldesk_http_request_duration_seconds histogram" in text
    assert "# TYPE signaldesk_job_runs_total counter" in text  # core.metrics.REGISTRY
    assert text.index("signaldesk_http_request_duration") < text.index("signaldesk_job_runs")


def test_installing_twice_keeps_one_middleware_and_one_registry() -> None:
    app = _app()
    first = app.state.signaldesk_http_metrics
    assert install_http_metrics(app) is first
    assert [m.cls for m in app.user_middleware].count(MetricsMiddleware) == 1
    assert [getattr(r, "path", None) for r in app.router.routes].count("/metrics") == 1


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    assert tracing.configure("signaldesk-test", exporter=exporter)
    try:
        yield exporter
    finally:
        tracing.shutdown()


def test_each_request_is_a_server_span(spans: InMemorySpanExporter) -> None:
    client = TestClient(_app(), raise_server_exceptions=False)
    client.get("/items/7")
    client.get("/boom")
    assert tracing.flush()
    by_name = {s.name: s for s in spans.get_finished_spans()}
    ok, failed = by_name["GET /items/{item_id}"], by_name["GET /boom"]
    assert ok.kind == SpanKind.SERVER
    assert dict(ok.attributes or {}) == {
        "http.request.method": "GET",
        "url.path": "/items/7",
        "http.route": "/items/{item_id}",
        "http.response.status_code": 200,
    }
    assert ok.status.status_code == StatusCode.UNSET
    assert failed.status.status_code == StatusCode.ERROR
    assert (failed.attributes or {})["http.response.status_code"] == 500
    assert [e.name for e in failed.events] == ["exception"]  # the error, recorded
