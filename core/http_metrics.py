"""HTTP metrics and ``GET /metrics`` for every SignalDesk web process (the API, the chat, the
worker), with a server span per request.

``install_http_metrics(app)`` adds to a FastAPI app:

- a middleware counting ``signaldesk_http_requests_total`` (method, route template, status) and
  timing ``signaldesk_http_request_duration_seconds`` (method, route template); the route is
  the template (``/v1/signal/{ticker}``; behind a mount's path for a mounted app's route), a
  mount's path for an app mounted without routes (``/ws/socket.io``) or ``unmatched``, never
  the raw path, so labels stay few; ``/metrics`` itself is not counted.
  Each request also runs in a server span (``core.tracing``; nothing when tracing is off)
  named ``METHOD route`` with ``http.request.method``, ``http.route``, ``url.path`` and
  ``http.response.status_code``;
- ``GET /metrics`` (no login, first among the routes, so ahead of any catch-all), rendering the
  app's registry (these metrics and the collectors given) and then the process's
  ``core.metrics.REGISTRY``.

Each app has its own registry (tests build many apps). With several uvicorn workers each worker
answers for itself, unless ``PROMETHEUS_MULTIPROC_DIR`` is set: then ``/metrics`` aggregates
the workers' files (prometheus_client's multiprocess mode).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from time import perf_counter
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Histogram

from core import tracing
from core.metrics import CONTENT_TYPE, render

if TYPE_CHECKING:
    from fastapi import FastAPI
    from prometheus_client.registry import Collector
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["METRICS_PATH", "HttpMetrics", "MetricsMiddleware", "install_http_metrics"]

METRICS_PATH = "/metrics"
UNMATCHED = "unmatched"
_ROUTE_NAME = "signaldesk_metrics"
_STATE = "signaldesk_http_metrics"
_LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


def new_registry() -> CollectorRegistry:
    """A registry for one app: with ``PROMETHEUS_MULTIPROC_DIR``, one that reads every
    worker's files."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    return registry


@dataclass(frozen=True)
class HttpMetrics:
    """An app's registry and the HTTP metrics in it."""

    registry: CollectorRegistry
    requests: Counter
    seconds: Histogram

    @classmethod
    def create(cls, registry: CollectorRegistry) -> HttpMetrics:
        requests = Counter(
            "signaldesk_http_requests",
            "HTTP requests answered, by method, route template and status",
            ["method", "route", "status"],
            registry=registry,
        )
        seconds = Histogram(
            "signaldesk_http_request_duration_seconds",
            "Seconds to answer an HTTP request, by method and route template",
            ["method", "route"],
            buckets=_LATENCY_BUCKETS,
            registry=registry,
        )
        return cls(registry, requests, seconds)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        if route != METRICS_PATH:
            self.requests.labels(method, route, str(status)).inc()
            self.seconds.labels(method, route).observe(seconds)


def route_of(scope: Scope, root_path: str) -> str:
    """The route template a request matched, behind the path of the mount it went through
    (``/sub/{id}``); a mount's path alone for an app mounted without routes of its own
    (``/ws/socket.io``); else ``unmatched``. ``root_path``: the scope's before routing."""
    mounted = str(scope.get("root_path", ""))
    prefix = mounted[len(root_path) :] if mounted.startswith(root_path) else ""
    path = getattr(scope.get("route"), "path", None)
    if path:
        return f"{prefix}{path}"
    return prefix or UNMATCHED


class MetricsMiddleware:
    """The HTTP metrics and the server span of every HTTP request (other scopes pass)."""

    def __init__(self, app: ASGIApp, *, metrics: HttpMetrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method, root_path = str(scope["method"]), str(scope.get("root_path", ""))
        status = 500  # what the client gets when the app raises before answering

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        began = perf_counter()
        # named by method until routing says which route answered (then renamed)
        attributes = {"http.request.method": method, "url.path": str(scope["path"])}
        with tracing.span(method, attributes, kind=tracing.SpanKind.SERVER) as current:
            try:
                await self.app(scope, receive, sending)
            finally:
                route = route_of(scope, root_path)
                self.metrics.observe(method, route, status, perf_counter() - began)
                current.update_name(f"{method} {route}")
                current.set_attribute("http.route", route)
                current.set_attribute("http.response.status_code", status)
                if status >= 500:
                    tracing.set_error(current, f"HTTP {status}")


def install_http_metrics(app: FastAPI, *, collectors: Iterable[Collector] = ()) -> HttpMetrics:
    """The middleware and ``GET /metrics`` on ``app``, ``collectors`` registered beside the
    HTTP metrics. Idempotent: on an app that has them, the first installation is returned
    (``collectors`` are then not registered again)."""
    from fastapi.routing import APIRoute
    from starlette.responses import Response

    found: HttpMetrics | None = getattr(app.state, _STATE, None)
    if found is not None:
        return found
    metrics = HttpMetrics.create(new_registry())
    for collector in collectors:
        metrics.registry.register(collector)

    def scrape() -> Response:  # a plain function: collectors may read a database
        return Response(render(metrics.registry), media_type=CONTENT_TYPE)

    route = APIRoute(
        METRICS_PATH, scrape, methods=["GET"], name=_ROUTE_NAME, include_in_schema=False
    )
    kept = [r for r in app.router.routes if getattr(r, "name", None) != _ROUTE_NAME]
    app.router.routes[:] = [route, *kept]
    app.middleware_stack = None  # rebuilt with the middleware on the next request
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    setattr(app.state, _STATE, metrics)
    return metrics
