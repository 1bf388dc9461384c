"""The FastAPI application of ``signaldesk serve``: versioned under ``/v1``, OpenAPI at
``/openapi.json``, Swagger UI at ``/docs``; ``/healthz``, ``/readyz`` (``loop.health``) and
``/metrics`` (Prometheus: ``core.http_metrics`` with the loop's gauges, ``loop.metrics``; scrape
it from inside the network, the Ingress does not route it) need no token."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from api.errors import install_handlers
from api.limits import Buckets
from api.routes import ask, auth, briefings, health, market
from api.services import Services, build_services
from core.http_metrics import install_http_metrics
from core.settings import Settings, load_settings
from loop.health import Dependencies
from loop.metrics import LoopCollector

__all__ = ["create_app", "serve_app"]

VERSION = "1"


def create_app(
    settings: Settings | None = None,
    *,
    services: Services | None = None,
    buckets: Buckets | None = None,
) -> FastAPI:
    """The application on ``settings`` (default: the process settings). Its services (database,
    keys, cache, buckets, the tool context) are built here, so a bad setting fails at start."""
    built = services or build_services(settings or load_settings(), buckets=buckets)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        if services is None:  # built here: closed here; services given stay the caller's
            built.close()

    app = FastAPI(
        title="SignalDesk API",
        version=VERSION,
        summary="Cited equity signals, risk and research, point in time.",
        description=(
            "Get a token: `POST /v1/token` with your API key as `client_secret` "
            "(`signaldesk serve keys create NAME --scope read`). Every computation takes "
            "`as_of` and never sees data after it. Research, not investment advice."
        ),
        lifespan=lifespan,
    )
    app.state.services = built
    install_handlers(app)
    app.state.dependencies = _dependencies(built)
    install_http_metrics(app, collectors=[LoopCollector(built.engine)])
    app.openapi = lambda: _document(app)  # type: ignore[method-assign]
    for router in (health.router, auth.router, market.router, ask.router, briefings.router):
        app.include_router(router)
    return app


def _dependencies(services: Services) -> Dependencies:
    """What ``/readyz`` checks: the database, the response cache, the data sources and the
    freshness of their data at the default as-of day, the model registry."""
    settings = services.settings
    return Dependencies(
        engine=services.engine,
        cache=services.cache,
        cache_kind="redis" if settings.redis_url is not None else "memory",
        sources=lambda: services.base.market.providers,
        models_dir=settings.models_dir,
        stale_after_days=settings.stale_after_days,
        as_of=lambda: services.default_as_of(None),
    )


def _document(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document, with optional query parameters described as they travel: absent
    or a value, never ``null`` (a query string cannot carry one; FastAPI writes
    ``anyOf: [..., {"type": "null"}]`` for ``X | None``)."""
    if app.openapi_schema is None:
        document = get_openapi(
            title=app.title,
            version=app.version,
            summary=app.summary,
            description=app.description,
            routes=app.routes,
        )
        for operation in (op for path in document["paths"].values() for op in path.values()):
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                kept = [s for s in schema.get("anyOf", []) if s != {"type": "null"}]
                if parameter.get("in") == "query" and len(kept) == 1 and "anyOf" in schema:
                    rest = {k: v for k, v in schema.items() if k != "anyOf"}
                    parameter["schema"] = {**kept[0], **rest}
        app.openapi_schema = document
    return app.openapi_schema


def serve_app() -> FastAPI:
    """The factory uvicorn's workers call (``signaldesk serve``): the process settings; traces
    on in each worker process when an OTLP endpoint is set (``core.tracing``)."""
    from core import tracing

    tracing.configure("signaldesk-api")
    return create_app()
