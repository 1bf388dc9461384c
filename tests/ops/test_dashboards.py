"""The Grafana dashboards of ``deploy/grafana``: their shape, their datasources (the provisioned
ones), their variables, and their PromQL, which must parse (promtool) and name only metrics
SignalDesk exports (gathered from the code, tests/ops/_promql.py); the alert rules' too. A real
Prometheus runs every expression against a running server in tests/api/test_metrics.py."""

from __future__ import annotations

import copy
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from core.settings import Settings
from tests.ops._promql import (
    DASHBOARDS,
    GRAFANA_VARIABLES,
    Query,
    dashboard_queries,
    exported_names,
    load_dashboards,
    metric_names,
    panels,
    rule_queries,
    substitute,
    unknown_metrics,
    variables,
)

PROVISIONING = DASHBOARDS.parent / "provisioning"
# the variables Grafana defines itself
GRAFANA_BUILTINS = {"__rate_interval", "__interval", "__interval_ms", "__range", "__range_s"}


def _datasource_uids() -> set[str]:
    found: set[str] = set()
    for path in (PROVISIONING / "datasources").glob("*.yml"):
        found |= {d["uid"] for d in yaml.safe_load(path.read_text())["datasources"]}
    return found


@pytest.fixture(scope="module")
def dashboards() -> dict[str, dict[str, Any]]:
    return load_dashboards()


def test_the_four_dashboards_are_there(dashboards):
    assert {d["uid"]: name for name, d in dashboards.items()} == {
        "signaldesk-service": "service.json",
        "signaldesk-agent": "agent.json",
        "signaldesk-data": "data.json",
        "signaldesk-quality": "quality.json",
    }
    titles = [d["title"] for d in dashboards.values()]
    assert len(set(titles)) == len(titles)


def test_each_dashboard_has_grafanas_shape(dashboards):
    uids = _datasource_uids()
    assert uids == {"prometheus", "jaeger"}
    for name, board in dashboards.items():
        assert isinstance(board["uid"], str) and 0 < len(board["uid"]) <= 40, name
        assert board["title"] and isinstance(board["schemaVersion"], int), name
        ids = [p["id"] for p in panels(board)]
        assert ids and len(set(ids)) == len(ids), name
        for panel in panels(board):
            where = f"{name}: {panel.get('title')}"
            assert panel["title"] and panel["type"], where
            assert set(panel["gridPos"]) == {"h", "w", "x", "y"}, where
            assert panel["gridPos"]["x"] + panel["gridPos"]["w"] <= 24, where
            assert panel["datasource"]["uid"] in uids, where
            targets = panel["targets"]
            refs = [t["refId"] for t in targets]
            assert targets and len(set(refs)) == len(refs), where
            for target in targets:
                assert target.get("datasource", panel["datasource"])["uid"] in uids, where
                if target.get("datasource", panel["datasource"])["uid"] == "prometheus":
                    assert target["expr"].strip(), where


def test_the_provider_serves_the_folder_the_dashboards_are_in():
    provider = yaml.safe_load((PROVISIONING / "dashboards" / "signaldesk.yml").read_text())
    [entry] = provider["providers"]
    assert entry["type"] == "file" and entry["options"]["path"] == "/etc/grafana/dashboards"
    assert sorted(p.name for p in DASHBOARDS.iterdir()) == [
        "agent.json", "data.json", "quality.json", "service.json"
    ]  # fmt: skip


def test_every_variable_a_query_uses_is_defined(dashboards):
    for name, board in dashboards.items():
        defined = {v["name"] for v in board.get("templating", {}).get("list", [])}
        for query in dashboard_queries({name: board}):
            assert variables(query.expr) <= defined | GRAFANA_BUILTINS, query
            assert variables(query.expr) <= set(GRAFANA_VARIABLES), query  # the tests can ask it


def test_every_promql_expression_parses(tmp_path: Path):
    """promtool reads each expression (variables replaced as the tests' Prometheus gets them)
    as a recording rule: a parse error fails here, with no server."""
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool is not installed (Debian's prometheus package; .ci/run installs it)")
    queries = dashboard_queries()
    rules = {
        "groups": [
            {
                "name": "dashboards",
                "rules": [
                    {"record": f"signaldesk:dashboard_query:{i}", "expr": substitute(q.expr)}
                    for i, q in enumerate(queries)
                ],
            }
        ]
    }
    path = tmp_path / "dashboards.rules.yml"
    path.write_text(yaml.safe_dump(rules))
    out = subprocess.run(
        [promtool, "check", "rules", str(path)], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"SUCCESS: {len(queries)} rules found" in out.stdout


def test_dashboards_and_alert_rules_name_only_exported_metrics():
    exported = exported_names()
    queries = dashboard_queries() + rule_queries()
    assert len(queries) > 40
    assert unknown_metrics(queries, exported) == {}
    plotted = {n for q in dashboard_queries() for n in metric_names(q.expr)}
    # every SignalDesk family is on a dashboard (a histogram through its buckets or sum)
    families = {n.removesuffix("_total") for n in exported if n.startswith("signaldesk_")}
    families -= {n for n in families if n.endswith(("_created", "_bucket", "_sum", "_count"))}
    on_boards = {n.removesuffix("_total") for n in plotted} | {
        n.rsplit("_", 1)[0] for n in plotted if n.endswith(("_bucket", "_sum", "_count"))
    }
    assert families - on_boards == set()


def test_the_check_finds_a_planted_unknown_metric(dashboards):
    planted = copy.deepcopy(dashboards)
    panel = next(p for p in panels(planted["data.json"]) if p["title"].startswith("Cache hit"))
    panel["targets"][0]["expr"] = (
        'sum by (cache) (rate(signaldesk_cache_hits_total{job=~"$job"}[$__rate_interval]))'
    )
    exported = {"signaldesk_cache_requests_total", "signaldesk_data_stale_days"}
    bad = unknown_metrics(dashboard_queries({"data.json": planted["data.json"]}), exported)
    assert bad[Query("data.json", panel["title"], panel["targets"][0]["expr"])] == {
        "signaldesk_cache_hits_total"
    }
    # a query that names no metric at all (a typo'd selector read as a label) is reported too
    assert unknown_metrics([Query("x", "y", 'sum(rate({job="api"}[5m]))')], exported) == {
        Query("x", "y", 'sum(rate({job="api"}[5m]))'): set()
    }


@pytest.mark.parametrize(
    ("expr", "names"),
    [
        ('rate(signaldesk_a_total{route=~"/x|}{"}[5m])', {"signaldesk_a_total"}),
        (
            "histogram_quantile(0.95, sum by (le, route) (rate(b_bucket[$__rate_interval])))",
            {"b_bucket"},
        ),
        ("a / on(slot) group_left(model) b > bool 1e-9", {"a", "b"}),
        ('sum without (job) (c offset 1h) unless ignoring(x) d{job=~"${job}"}', {"c", "d"}),
        ("max_over_time(e[1h:5m]) @ start() and time() > 0x1F", {"e"}),
        (
            'count_values("v", f) or vector(0) or label_replace(g, "d", "$1", "s", "(.*)")',
            {"f", "g"},
        ),
        ("sum(h) by (le) * Inf + NaN", {"h"}),
    ],
)
def test_metric_names_reads_only_the_metrics(expr: str, names: set[str]):
    assert metric_names(expr) == names


def test_the_quality_dashboard_draws_the_accuracy_floor_the_settings_and_the_alert_use(dashboards):
    floor = Settings.model_fields["retrain_min_accuracy"].default
    panel = next(p for p in panels(dashboards["quality.json"]) if p["title"].startswith("Rolling"))
    defaults = panel["fieldConfig"]["defaults"]
    assert defaults["custom"]["thresholdsStyle"]["mode"] == "line"
    assert [s["value"] for s in defaults["thresholds"]["steps"]] == [None, floor]
    accuracy = next(q for q in rule_queries() if q.panel == "SignalDeskModelAccuracyLow")
    assert f"< {floor}" in accuracy.expr
