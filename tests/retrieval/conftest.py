"""Fixtures of the retrieval tests: the small invented fixtures, and ../shared/data when present."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED_DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"


@pytest.fixture
def fixtures() -> Path:
    """tests/retrieval/fixtures: small files written for these tests (invented content)."""
    return FIXTURES


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data from the repository root; the test skips when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data not found at {SHARED_DATA.resolve()} (not part of a fresh clone)")
    return SHARED_DATA.resolve()
