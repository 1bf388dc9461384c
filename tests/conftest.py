"""Shared fixtures: every test gets its own SIGNALDESK_HOME and no stray SIGNALDESK_* settings."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# No per-example wall-clock deadline: on a shared 2-core machine (and with parallel workers) a
# deadline fails tests for the machine's load, not for the code. Speed lives in benchmarks/.
settings.register_profile("signaldesk", deadline=None)
settings.load_profile("signaldesk")


def isolate(monkeypatch: pytest.MonkeyPatch, root: Path) -> None:
    """No SIGNALDESK_* (nor OTEL_*: no trace leaves a test unasked) from the outside; home
    under ``root``; profile test; cwd ``root``."""
    for name in list(os.environ):
        if name.startswith(("SIGNALDESK_", "OTEL_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("SIGNALDESK_HOME", str(root / "home"))
    monkeypatch.setenv("SIGNALDESK_PROFILE", "test")
    monkeypatch.chdir(root)


@pytest.fixture(autouse=True)
def _isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate(monkeypatch, tmp_path)
