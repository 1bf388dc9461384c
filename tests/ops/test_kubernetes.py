"""The Kubernetes manifests (``deploy/k8s``): the base and the prod overlay render with kubectl's
kustomize and every document validates strictly against the API schemas of a fixed Kubernetes
version; the rendered prod overlay has what operations needs (replicas, probes, resources, no
root, budgets, Services, TLS Ingress, autoscalers, scheduled jobs, the migration Job, one pinned
image, the operator's Secret, network policies); and what the containers run is real: every
environment variable is a SignalDesk setting (or a standard OTEL_*/PROMETHEUS_* one) and every
command and option exists in the CLI. A planted bad manifest proves the validation can fail.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import typer
import yaml

from core.settings import Settings
from tests.cli.runner import run
from tests.ops._kubernetes import (
    Doc,
    command_path,
    containers,
    gib,
    kind_name,
    named,
    one,
    pod_templates,
    port_number,
    render,
    route,
    schema_errors,
    selects,
)

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
BASE, PROD = K8S / "base", K8S / "overlays" / "prod"
SECRET = "signaldesk-secrets"
SERVED = {"signaldesk-chat": ("chat", 8000), "signaldesk-api": ("api", 8080)}
ENV_PREFIXES = ("OTEL_", "PROMETHEUS_")  # standard variables of OpenTelemetry and prometheus_client


@pytest.fixture(scope="module")
def base() -> list[Doc]:
    return render(BASE)


@pytest.fixture(scope="module")
def prod() -> list[Doc]:
    return render(PROD)


@pytest.mark.parametrize("directory", [BASE, PROD], ids=["base", "prod"])
def test_every_rendered_document_validates_strictly(directory: Path):
    docs = render(directory)
    assert docs
    assert schema_errors(docs) == []


@pytest.mark.parametrize(
    ("original", "planted", "expected"),
    [
        ("timeoutSeconds: 5", "timeoutSecond: 5", "'timeoutSecond' was unexpected"),
        ("maxReplicas: 10", "maxReplicas: ten", "'ten' is not of type"),
        ("apiVersion: autoscaling/v2", "apiVersion: autoscaling/v2beta1", "Couldn't find schema"),
    ],
    ids=["unknown-field", "wrong-type", "removed-api"],
)
def test_a_planted_bad_manifest_fails_validation(
    tmp_path: Path, original: str, planted: str, expected: str
):
    copy = tmp_path / "k8s"
    shutil.copytree(K8S, copy)
    api = copy / "base" / "api.yaml"
    text = api.read_text()
    assert original in text
    api.write_text(text.replace(original, planted, 1))
    errors = schema_errors(render(copy / "overlays" / "prod"))
    assert len(errors) == 1 and expected in errors[0], errors


def test_the_base_is_namespace_agnostic_labelled_and_holds_no_secret(base: list[Doc]):
    assert not named(base, "Namespace") and not named(base, "Secret")
    for doc in base:
        assert "namespace" not in doc["metadata"], kind_name(doc)
        labels = doc["metadata"]["labels"]
        assert labels["app.kubernetes.io/name"] == "signaldesk", kind_name(doc)
        assert labels["app.kubernetes.io/part-of"] == "signaldesk", kind_name(doc)
    for doc, template in pod_templates(base):
        labels = template["metadata"]["labels"]
        assert labels["app.kubernetes.io/name"] == "signaldesk", kind_name(doc)
        assert labels["app.kubernetes.io/component"], kind_name(doc)
        assert (
            labels["app.kubernetes.io/component"]
            == doc["metadata"]["labels"]["app.kubernetes.io/component"]
        ), kind_name(doc)


def test_prod_is_in_its_namespace_and_holds_no_secret(prod: list[Doc]):
    assert not named(prod, "Secret")
    assert [d["metadata"]["name"] for d in named(prod, "Namespace")] == ["signaldesk"]
    for doc in prod:
        if doc["kind"] != "Namespace":
            assert doc["metadata"]["namespace"] == "signaldesk", kind_name(doc)


@pytest.mark.parametrize("name", sorted(SERVED))
def test_chat_and_api_run_three_replicas_with_probes_resources_and_no_root(
    prod: list[Doc], name: str
):
    component, port = SERVED[name]
    deployment = one(prod, "Deployment", name)
    assert deployment["spec"]["replicas"] == 3
    spec = deployment["spec"]["template"]["spec"]
    [container] = spec["containers"]
    assert container["name"] == component
    probes = {k: container[f"{k}Probe"]["httpGet"] for k in ("readiness", "liveness", "startup")}
    assert probes["readiness"]["path"] == "/readyz"
    assert probes["liveness"]["path"] == "/healthz"
    assert probes["startup"]["path"] == "/healthz"
    assert {port_number(container, p["port"]) for p in probes.values()} == {port}
    for part in ("requests", "limits"):
        assert set(container["resources"][part]) == {"cpu", "memory"}
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert spec["securityContext"]["runAsUser"] == 10001
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true"
    assert annotations["prometheus.io/port"] == str(port)
    assert annotations["prometheus.io/path"] == "/metrics"


def test_prod_gives_the_chat_and_the_api_more_than_the_base(base: list[Doc], prod: list[Doc]):
    for name in SERVED:
        small = one(base, "Deployment", name)["spec"]["template"]["spec"]["containers"][0]
        large = one(prod, "Deployment", name)["spec"]["template"]["spec"]["containers"][0]
        assert large["resources"] != small["resources"]
        assert gib(large["resources"]["limits"]["memory"]) > gib(
            small["resources"]["limits"]["memory"]
        )


def test_every_pod_is_unprivileged_with_writable_tmp_and_no_api_token(prod: list[Doc]):
    for doc, template in pod_templates(prod):
        spec = template["spec"]
        assert spec["securityContext"]["runAsNonRoot"] is True, kind_name(doc)
        assert spec["securityContext"]["runAsUser"] == 10001, kind_name(doc)
        assert spec["automountServiceAccountToken"] is False, kind_name(doc)
        assert spec["serviceAccountName"] == "signaldesk", kind_name(doc)
        volumes = {v["name"]: v for v in spec["volumes"]}
        for container in spec["containers"]:
            context = container["securityContext"]
            assert context["readOnlyRootFilesystem"] is True, kind_name(doc)
            assert context["allowPrivilegeEscalation"] is False, kind_name(doc)
            assert context["capabilities"]["drop"] == ["ALL"], kind_name(doc)
            mounts = {m["mountPath"]: volumes[m["name"]] for m in container["volumeMounts"]}
            assert "emptyDir" in mounts["/tmp"], kind_name(doc)
            assert "/data" in mounts, kind_name(doc)
    account = one(prod, "ServiceAccount", "signaldesk")
    assert account["automountServiceAccountToken"] is False


@pytest.mark.parametrize("name", sorted(SERVED))
def test_budgets_services_and_autoscalers_point_at_their_deployment(prod: list[Doc], name: str):
    component, port = SERVED[name]
    deployment = one(prod, "Deployment", name)
    pods = deployment["spec"]["template"]["metadata"]["labels"]
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    workloads = [t["metadata"]["labels"] for _, t in pod_templates(prod)]

    budget = one(prod, "PodDisruptionBudget", name)
    assert selects(budget["spec"]["selector"], pods)
    assert sum(selects(budget["spec"]["selector"], w) for w in workloads) == 1

    service = one(prod, "Service", name)
    assert service["spec"]["type"] == "ClusterIP"
    assert selects({"matchLabels": service["spec"]["selector"]}, pods)
    assert sum(selects({"matchLabels": service["spec"]["selector"]}, w) for w in workloads) == 1
    [service_port] = service["spec"]["ports"]
    assert port_number(container, service_port["targetPort"]) == port

    hpa = one(prod, "HorizontalPodAutoscaler", name)
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": name,
    }
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (2, 10)
    [metric] = hpa["spec"]["metrics"]
    assert metric["type"] == "Resource" and metric["resource"]["name"] == "cpu"
    assert metric["resource"]["target"]["type"] == "Utilization"


def test_the_ingress_serves_both_hosts_over_tls_and_only_the_two_services(prod: list[Doc]):
    ingresses = named(prod, "Ingress")
    main = one(prod, "Ingress", "signaldesk")
    assert main["metadata"]["annotations"]["cert-manager.io/cluster-issuer"]
    hosts = {r["host"]: r for r in main["spec"]["rules"]}
    assert set(hosts) == {"chat.example.com", "api.example.com"}
    backends: set[str] = set()
    for ingress in ingresses:
        assert ingress["spec"]["ingressClassName"] == "nginx"
        covered = {h for t in ingress["spec"]["tls"] if t.get("secretName") for h in t["hosts"]}
        for rule in ingress["spec"]["rules"]:
            assert rule["host"] in covered, (ingress["metadata"]["name"], rule["host"])
            for path in rule["http"]["paths"]:
                backend = path["backend"]["service"]
                backends.add(backend["name"])
                ports = one(prod, "Service", backend["name"])["spec"]["ports"]
                assert backend["port"]["name"] in {p["name"] for p in ports}
    assert backends == set(SERVED)
    assert route(hosts["chat.example.com"], "/") == "signaldesk-chat"
    assert route(hosts["api.example.com"], "/v1/signals") == "signaldesk-api"


def test_metrics_are_refused_at_the_ingress_on_every_host(prod: list[Doc]):
    hosts = {r["host"] for r in one(prod, "Ingress", "signaldesk")["spec"]["rules"]}
    for host in hosts:
        blocking = [
            ingress
            for ingress in named(prod, "Ingress")
            for rule in ingress["spec"]["rules"]
            if rule["host"] == host and any(p["path"] == "/metrics" for p in rule["http"]["paths"])
        ]
        assert len(blocking) == 1, host
        denied = blocking[0]["metadata"]["annotations"]
        ranges = denied["nginx.ingress.kubernetes.io/denylist-source-range"].split(",")
        assert {"0.0.0.0/0", "::/0"} <= set(ranges), host


@pytest.mark.parametrize(
    ("name", "command"),
    [
        ("signaldesk-refresh", ["jobs", "run", "refresh"]),
        ("signaldesk-briefing", ["briefing"]),
        ("signaldesk-loop", ["jobs", "run", "day"]),
    ],
)
def test_the_scheduled_jobs_are_cronjobs_that_never_overlap(
    prod: list[Doc], name: str, command: list[str]
):
    cronjob = one(prod, "CronJob", name)
    assert cronjob["spec"]["concurrencyPolicy"] == "Forbid"
    assert cronjob["spec"]["timeZone"]
    job = cronjob["spec"]["jobTemplate"]["spec"]
    assert job["template"]["spec"]["restartPolicy"] == "Never"
    [container] = job["template"]["spec"]["containers"]
    assert container["args"][: len(command)] == command
    rules = job["podFailurePolicy"]["rules"]
    assert any(r["onExitCodes"]["containerName"] == container["name"] for r in rules)


def test_the_scheduled_jobs_run_in_order_refresh_briefing_loop(prod: list[Doc]):
    def minutes(name: str) -> int:
        minute, hour, *_ = one(prod, "CronJob", name)["spec"]["schedule"].split()
        return int(hour) * 60 + int(minute)

    order = ["signaldesk-refresh", "signaldesk-briefing", "signaldesk-loop"]
    assert sorted(order, key=minutes) == order


def test_the_migration_job_upgrades_the_database_once_and_cleans_up(prod: list[Doc]):
    job = one(prod, "Job", "signaldesk-db-upgrade")
    spec = job["spec"]
    assert spec["backoffLimit"] >= 1 and spec["ttlSecondsAfterFinished"] > 0
    [container] = spec["template"]["spec"]["containers"]
    assert container["args"] == ["db", "upgrade"]
    assert spec["template"]["spec"]["restartPolicy"] == "Never"


def test_every_container_runs_the_pinned_image(prod: list[Doc]):
    kustomization = yaml.safe_load((PROD / "kustomization.yaml").read_text())
    [image] = kustomization["images"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", image["newTag"])  # a release, never latest
    pinned = f"{image['newName']}:{image['newTag']}"
    images = {container["image"] for _, container in containers(prod)}
    assert images == {pinned}


def test_every_secret_reference_names_the_operators_secret(prod: list[Doc]):
    keys: set[str] = set()
    for doc, container in containers(prod):
        for source in container.get("envFrom", []):
            if "secretRef" in source:
                assert source["secretRef"]["name"] == SECRET, kind_name(doc)
        for var in container.get("env", []):
            ref = var.get("valueFrom", {}).get("secretKeyRef")
            if ref is not None:
                assert ref["name"] == SECRET, (kind_name(doc), var["name"])
                assert ref["key"] == var["name"], (kind_name(doc), var["name"])
                keys.add(ref["key"])
    assert "SIGNALDESK_DATABASE_URL" in keys
    readme = (ROOT / "deploy" / "README.md").read_text()
    assert SECRET in readme
    assert [k for k in sorted(keys) if f"`{k}`" not in readme] == []  # every key documented


def test_network_policies_deny_by_default_and_let_in_only_the_ingress_and_prometheus(
    prod: list[Doc],
):
    policies = named(prod, "NetworkPolicy")
    deny_all = [
        p
        for p in policies
        if set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"}
        and not p["spec"].get("ingress")
        and not p["spec"].get("egress")
    ]
    for doc, template in pod_templates(prod):
        labels = template["metadata"]["labels"]
        assert any(selects(p["spec"]["podSelector"], labels) for p in deny_all), kind_name(doc)
    for name in SERVED:
        labels = one(prod, "Deployment", name)["spec"]["template"]["metadata"]["labels"]
        rules = [
            rule
            for p in policies
            if selects(p["spec"]["podSelector"], labels)
            for rule in p["spec"].get("ingress", [])
        ]
        sources = {
            peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]
            for rule in rules
            for peer in rule["from"]
        }
        assert sources == {"ingress-nginx", "monitoring"}, name
    egress_ports = {
        port["port"]
        for p in policies
        for rule in p["spec"].get("egress", [])
        for port in rule["ports"]
    }
    assert {53, 5432, 6379, 443, 4318} <= egress_ports


@pytest.mark.parametrize("directory", [BASE, PROD], ids=["base", "prod"])
def test_every_variable_the_containers_set_is_a_setting(directory: Path):
    docs = render(directory)
    config_maps = {d["metadata"]["name"]: d.get("data", {}) for d in named(docs, "ConfigMap")}
    names: set[str] = set()
    for _, container in containers(docs):
        names |= {var["name"] for var in container.get("env", [])}
        for source in container.get("envFrom", []):
            if "configMapRef" in source:
                names |= set(config_maps[source["configMapRef"]["name"]])
    assert names
    fields = set(Settings.model_fields)
    unknown = [
        n
        for n in sorted(names)
        if not (n.startswith("SIGNALDESK_") and n.removeprefix("SIGNALDESK_").lower() in fields)
        and not n.startswith(ENV_PREFIXES)
    ]
    assert unknown == []


def test_the_prod_settings_load(prod: list[Doc], monkeypatch: pytest.MonkeyPatch):
    [config] = [d for d in named(prod, "ConfigMap") if "SIGNALDESK_PROFILE" in d.get("data", {})]
    for key, value in config["data"].items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("SIGNALDESK_DATABASE_URL", "postgresql+psycopg://u:p@db:5432/signaldesk")
    settings = Settings(_env_file=None)
    assert (settings.profile, settings.log_format, settings.log_file) == ("prod", "json", False)
    assert settings.home == Path("/data")


@pytest.mark.parametrize("directory", [BASE, PROD], ids=["base", "prod"])
def test_every_command_the_containers_run_exists(directory: Path):
    from cli import app

    root = typer.main.get_command(app)
    commands = {tuple(c["args"]) for _, c in containers(render(directory))}
    assert commands
    for args in sorted(commands):
        path, command = command_path(root, list(args))
        assert path, args
        rest = args[len(path) :]
        unknown_sub = hasattr(command, "commands") and rest and not rest[0].startswith("-")
        assert not unknown_sub, args  # a group given a word that names none of its commands
        declared = {o for p in command.params for o in (*p.opts, *p.secondary_opts)}
        assert [a for a in args if a.startswith("-") and a not in declared] == [], args
        out = run(*path, "--help")
        assert out.returncode == 0, (args, out.stderr)
