"""``/metrics``: HTTP counters and latency by route template, the learning loop's gauges from
the database; the shipped alert rules pass promtool and use only exported metrics; a real
Prometheus scrapes a real ``signaldesk serve`` and answers queries on what the rules use and
on every expression of the Grafana dashboards (deploy/grafana), whose metrics it scraped."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from datetime import date
from pathlib import Path

import httpx
import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from core.settings import load_settings
from data.store import (
    AlertStore,
    DriftCheckStore,
    NewCall,
    NewDriftCheck,
    Outcome,
    PredictionStore,
    make_engine,
    upgrade,
)
from loop.metrics import slot_of_model
from tests._servers import free_port, stop, wait_answering
from tests.api.conftest import api_on
from tests.cli.runner import EXE
from tests.ops._promql import (
    PROMETHEUS_SERIES,
    dashboard_queries,
    family_sample_names,
    metric_names,
    substitute,
)

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "deploy" / "prometheus" / "alerts.yml"


def _samples(text: str) -> dict[str, list]:
    found: dict[str, list] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found.setdefault(sample.name, []).append(sample)
    return found


def _seed(engine) -> None:  # noqa: ANN001
    store = PredictionStore(engine)
    calls = [
        NewCall(source="loop", ticker="IBM", as_of=date(2013, 1, d), horizon_days=5,
                action="BUY", score=None, config_hash=None, prob_up=0.6,
                model_id="IBM-h5-20121231T220000Z-0123456789")
        for d in range(2, 12)
    ]  # fmt: skip
    store.record(calls)
    pending = store.pending(as_of=date(2013, 2, 1))
    store.resolve(
        [
            Outcome(id=c.id, entry_date=c.as_of, outcome_date=date(2013, 1, 25),
                    outcome_return=0.01 if i < 6 else -0.01, trailing_return_20=0.0, hit=i < 6)
            for i, c in enumerate(pending)
        ]
    )  # fmt: skip
    DriftCheckStore(engine).add(
        [
            NewDriftCheck(as_of=date(2013, 1, 28), scope="model",
                          subject="IBM-h5-20121231T220000Z-0123456789", drifted=True, score=0.8,
                          summary="2 of 120 features drifted"),
            NewDriftCheck(as_of=date(2013, 1, 28), scope="data", subject="IBM", drifted=True,
                          score=None, summary="stale", details={"stale_days": 9}),
        ]
    )  # fmt: skip
    AlertStore(engine).add(
        as_of=date(2013, 1, 28), kind="drift", key="drift:x", severity="warning", title="t",
        body="", details={}, status="unsent", deliveries={},
    )  # fmt: skip


def test_metrics_count_requests_by_route_and_read_the_loop_from_the_database():
    with api_on() as api:
        _seed(api.services.engine)
        for _ in range(3):
            assert api.client.get("/healthz").status_code == 200
        assert api.client.get("/v1/signal/AAPL").status_code == 401
        got = api.client.get("/metrics")
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/plain")
    samples = _samples(got.text)
    counts = {
        (s.labels["route"], s.labels["status"]): s.value
        for s in samples["signaldesk_http_requests_total"]
    }
    assert counts[("/healthz", "200")] == 3
    assert counts[("/v1/signal/{ticker}", "401")] == 1  # the template, not /v1/signal/AAPL
    assert not any(route == "/metrics" for route, _ in counts)
    buckets = samples["signaldesk_http_request_duration_seconds_bucket"]
    assert any(s.labels["route"] == "/healthz" and s.labels["le"] == "+Inf" for s in buckets)
    by = {s.name: s for s in sum(samples.values(), []) if s.labels.get("slot") == "IBM-h5"}
    assert by["signaldesk_model_hit_rate"].value == 0.6  # 6 of the 10 resolved forecasts
    assert by["signaldesk_model_resolved_forecasts"].value == 10
    assert (
        by["signaldesk_model_drifted"].value == 1
        and by["signaldesk_model_drift_psi_max"].value == 0.8
    )
    stale = samples["signaldesk_data_stale_days"][0]
    assert stale.labels == {"ticker": "IBM"} and stale.value == 9
    alerts = samples["signaldesk_alerts_total"][0]
    assert alerts.labels == {"kind": "drift", "status": "unsent"} and alerts.value == 1


def test_a_model_id_names_its_slot():
    assert slot_of_model("IBM-h5-20121231T220000Z-0123456789") == "IBM-h5"
    assert slot_of_model("BRK-B-h20-20121231T220000Z-0123456789") == "BRK-B-h20"
    assert slot_of_model("AAPL+MSFT-h5-20121231T220000Z-ab") == "AAPL+MSFT-h5"


def _rule_metrics() -> set[str]:
    rules = yaml.safe_load(RULES.read_text())
    exprs = [r["expr"] for g in rules["groups"] for r in g["rules"]]
    return {m for e in exprs for m in re.findall(r"\b(signaldesk_[a-z_]+)", e)}


def test_every_metric_the_alert_rules_use_is_exported():
    with api_on() as api:
        _seed(api.services.engine)
        api.client.get("/healthz")
        exported = set(_samples(api.client.get("/metrics").text))
    assert _rule_metrics() <= exported, _rule_metrics() - exported


def test_promtool_passes_the_rules_and_the_config():
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool is not installed (Debian's prometheus package; .ci/run installs it)")
    for args in (
        ["check", "rules", str(RULES)],
        ["check", "config", str(RULES.parent / "prometheus.yml")],
    ):
        out = subprocess.run([promtool, *args], capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stdout + out.stderr


@pytest.mark.slow
def test_a_real_prometheus_scrapes_a_running_server(tmp_path: Path):
    prometheus = shutil.which("prometheus")
    if prometheus is None:
        pytest.skip("prometheus is not installed (Debian's package; .ci/run installs it)")
    port, prom_port = free_port(), free_port()
    config = yaml.safe_load((RULES.parent / "prometheus.yml").read_text())
    config["global"] = {"scrape_interval": "1s", "evaluation_interval": "1s"}
    config["rule_files"] = [str(RULES)]
    api_job = next(j for j in config["scrape_configs"] if j["job_name"] == "signaldesk-api")
    api_job["static_configs"] = [{"targets": [f"127.0.0.1:{port}"]}]
    config["scrape_configs"] = [api_job]  # the chat and the worker are not running here
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
    engine = make_engine(load_settings().sqlalchemy_url)  # the server's database, with loop data
    try:
        upgrade(engine)
        _seed(engine)
    finally:
        engine.dispose()
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [*EXE, "serve", "--host", "127.0.0.1", "--port", str(port)], stdout=out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    prom_log = tmp_path / "prometheus.log"
    base = f"http://127.0.0.1:{prom_port}"
    with prom_log.open("wb") as out:
        prom = subprocess.Popen(
            [prometheus, f"--config.file={tmp_path / 'prometheus.yml'}",
             f"--storage.tsdb.path={tmp_path / 'tsdb'}",
             f"--web.listen-address=127.0.0.1:{prom_port}"],
            stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_answering(
            f"http://127.0.0.1:{port}/healthz", server, log, what="signaldesk serve", timeout_s=60
        )
        wait_answering(f"{base}/-/ready", prom, prom_log, what="prometheus", timeout_s=60)
        for _ in range(5):
            httpx.get(f"http://127.0.0.1:{port}/healthz")
        deadline = time.monotonic() + 60
        found: list = []
        # until a scrape after the requests: an earlier one may have seen only some of them
        while time.monotonic() < deadline and not (found and float(found[0]["value"][1]) >= 5):
            query = 'signaldesk_http_requests_total{route="/healthz"}'
            found = httpx.get(f"{base}/api/v1/query", params={"query": query}).json()["data"][
                "result"
            ]
            time.sleep(1)
        assert found and float(found[0]["value"][1]) >= 5
        targets = httpx.get(f"{base}/api/v1/targets").json()["data"]["activeTargets"]
        assert [t["health"] for t in targets] == ["up"]
        rules = httpx.get(f"{base}/api/v1/rules").json()["data"]["groups"]
        assert {r["name"] for g in rules for r in g["rules"]} >= {
            "SignalDeskModelAccuracyLow",
            "SignalDeskLatencySLO",
        }
        assert all(r["health"] == "ok" for g in rules for r in g["rules"]), rules
        _the_dashboards_run_on(base)
    finally:
        stop(prom)
        stop(server)


def _the_dashboards_run_on(base: str) -> None:
    """Every PromQL expression of the Grafana dashboards (deploy/grafana/dashboards, their
    variables filled in) runs on the real Prometheus, and every metric they plot was scraped:
    Prometheus keeps each scraped family's metadata, with samples or not (a labelled counter
    nobody has incremented yet)."""
    queries = dashboard_queries()
    for query in queries:
        got = httpx.get(f"{base}/api/v1/query", params={"query": substitute(query.expr)})
        assert got.json()["status"] == "success", (query, got.text)
    metadata = httpx.get(f"{base}/api/v1/metadata").json()["data"]
    scraped = set(PROMETHEUS_SERIES).union(
        *(family_sample_names(name, entries[0]["type"]) for name, entries in metadata.items())
    )
    plotted = {name for query in queries for name in metric_names(query.expr)}
    assert plotted - scraped == set()
    rate = next(q for q in queries if q.panel == "Rolling hit rate by slot")
    result = httpx.get(f"{base}/api/v1/query", params={"query": rate.expr}).json()["data"]
    assert [(r["metric"], float(r["value"][1])) for r in result["result"]] == [
        ({"slot": "IBM-h5"}, 0.6)
    ]
