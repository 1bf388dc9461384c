"""The worker as a long-running process: its HTTP server (``/healthz``, ``/readyz`` with the
worker's schedule and last run, ``/metrics``) and its scheduler, each in a thread
(``WorkerService``). ``stop`` stops both: the server at once, the scheduler after the current
job, or, when that job runs on past ``grace_s``, abandoning it (logged; the caller then exits
without waiting for it).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING, Any

from core.http_metrics import install_http_metrics
from core.net import port_free
from core.settings import SettingsError

if TYPE_CHECKING:
    from fastapi import FastAPI

    from cli._worker import Worker
    from loop.health import Dependencies

__all__ = ["WorkerService", "worker_app"]

log = logging.getLogger(__name__)


def worker_app(worker: Worker, dependencies: Dependencies) -> FastAPI:
    """The worker's endpoints, none behind a login (serve them inside the network only)."""
    from fastapi import FastAPI
    from fastapi.responses import JSONResponse

    app = FastAPI(title="SignalDesk worker", docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz")
    def readyz() -> Any:  # noqa: ANN401 - a JSONResponse
        result = dependencies.check()
        body = result.as_json() | {"worker": worker.status()}
        return JSONResponse(body, status_code=result.status_code)

    install_http_metrics(app)
    return app


class WorkerService:
    """``worker``'s scheduler and ``app`` served on ``host:port``, each in a daemon thread."""

    def __init__(self, worker: Worker, app: FastAPI, *, host: str, port: int) -> None:
        import uvicorn

        self.worker, self.host, self.port = worker, host, port
        config = uvicorn.Config(
            app, host=host, port=port, log_level="warning", access_log=False, lifespan="off"
        )
        self.server = uvicorn.Server(config)
        self._http = threading.Thread(target=self.server.run, name="worker-http", daemon=True)
        self._scheduler = threading.Thread(
            target=worker.run_forever, name="worker-scheduler", daemon=True
        )

    def start(self, *, timeout_s: float = 15.0) -> None:
        """Serve, then schedule. ``SettingsError`` when the address is taken or the server
        does not come up within ``timeout_s``."""
        if not port_free(self.host, self.port):
            raise SettingsError(f"cannot listen on {self.host}:{self.port}: the address is in use")
        self._http.start()
        deadline = time.monotonic() + timeout_s
        while not self.server.started:
            if not self._http.is_alive() or time.monotonic() > deadline:
                self.server.should_exit = True
                raise SettingsError(f"the worker's server did not start on {self.host}:{self.port}")
            time.sleep(0.05)
        self._scheduler.start()

    @property
    def running(self) -> bool:
        return self._http.is_alive() and self._scheduler.is_alive()

    def stop(self, *, grace_s: float = 5.0) -> bool:
        """Stop serving and scheduling; True when a job still ran after ``grace_s`` seconds
        and was abandoned (its thread is a daemon: it ends with the process)."""
        self.worker.stop()
        self.server.should_exit = True
        deadline = time.monotonic() + grace_s
        if self._scheduler.ident is not None:  # started
            self._scheduler.join(timeout=grace_s)
        if self._http.ident is not None:
            self._http.join(timeout=max(0.1, deadline - time.monotonic()))
        if self._scheduler.is_alive():
            log.warning(
                "worker: abandoning job %s: still running %g s after the stop",
                self.worker.current_job or "(between jobs)",
                grace_s,
                extra={"job": self.worker.current_job},
            )
            return True
        return False
