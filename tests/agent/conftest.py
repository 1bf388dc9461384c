"""Fixtures for the agent tests: a scripted OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.agent._fake_openai import FakeOpenAI, running


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    """A fresh ``FakeOpenAI`` for the test; its ``base_url`` ends in ``/v1``."""
    with running() as fake:
        yield fake
