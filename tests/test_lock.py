"""requirements.lock (make install) and requirements-runtime.lock (the Docker image) against
pyproject.toml: every dependency pinned, within its declared range, with hashes; PyTorch the
CPU build; the two locks agree on every package they share."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
_PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s\\;]+)")


def _pins(name: str) -> dict[str, tuple[Version, int]]:
    """Package -> (pinned version, number of hashes) of a lock file."""
    pins: dict[str, tuple[Version, int]] = {}
    current = None
    for line in (ROOT / name).read_text().splitlines():
        found = _PIN.match(line)
        if found:
            current = canonicalize_name(found[1])
            pins[current] = (Version(found[2]), 0)
        elif current and line.strip().startswith("--hash=sha256:"):
            version, hashes = pins[current]
            pins[current] = (version, hashes + 1)
        elif not line.startswith(" "):
            current = None
    return pins


def _declared(*, dev: bool) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    listed = project["dependencies"] + (project["optional-dependencies"]["dev"] if dev else [])
    return [Requirement(spec) for spec in listed]


@pytest.mark.parametrize(
    ("lock", "dev"), [("requirements.lock", True), ("requirements-runtime.lock", False)]
)
def test_every_dependency_is_pinned_within_its_range_with_hashes(lock: str, dev: bool) -> None:
    pins = _pins(lock)
    for req in _declared(dev=dev):
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is in pyproject.toml but not in {lock}: run make lock"
        version, hashes = pins[name]
        assert req.specifier.contains(version, prereleases=True), (
            f"{lock} pins {req.name}=={version}, outside pyproject's {req.specifier}: make lock"
        )
    unhashed = sorted(name for name, (_, hashes) in pins.items() if hashes == 0)
    assert unhashed == []


def test_torch_is_the_cpu_build_and_the_locks_agree() -> None:
    dev, runtime = _pins("requirements.lock"), _pins("requirements-runtime.lock")
    assert dev["torch"][0].local == "cpu"  # PyPI's Linux wheel is the CUDA build (GBs)
    assert not any(name.startswith("nvidia-") for name in dev)
    assert set(runtime) <= set(dev)
    differ = {n: (runtime[n][0], dev[n][0]) for n in runtime if runtime[n][0] != dev[n][0]}
    assert differ == {}
