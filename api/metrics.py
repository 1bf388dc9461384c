"""Prometheus metrics of the serving API at ``/metrics`` (no token: scrape it from inside the
network; the Ingress does not route it).

- HTTP: ``signaldesk_http_requests_total`` (method, route template, status) and
  ``signaldesk_http_request_duration_seconds`` (method, route template) from a middleware; the
  route is the template (``/v1/signal/{ticker}``), never the raw path, so labels stay few.
- The learning loop, read from the database at scrape time: ``signaldesk_model_hit_rate``
  (each slot's champion's rolling hit rate over its last 100 resolved forecasts, and
  ``signaldesk_model_resolved_forecasts``), ``signaldesk_model_drifted`` and
  ``signaldesk_model_drift_psi_max`` (the latest drift check of each slot),
  ``signaldesk_data_stale_days`` (the latest data check of each ticker) and
  ``signaldesk_alerts_total`` (alerts raised, by kind and status).

Each app has its own registry (tests build many apps). With several uvicorn workers each worker
answers for itself, unless ``PROMETHEUS_MULTIPROC_DIR`` is set: then ``/metrics`` aggregates
the workers' files (prometheus_client's multiprocess mode).
"""

from __future__ import annotations

import logging
import math
import os
import re
from collections.abc import Awaitable, Callable, Iterator
from datetime import date
from time import perf_counter

from fastapi import FastAPI, Request, Response
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.engine import Engine

from core.asof import today

__all__ = ["CONTENT_TYPE", "install_metrics"]

log = logging.getLogger(__name__)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_SLOT = re.compile(r"^(?P<slot>.+-h\d+)-\d{8}T\d{6}Z-[0-9a-f]+$")
_LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
_WINDOW = 100


def slot_of_model(model_id: str) -> str:
    """The slot of a registered model's id (``IBM-h5-20130228T220000Z-0123abcd`` -> ``IBM-h5``)."""
    found = _SLOT.match(model_id)
    return found["slot"] if found else model_id


class LoopCollector(Collector):
    """The learning loop's gauges, read from ``engine`` when Prometheus scrapes (module doc).
    A database that cannot be read yields no loop metric (and a log line), never a failed
    scrape: the HTTP metrics still come."""

    def __init__(self, engine: Engine, *, as_of: Callable[[], date] = today) -> None:
        self.engine = engine
        self.as_of = as_of

    def collect(self) -> Iterator[Metric]:
        try:
            yield from self._collect(self.as_of())
        except Exception:  # a scrape must answer even with the database away
            log.warning("loop metrics could not be read", exc_info=True)

    def _collect(self, day: date) -> Iterator[Metric]:
        from data.store import AlertStore, DriftCheckStore, PredictionStore

        rate = GaugeMetricFamily(
            "signaldesk_model_hit_rate",
            "Rolling hit rate of each slot's model over its last 100 resolved forecasts",
            labels=["slot"],
        )
        resolved = GaugeMetricFamily(
            "signaldesk_model_resolved_forecasts",
            "Resolved forecasts behind signaldesk_model_hit_rate",
            labels=["slot"],
        )
        calls = PredictionStore(self.engine).calls(as_of=day, forecasts_only=True)
        known = calls[calls["hit"].notna()].sort_values(["outcome_date", "as_of"])
        if len(known):
            known = known.assign(
                slot=[
                    f"{t}-h{h}" for t, h in zip(known["ticker"], known["horizon_days"], strict=True)
                ]
            )
            for slot, group in known.groupby("slot", sort=True):
                last = group["hit"].astype(float).tail(_WINDOW)
                rate.add_metric([str(slot)], float(last.mean()))
                resolved.add_metric([str(slot)], float(len(last)))
        yield rate
        yield resolved

        checks = DriftCheckStore(self.engine).checks(as_of=day)
        latest = checks.groupby(["scope", "subject"], sort=True).tail(1)
        drifted = GaugeMetricFamily(
            "signaldesk_model_drifted",
            "1 when the latest drift check of the slot's model found drift",
            labels=["slot"],
        )
        psi = GaugeMetricFamily(
            "signaldesk_model_drift_psi_max",
            "Largest feature PSI at the latest drift check of the slot's model",
            labels=["slot"],
        )
        stale = GaugeMetricFamily(
            "signaldesk_data_stale_days",
            "Calendar days from a ticker's last bar to the day of its latest data check",
            labels=["ticker"],
        )
        models = latest[latest["scope"] == "model"].assign(
            slot=lambda f: [slot_of_model(s) for s in f["subject"]]
        )
        newest = models.sort_values("as_of").groupby("slot").tail(1)
        for row in newest.to_dict("records"):
            drifted.add_metric([str(row["slot"])], 1.0 if row["drifted"] else 0.0)
            if row["score"] is not None and not math.isnan(row["score"]):
                psi.add_metric([str(row["slot"])], float(row["score"]))
        for row in latest[latest["scope"] == "data"].to_dict("records"):
            days = (row["details"] or {}).get("stale_days")
            if days is not None:
                stale.add_metric([str(row["subject"])], float(days))
        yield drifted
        yield psi
        yield stale

        alerts = CounterMetricFamily(
            "signaldesk_alerts",
            "Alerts the loop and the briefing raised, by kind and status",
            labels=["kind", "status"],
        )
        raised = AlertStore(self.engine).alerts(as_of=day)
        counts = raised.groupby(["kind", "status"]).size().reset_index(name="n")
        for row in counts.to_dict("records"):
            alerts.add_metric([str(row["kind"]), str(row["status"])], float(row["n"]))
        yield alerts


def _registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    return registry


def install_metrics(app: FastAPI, *, engine: Engine) -> CollectorRegistry:
    """The HTTP middleware, the loop collector and ``GET /metrics`` on ``app``."""
    registry = _registry()
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
    registry.register(LoopCollector(engine))

    @app.middleware("http")
    async def measure(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        began = perf_counter()
        status: int = 500
        try:
            response = await call_next(request)
            status = response.status_code
            return response
        finally:
            route = getattr(request.scope.get("route"), "path", None) or "unmatched"
            if route != "/metrics":
                requests.labels(request.method, route, str(status)).inc()
                seconds.labels(request.method, route).observe(perf_counter() - began)

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE)

    return registry
