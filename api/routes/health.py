"""``/healthz`` (the process answers) and ``/readyz`` (what requests need is reachable: the
checks of ``loop.health``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from loop.health import Dependencies

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness: the process answers")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="Readiness: database, cache, data sources and freshness, model registry",
    responses={503: {"description": "a dependency is not ready (see checks)"}},
)
def readyz(request: Request) -> Any:
    dependencies: Dependencies = request.app.state.dependencies
    result = dependencies.check()
    return JSONResponse(result.as_json(), status_code=result.status_code)
