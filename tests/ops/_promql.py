"""PromQL in the shipped dashboards and alert rules, and the metric names SignalDesk exports.

``metric_names(expr)`` reads the metric names an expression selects (not its functions,
keywords, label names, strings, durations or Grafana variables); ``dashboard_queries`` lists
every PromQL expression of ``deploy/grafana/dashboards`` (panel targets and the ``label_values``
selectors of template variables); ``exported_names`` gathers the sample names SignalDesk's
processes expose, from the code: the process-wide registry (``core.metrics.REGISTRY``), an API
app's ``/metrics`` and the learning loop's collector on a migrated database.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from prometheus_client.metrics_core import Metric
from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parents[2]
DASHBOARDS = ROOT / "deploy" / "grafana" / "dashboards"
RULES = ROOT / "deploy" / "prometheus" / "alerts.yml"
PROMETHEUS_UID = "prometheus"

# Series Prometheus makes itself: a target's scrape health and the alert rules' state.
PROMETHEUS_SERIES = frozenset({"up", "ALERTS"})

# Grafana's variables, as the tests' Prometheus is asked them ($job: every SignalDesk job).
GRAFANA_VARIABLES = {
    "__rate_interval": "1m",
    "__interval": "1m",
    "__range": "1h",
    "job": "signaldesk-.*",
}

_KEYWORDS = frozenset(
    {"by", "without", "on", "ignoring", "group_left", "group_right", "offset", "bool", "and", "or"}
    | {"unless", "atan2", "inf", "nan"}
)
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
_VARIABLE = re.compile(r"\$(?:\{(?P<braced>\w+)[^}]*\}|(?P<plain>\w+))")
_MATCHERS = re.compile(r"\{[^{}]*\}")
_RANGE = re.compile(r"\[[^\[\]]*\]")
_GROUPING = re.compile(
    r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)", re.IGNORECASE
)
_TOKEN = re.compile(
    r"(?P<number>(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(?:[a-zA-Z]+\d*)*)"
    r"|(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?P<call>\s*\()?"
)
_LABEL_VALUES = re.compile(r"^\s*label_values\((?P<selector>.+),\s*\w+\s*\)\s*$", re.DOTALL)


def metric_names(expr: str) -> set[str]:
    """The metric names ``expr`` selects. Strings go first (a ``"}"`` in a regex must not end
    a matcher), then Grafana variables, label matchers ``{...}``, ranges ``[5m]``, and the label
    lists of ``by``/``without``/``on``/``ignoring``/``group_*``; of the identifiers left, those
    called like ``rate(`` are functions and the rest that are not keywords are metrics."""
    text = _STRING.sub(" ", expr)
    text = _VARIABLE.sub(" ", text)
    text = _MATCHERS.sub(" ", text)
    text = _RANGE.sub(" ", text)
    text = _GROUPING.sub(" ", text)
    names: set[str] = set()
    for token in _TOKEN.finditer(text):
        name = token["name"]
        if name and not token["call"] and name.lower() not in _KEYWORDS:
            names.add(name)
    return names


def variables(expr: str) -> set[str]:
    """The Grafana variables ``expr`` uses (``$job``, ``${job}``, ``$__rate_interval``)."""
    return {m["braced"] or m["plain"] for m in _VARIABLE.finditer(expr)}


def substitute(expr: str, values: dict[str, str] | None = None) -> str:
    """``expr`` with its Grafana variables replaced (default ``GRAFANA_VARIABLES``);
    ``KeyError`` for a variable without a value."""
    known = GRAFANA_VARIABLES if values is None else values
    return _VARIABLE.sub(lambda m: known[m["braced"] or m["plain"]], expr)


@dataclass(frozen=True)
class Query:
    """One PromQL expression of a dashboard: where it is and what it says."""

    dashboard: str
    panel: str
    expr: str


def load_dashboards() -> dict[str, dict[str, Any]]:
    """Every dashboard JSON file, by file name."""
    return {p.name: json.loads(p.read_text()) for p in sorted(DASHBOARDS.glob("*.json"))}


def panels(dashboard: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The dashboard's panels, those inside rows included."""
    for panel in dashboard.get("panels", []):
        yield panel
        yield from panel.get("panels", [])


def _is_prometheus(datasource: Any) -> bool:
    return isinstance(datasource, dict) and datasource.get("uid") == PROMETHEUS_UID


def dashboard_queries(dashboards: dict[str, dict[str, Any]] | None = None) -> list[Query]:
    """The PromQL of ``dashboards`` (default: the shipped ones): each Prometheus target's
    ``expr`` and each query variable's ``label_values(selector, label)`` selector."""
    found: list[Query] = []
    for name, board in (load_dashboards() if dashboards is None else dashboards).items():
        for panel in panels(board):
            for target in panel.get("targets", []):
                source = target.get("datasource", panel.get("datasource"))
                if _is_prometheus(source):
                    found.append(Query(name, panel["title"], target["expr"]))
        for var in board.get("templating", {}).get("list", []):
            if var.get("type") == "query" and _is_prometheus(var.get("datasource")):
                query = var["query"]["query"] if isinstance(var["query"], dict) else var["query"]
                selector = _LABEL_VALUES.match(query)
                found.append(
                    Query(name, f"${var['name']}", selector["selector"] if selector else query)
                )
    return found


def rule_queries() -> list[Query]:
    """The expressions of ``deploy/prometheus/alerts.yml``."""
    rules = yaml.safe_load(RULES.read_text())
    return [
        Query(RULES.name, rule.get("alert") or rule["record"], rule["expr"])
        for group in rules["groups"]
        for rule in group["rules"]
    ]


def unknown_metrics(queries: Iterable[Query], exported: set[str]) -> dict[Query, set[str]]:
    """The queries that name a metric neither SignalDesk nor Prometheus makes, with those names
    (a query naming no metric at all is reported with an empty set)."""
    allowed = exported | PROMETHEUS_SERIES
    bad: dict[Query, set[str]] = {}
    for query in queries:
        names = metric_names(query.expr)
        if not names or names - allowed:
            bad[query] = names - allowed
    return bad


def family_sample_names(name: str, kind: str) -> set[str]:
    """The names of the samples a metric family of type ``kind`` is exposed with in the text
    format. ``name`` is the family's name as the parser, ``collect()`` or Prometheus's metadata
    give it (a counter's with or without ``_total``)."""
    suffixes: dict[str, tuple[str, ...]] = {
        "counter": ("_total", "_created"),
        "histogram": ("_bucket", "_sum", "_count", "_created"),
        "gaugehistogram": ("_bucket", "_gsum", "_gcount"),
        "summary": ("", "_sum", "_count", "_created"),
        "info": ("_info",),
    }
    if kind == "counter":
        name = name.removesuffix("_total")
    return {name + suffix for suffix in suffixes.get(kind, ("",))}


def sample_names(family: Metric) -> set[str]:
    """``family_sample_names`` of a prometheus_client metric family."""
    return family_sample_names(family.name, family.type)


def exported_names() -> set[str]:
    """Every sample name SignalDesk's processes expose, gathered from the code (module doc).
    Needs the test's own home (tests/conftest.py): it builds an API app and a database there."""
    from core.metrics import REGISTRY
    from core.settings import load_settings
    from data.store import make_engine, upgrade
    from loop.metrics import LoopCollector
    from tests.api.conftest import api_on

    names: set[str] = set()
    for family in REGISTRY.collect():
        names |= sample_names(family)
    with api_on() as api:
        api.client.get("/healthz")
        text = api.client.get("/metrics").text
    for family in text_string_to_metric_families(text):
        names |= sample_names(family)
    engine = make_engine(load_settings().sqlalchemy_url)
    try:
        upgrade(engine)
        for family in LoopCollector(engine).collect():
            names |= sample_names(family)
    finally:
        engine.dispose()
    return names
