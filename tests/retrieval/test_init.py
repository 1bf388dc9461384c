from __future__ import annotations

import subprocess
import sys

import retrieval


def test_every_public_name_resolves() -> None:
    assert sorted(retrieval.__all__) == sorted(retrieval._EXPORTS)
    for name in retrieval.__all__:
        assert getattr(retrieval, name) is not None, name


def test_importing_the_types_does_not_import_the_readers_dependencies() -> None:
    code = (
        "import sys, retrieval.types; "
        "print(sorted(m for m in ('bs4', 'lxml', 'pypdf', 'httpx') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
