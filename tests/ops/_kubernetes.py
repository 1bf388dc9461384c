"""Rendering and reading the Kubernetes manifests of ``deploy/k8s`` for the tests.

``render`` runs ``kubectl kustomize`` (kubectl's built-in kustomize: no cluster, no network);
``schema_errors`` checks documents strictly against the API schemas bundled with
``kubernetes-validate`` for ``K8S_VERSION`` (an unknown field is an error, as is a kind or an
apiVersion that version does not serve).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import kubernetes_validate  # type: ignore[import-untyped]  # no py.typed
import pytest
import yaml

Doc = dict[str, Any]

# The oldest Kubernetes the manifests are written for (deploy/README.md): CronJob timeZone is
# GA since 1.27, Job podFailurePolicy on by default since 1.26 (GA 1.31).
K8S_VERSION = "1.30.0"
RENDER_TIMEOUT_S = 60
POD_KINDS = ("Deployment", "Job", "CronJob")


def kubectl() -> str:
    """The kubectl executable, or skip: the tests render with its built-in kustomize."""
    exe = shutil.which("kubectl")
    if exe is None:
        pytest.skip("kubectl is not installed (its built-in kustomize renders deploy/k8s)")
    return exe


def render(directory: Path) -> list[Doc]:
    """The documents ``kubectl kustomize directory`` prints (the build must succeed)."""
    out = subprocess.run(
        [kubectl(), "kustomize", str(directory)],
        capture_output=True,
        text=True,
        timeout=RENDER_TIMEOUT_S,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    return [doc for doc in yaml.safe_load_all(out.stdout) if doc]


def kind_name(doc: Doc) -> str:
    return f"{doc['kind']}/{doc['metadata']['name']}"


def schema_errors(docs: Iterable[Doc], version: str = K8S_VERSION) -> list[str]:
    """One line per document that does not validate strictly against ``version``'s schemas."""
    errors = []
    for doc in docs:
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as err:
            where = ".".join(str(p) for p in err.path)
            errors.append(f"{kind_name(doc)}: {where}: {err.message}")
        except kubernetes_validate.SchemaNotFoundError as err:
            errors.append(f"{kind_name(doc)}: {err.message}")
    return errors


def named(docs: Iterable[Doc], kind: str, name: str | None = None) -> list[Doc]:
    """The documents of ``kind`` (and ``name``, when given)."""
    return [
        d for d in docs if d["kind"] == kind and (name is None or d["metadata"]["name"] == name)
    ]


def one(docs: Iterable[Doc], kind: str, name: str) -> Doc:
    found = named(docs, kind, name)
    assert len(found) == 1, f"{kind}/{name}: {len(found)} documents"
    return found[0]


def pod_template(doc: Doc) -> Doc:
    """The pod template (metadata and spec) of a Deployment, a Job or a CronJob."""
    spec = doc["spec"]["jobTemplate"]["spec"] if doc["kind"] == "CronJob" else doc["spec"]
    template: Doc = spec["template"]
    return template


def pod_templates(docs: Iterable[Doc]) -> Iterator[tuple[Doc, Doc]]:
    """(workload, pod template) for every workload among ``docs``."""
    for doc in docs:
        if doc["kind"] in POD_KINDS:
            yield doc, pod_template(doc)


def containers(docs: Iterable[Doc]) -> Iterator[tuple[Doc, Doc]]:
    """(workload, container) for every container and init container of every workload."""
    for doc, template in pod_templates(docs):
        spec = template["spec"]
        for container in spec.get("initContainers", []) + spec["containers"]:
            yield doc, container


def selects(selector: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    """Whether a label selector (matchLabels and matchExpressions) matches ``labels``."""
    for key, value in selector.get("matchLabels", {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions", []):
        key, op, values = expr["key"], expr["operator"], expr.get("values", [])
        matched = {
            "In": key in labels and labels[key] in values,
            "NotIn": key not in labels or labels[key] not in values,
            "Exists": key in labels,
            "DoesNotExist": key not in labels,
        }[op]
        if not matched:
            return False
    return True


def port_number(container: Doc, port: int | str) -> int:
    """A container port given by number or by name."""
    if isinstance(port, int):
        return port
    numbers = [p["containerPort"] for p in container.get("ports", []) if p.get("name") == port]
    assert numbers, f"{container['name']} has no port named {port!r}"
    return int(numbers[0])


def command_path(root: Any, args: list[str]) -> tuple[list[str], Any]:
    """The command words of ``args`` and the command they name in ``root`` (Typer's click
    command tree: a group's subcommands descend while the next word names one)."""
    path: list[str] = []
    command = root
    for word in args:
        sub = getattr(command, "commands", {}).get(word)
        if sub is None:
            break
        path.append(word)
        command = sub
    return path, command


def route(rule: Doc, url: str) -> str:
    """The Service an Ingress rule sends ``url`` to (longest matching Prefix path)."""
    paths = [p for p in rule["http"]["paths"] if url.startswith(p["path"])]
    best = max(paths, key=lambda p: len(p["path"]))
    name: str = best["backend"]["service"]["name"]
    return name


def gib(quantity: str) -> float:
    """A memory quantity in Mi or Gi, in GiB."""
    units = {"Mi": 1 / 1024, "Gi": 1.0}
    return float(quantity[:-2]) * units[quantity[-2:]]
