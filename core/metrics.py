"""Prometheus metrics of SignalDesk's work, one registry per process (``REGISTRY``).

Every long-running process serves them at ``/metrics`` beside its own (the API's HTTP metrics,
the chat's, the worker's): ``render`` writes this registry after the caller's. The packages that
do the work count into the metrics below; names and labels are the contract the Grafana
dashboards and the alert rules in ``deploy/`` rely on (tests check every expression there names
a metric exported here or by a process's own registry).

Labels stay few: a tool's name, a model's label, a provider's name, an outcome from a short
list; never a ticker, a user or a question.
"""

from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

__all__ = [
    "AGENT_REFUSALS",
    "AGENT_TURNS",
    "AGENT_TURN_SECONDS",
    "BREAKER_STATE",
    "BRIEFING_RUNS",
    "BRIEFING_SECONDS",
    "BRIEFING_TICKERS",
    "CACHE_REQUESTS",
    "CONTENT_TYPE",
    "JOB_RUNS",
    "JOB_SECONDS",
    "LLM_CALLS",
    "LLM_COST",
    "LLM_SECONDS",
    "LLM_TOKENS",
    "PROVIDER_REQUESTS",
    "PROVIDER_SECONDS",
    "REGISTRY",
    "TOOL_CALLS",
    "TOOL_SECONDS",
    "VERIFIER_REMOVALS",
    "render",
]

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
REGISTRY = CollectorRegistry()

_FAST = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
_SLOW = (0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 900.0, 3600.0)

AGENT_TURNS = Counter(
    "signaldesk_agent_turns",
    "Agent turns finished, by outcome (answered, declined, error)",
    ["outcome"],
    registry=REGISTRY,
)
AGENT_TURN_SECONDS = Histogram(
    "signaldesk_agent_turn_duration_seconds",
    "Seconds from a question to its verified answer",
    buckets=_SLOW,
    registry=REGISTRY,
)
AGENT_REFUSALS = Counter(
    "signaldesk_agent_refusals",
    "Turns the agent declined, by reason (the decline's kind)",
    ["reason"],
    registry=REGISTRY,
)
TOOL_CALLS = Counter(
    "signaldesk_tool_calls",
    "Tool calls the agent made, by tool and status (success, error)",
    ["tool", "status"],
    registry=REGISTRY,
)
TOOL_SECONDS = Histogram(
    "signaldesk_tool_duration_seconds",
    "Seconds a tool call took, by tool",
    ["tool"],
    buckets=_FAST,
    registry=REGISTRY,
)
LLM_CALLS = Counter(
    "signaldesk_llm_calls",
    "Calls to the configured LLM, by model and status (ok, error)",
    ["model", "status"],
    registry=REGISTRY,
)
LLM_SECONDS = Histogram(
    "signaldesk_llm_duration_seconds",
    "Seconds an LLM call took, by model",
    ["model"],
    buckets=_SLOW,
    registry=REGISTRY,
)
LLM_TOKENS = Counter(
    "signaldesk_llm_tokens",
    "LLM tokens, by model and type (input, output)",
    ["model", "type"],
    registry=REGISTRY,
)
LLM_COST = Counter(
    "signaldesk_llm_cost_usd",
    "LLM cost in USD at the configured prices, by model",
    ["model"],
    registry=REGISTRY,
)
VERIFIER_REMOVALS = Counter(
    "signaldesk_verifier_removals",
    "Sentences the verifier removed from answers, by reason",
    ["reason"],
    registry=REGISTRY,
)
BRIEFING_RUNS = Counter(
    "signaldesk_briefing_runs",
    "Briefing runs, by status (complete, incomplete, failed)",
    ["status"],
    registry=REGISTRY,
)
BRIEFING_SECONDS = Histogram(
    "signaldesk_briefing_duration_seconds",
    "Seconds a briefing run took",
    buckets=_SLOW,
    registry=REGISTRY,
)
BRIEFING_TICKERS = Counter(
    "signaldesk_briefing_tickers",
    "Tickers a briefing covered, by status (ok, failed)",
    ["status"],
    registry=REGISTRY,
)
PROVIDER_REQUESTS = Counter(
    "signaldesk_provider_requests",
    "Market-data provider fetches, by provider and status (ok, empty, error, skipped)",
    ["provider", "status"],
    registry=REGISTRY,
)
PROVIDER_SECONDS = Histogram(
    "signaldesk_provider_duration_seconds",
    "Seconds a provider fetch took (retries included), by provider",
    ["provider"],
    buckets=_FAST,
    registry=REGISTRY,
)
BREAKER_STATE = Gauge(
    "signaldesk_circuit_breaker_state",
    "A provider's circuit breaker: 0 closed, 1 half-open, 2 open",
    ["provider"],
    registry=REGISTRY,
    multiprocess_mode="max",
)
CACHE_REQUESTS = Counter(
    "signaldesk_cache_requests",
    "Cache lookups, by cache (bars, api) and result (hit, miss, error)",
    ["cache", "result"],
    registry=REGISTRY,
)
JOB_RUNS = Counter(
    "signaldesk_job_runs",
    # the label is "task": Prometheus keeps "job" for the scrape target
    "Scheduled job runs, by task and status (ok, failed)",
    ["task", "status"],
    registry=REGISTRY,
)
JOB_SECONDS = Histogram(
    "signaldesk_job_duration_seconds",
    "Seconds a scheduled job took, by task",
    ["task"],
    buckets=_SLOW,
    registry=REGISTRY,
)


def render(*registries: CollectorRegistry) -> bytes:
    """The exposition of ``registries`` then of this process's ``REGISTRY``. With
    ``PROMETHEUS_MULTIPROC_DIR`` set, the caller's registry carries a ``MultiProcessCollector``
    that already reads every worker's values of these metrics: ``REGISTRY`` is not written
    again."""
    parts = [generate_latest(r) for r in registries]
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        parts.append(generate_latest(REGISTRY))
    return b"".join(parts)
