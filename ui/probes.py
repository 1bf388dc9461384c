"""What the chat answers to probes and to Prometheus, without a login: ``GET /readyz`` (the
process's dependencies, ``loop.health``, and the chat history store: JSON, 503 when one is not
ready) and ``GET /metrics`` (the HTTP metrics, ``core.http_metrics``, and the process's
``core.metrics``; the learning loop's gauges come from the API alone, one series each).
``GET /healthz`` is ``ui.protect``'s.

``install_probes(app)`` puts the routes ahead of Chainlit's catch-all page route and the
metrics middleware on the app, once per process (``ui.protect.protect`` calls it).
"""

from __future__ import annotations

import asyncio
import threading
from typing import TYPE_CHECKING, Any

from core import asof
from core.http_metrics import install_http_metrics
from loop.health import Check, Dependencies
from ui.runtime import Runtime, current

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["READY_PATH", "install_probes"]

READY_PATH = "/readyz"
_ROUTE_NAME = "signaldesk_readyz"
_lock = threading.Lock()
_opened: list[tuple[Runtime, Dependencies]] = []  # the runtime's, rebuilt when it changes


def dependencies(rt: Runtime) -> Dependencies:
    """The dependencies of the chat on runtime ``rt`` (built once per runtime)."""
    with _lock:
        if _opened and _opened[0][0] is rt:
            return _opened[0][1]
    offline = rt.agent(None).deps
    built = Dependencies.from_settings(
        rt.settings,
        engine=rt.engine,
        sources=lambda: rt.context_for(asof.today()).market.providers,
        as_of=offline.undated_today,
    )
    with _lock:
        _opened[:] = [(rt, built)]
    return built


async def _chat_history() -> Check:
    from chainlit.data import get_data_layer
    from sqlalchemy import text

    layer = get_data_layer()
    engine = getattr(layer, "engine", None)
    if engine is None:
        return Check("error", "no chat history store")
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as err:  # reported, not raised: this endpoint says what is down
        return Check("error", (str(err).splitlines() or [""])[0][:200] or type(err).__name__)
    return Check("ok", "the chat history store answers")


async def _readyz() -> Any:  # noqa: ANN401 - a JSONResponse
    from fastapi.responses import JSONResponse

    rt = await asyncio.to_thread(current)
    result = await asyncio.to_thread(dependencies(rt).check)
    result = result.with_checks(chat_history=await _chat_history())
    return JSONResponse(result.as_json(), status_code=result.status_code)


def install_probes(app: FastAPI) -> None:
    """``/readyz`` and ``/metrics`` first among ``app``'s routes (replaced by name), and the
    HTTP metrics middleware (once)."""
    from fastapi.routing import APIRoute

    route = APIRoute(READY_PATH, _readyz, methods=["GET"], name=_ROUTE_NAME)
    kept = [r for r in app.router.routes if getattr(r, "name", None) != _ROUTE_NAME]
    app.router.routes[:] = [route, *kept]
    install_http_metrics(app)  # the loop's gauges come from the API alone: one series each
