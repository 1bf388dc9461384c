"""Every data file inside a product package ships in the wheel: a file the code loads at run time
(a prompt, the sentiment head, the chat's assets) but missing from
``[tool.setuptools.package-data]`` works in an editable install and silently vanishes from an
installed copy (the Docker image)."""

from __future__ import annotations

import fnmatch
import subprocess
import tomllib
from pathlib import Path

from tests.test_architecture import PACKAGES

ROOT = Path(__file__).resolve().parents[1]


def _patterns() -> dict[str, list[str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return project["tool"]["setuptools"]["package-data"]


def covered(path: Path, patterns: dict[str, list[str]]) -> bool:
    """Whether setuptools takes ``path`` (relative to the repository) into the wheel: a pattern
    of its top-level package (relative to that package) or a ``"*"`` pattern (relative to the
    file's own package folder)."""
    package, *rest = path.parts
    inside = "/".join(rest)
    if any(fnmatch.fnmatch(inside, p) for p in patterns.get(package, [])):
        return True
    return any(fnmatch.fnmatch(path.name, p) for p in patterns.get("*", []))


def data_files() -> list[Path]:
    """The product packages' files that are not Python: tracked, or new and not ignored."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "--", *PACKAGES],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.splitlines()
    paths = (Path(line) for line in listed)
    return sorted(p for p in paths if p.suffix not in (".py", ".pyc") and (ROOT / p).is_file())


def test_every_data_file_of_the_product_is_in_package_data() -> None:
    patterns = _patterns()
    missing = [str(p) for p in data_files() if not covered(p, patterns)]
    assert missing == [], f"add to [tool.setuptools.package-data]: {missing}"


def test_the_check_fails_on_an_uncovered_file() -> None:
    patterns = {"*": ["*.md"], "ui": ["assets/*.toml"]}
    assert covered(Path("quant/sentiment/MODEL_CARD.md"), patterns)
    assert covered(Path("ui/assets/config.toml"), patterns)
    assert not covered(Path("quant/sentiment/minilm_head.json"), patterns)
    assert not covered(Path("ui/assets/public/logo.svg"), patterns)
