"""Property-based tests of the whole API against its own OpenAPI document (schemathesis):
generated requests to every operation, valid and not, with a token that has every scope. No
response may be a 500, every response must match the document (status, headers, body), and
requests the document rules out must be refused.

Not checked: that every request the document allows is accepted. The document cannot say
which symbols exist, that a date must not be after today, or that a ticker has enough history
at that date; those answers are 4xx by design (tests/api/test_market.py)."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings

from tests.api.conftest import Api, make_api

schemathesis = pytest.importorskip("schemathesis")
from schemathesis.specs.openapi.checks import positive_data_acceptance  # noqa: E402

# generated requests per operation; SIGNALDESK_API_FUZZ_EXAMPLES=200 for a deeper run
EXAMPLES = int(os.environ.get("SIGNALDESK_API_FUZZ_EXAMPLES", "12"))


@pytest.fixture
def fuzzed() -> Iterator[Api]:
    yield from make_api(api_rate_per_minute=1e9, api_burst=1_000_000)


def _exercise(operation, headers: dict[str, str], cases: Counter[str]) -> None:  # noqa: ANN001
    """Generated requests to one operation, each checked against the document."""

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    def call(case) -> None:  # noqa: ANN001 - schemathesis.Case
        cases[operation.label] += 1
        case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

    call()


@pytest.mark.slow
def test_every_operation_answers_by_its_document(fuzzed: Api) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzzed.app)
    headers = {"Authorization": f"Bearer {fuzzed.token('read', 'ask', 'briefing', 'admin')}"}
    cases: Counter[str] = Counter()
    for found in schema.get_all_operations():
        _exercise(found.ok(), headers, cases)
    print(f"\nschemathesis: {sum(cases.values())} generated cases over {len(cases)} operations")
    for label, n in sorted(cases.items()):
        print(f"  {label}: {n}")
    assert len(cases) >= 14  # every operation of the document was exercised
