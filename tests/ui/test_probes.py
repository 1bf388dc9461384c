"""The chat's probes in-process (``ui.probes``): ``/readyz`` with each dependency's detail and
``/metrics`` with the HTTP metrics and the process's own metrics (the loop's gauges are the
API's), answered
without a login and ahead of Chainlit's catch-all page route."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from ui.auth import hash_password

USERS = f"ana:{hash_password('correct horse battery')}"


def _samples(text: str) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found.setdefault(sample.name, []).append(sample)
    return found


def test_readyz_reports_each_dependency(make_client: Callable[..., Any]) -> None:
    client = make_client(ui_users=USERS)
    got = client.get("/readyz")  # no login needed: for probes
    assert got.status_code == 200 and got.headers["content-type"] == "application/json"
    body = got.json()
    checks = body["checks"]
    assert body["ready"] is True
    assert set(checks) == {"database", "cache", "data", "models", "chat_history"}
    assert {name: c["status"] for name, c in checks.items()} == dict.fromkeys(checks, "ok")
    assert checks["database"]["revision"] == checks["database"]["latest"] is not None
    assert checks["cache"]["kind"] == "disk"
    assert checks["data"]["sources"] == ["bundled"]
    # the bundled prices end 2013-03-01: a chat given no date answers as of that day
    assert checks["data"]["freshness"]["as_of"] == "2013-03-01"
    assert checks["models"]["registered"] == 0


def test_readyz_is_503_with_the_database_down(
    make_client: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    client = make_client(ui_users=USERS)
    import data.store
    from data.store import StoreUnavailableError

    def down(engine: Any) -> None:
        raise StoreUnavailableError("cannot reach database sqlite:///x: disk I/O error")

    monkeypatch.setattr(data.store, "ping", down)
    got = client.get("/readyz")
    assert got.status_code == 503 and got.json()["ready"] is False
    database = got.json()["checks"]["database"]
    assert database["status"] == "error"
    assert database["detail"] == "cannot reach database sqlite:///x: disk I/O error"


def _counts(client: Any) -> dict[tuple[str, str, str], float]:
    samples = _samples(client.get("/metrics").text)
    return {
        (s.labels["method"], s.labels["route"], s.labels["status"]): s.value
        for s in samples.get("signaldesk_http_requests_total", [])
    }


def test_metrics_count_the_chat_requests_beside_the_process_metrics(
    make_client: Callable[..., Any],
) -> None:
    client = make_client(ui_users=USERS)
    before = _counts(client)  # Chainlit's app is one per process: other tests counted too
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    page = client.get("/no/such/page")  # Chainlit's single-page app answers any other path
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    got = client.get("/metrics")
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/plain")
    after = _counts(client)
    added = {k: v - before.get(k, 0.0) for k, v in after.items() if v != before.get(k, 0.0)}
    assert added == {
        ("GET", "/healthz", "200"): 1,
        ("GET", "/readyz", "200"): 1,
        ("GET", "/{full_path:path}", "200"): 1,  # the route's template, not the path
    }  # and never /metrics itself
    samples = _samples(got.text)
    assert "signaldesk_agent_turn_duration_seconds_count" in samples  # core.metrics.REGISTRY
    assert "# TYPE signaldesk_agent_turns_total counter" in got.text
    assert "signaldesk_model_hit_rate" not in got.text  # the API exports the loop's gauges
