"""Fixtures for the eval tests: an offline agent in its own home with the core suite's
documents indexed and its calls recorded (module-scoped: the suite's cases share it)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from agent.deps import deps_from_settings
from agent.runner import Agent
from core.settings import load_settings
from evals.calls import record_suite_calls
from evals.documents import index_suite_documents
from evals.suite import load_suite
from tests.conftest import isolate


@pytest.fixture(scope="module")
def core_agent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Agent]:
    root = tmp_path_factory.mktemp("eval-home")
    with pytest.MonkeyPatch.context() as mp:
        isolate(mp, root)
        settings = load_settings()
        suite = load_suite("core")
        index_suite_documents(suite, settings=settings, folder=root / "documents")
        record_suite_calls(suite, settings=settings)
        yield Agent(deps_from_settings(settings, model=None))
