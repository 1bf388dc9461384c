"""The learning loop's gauges for Prometheus, read from the database when it scrapes.

``LoopCollector`` yields ``signaldesk_model_hit_rate`` (each slot's champion's rolling hit
rate over its last 100 resolved forecasts) and ``signaldesk_model_resolved_forecasts``,
``signaldesk_model_drifted`` and ``signaldesk_model_drift_psi_max`` (the latest drift check of
each slot), ``signaldesk_data_stale_days`` (the latest data check of each ticker) and
``signaldesk_alerts_total`` (alerts raised, by kind and status). A process registers it on its
own registry beside the HTTP metrics (``core.http_metrics``): the API and the chat do.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable, Iterator
from datetime import date

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.engine import Engine

from core.asof import today

__all__ = ["LoopCollector", "slot_of_model"]

log = logging.getLogger(__name__)
_SLOT = re.compile(r"^(?P<slot>.+-h\d+)-\d{8}T\d{6}Z-[0-9a-f]+$")
_WINDOW = 100


def slot_of_model(model_id: str) -> str:
    """The slot of a registered model's id (``IBM-h5-20130228T220000Z-0123abcd`` -> ``IBM-h5``)."""
    found = _SLOT.match(model_id)
    return found["slot"] if found else model_id


class LoopCollector(Collector):
    """The learning loop's gauges, read from the database when Prometheus scrapes (module doc).

    engine: the database, or a function giving it at each scrape (the chat's runtime may be
    reopened on other settings). A database that cannot be read yields no loop metric (and a
    log line), never a failed scrape: the HTTP metrics still come."""

    def __init__(
        self, engine: Engine | Callable[[], Engine], *, as_of: Callable[[], date] = today
    ) -> None:
        self.engine = engine
        self.as_of = as_of

    def collect(self) -> Iterator[Metric]:
        try:
            engine = self.engine if isinstance(self.engine, Engine) else self.engine()
            yield from _collect(engine, self.as_of())
        except Exception:  # a scrape must answer even with the database away
            log.warning("loop metrics could not be read", exc_info=True)


def _collect(engine: Engine, day: date) -> Iterator[Metric]:
    yield from _hit_rates(engine, day)
    yield from _checks(engine, day)
    yield _alerts(engine, day)


def _hit_rates(engine: Engine, day: date) -> Iterator[Metric]:
    from data.store import PredictionStore

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
    calls = PredictionStore(engine).calls(as_of=day, forecasts_only=True)
    known = calls[calls["hit"].notna()].sort_values(["outcome_date", "as_of"])
    if len(known):
        known = known.assign(
            slot=[f"{t}-h{h}" for t, h in zip(known["ticker"], known["horizon_days"], strict=True)]
        )
        for slot, group in known.groupby("slot", sort=True):
            last = group["hit"].astype(float).tail(_WINDOW)
            rate.add_metric([str(slot)], float(last.mean()))
            resolved.add_metric([str(slot)], float(len(last)))
    yield rate
    yield resolved


def _checks(engine: Engine, day: date) -> Iterator[Metric]:
    from data.store import DriftCheckStore

    checks = DriftCheckStore(engine).checks(as_of=day)
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


def _alerts(engine: Engine, day: date) -> Metric:
    from data.store import AlertStore

    alerts = CounterMetricFamily(
        "signaldesk_alerts",
        "Alerts the loop and the briefing raised, by kind and status",
        labels=["kind", "status"],
    )
    raised = AlertStore(engine).alerts(as_of=day)
    counts = raised.groupby(["kind", "status"]).size().reset_index(name="n")
    for row in counts.to_dict("records"):
        alerts.add_metric([str(row["kind"]), str(row["status"])], float(row["n"]))
    return alerts
