"""``/healthz`` (the process answers) and ``/readyz`` (what requests need is reachable)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from api.security import services_of

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness: the process answers")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="Readiness: database, cache, data sources and model registry",
    responses={503: {"description": "a dependency is not ready (see checks)"}},
)
def readyz(request: Request) -> Any:
    services = services_of(request)
    checks: dict[str, str] = {}
    try:
        with services.engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as err:  # noqa: BLE001 - reported, not raised
        checks["database"] = f"error: {type(err).__name__}"
    try:
        services.cache.get("readyz")
        checks["cache"] = "ok"
    except Exception as err:  # noqa: BLE001
        checks["cache"] = f"error: {type(err).__name__}"
    providers = services.base.market.providers
    checks["data"] = "ok: " + ", ".join(p.name for p in providers) if providers else "error: none"
    models = services.settings.models_dir
    checks["models"] = "ok" if not models.exists() or models.is_dir() else "error: not a folder"
    ready = all(v.startswith("ok") for v in checks.values())
    return JSONResponse({"ready": ready, "checks": checks}, status_code=200 if ready else 503)
