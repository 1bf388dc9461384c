from __future__ import annotations

from pathlib import Path
from typing import get_args

import pytest

from agent.request import Ask
from evals.metrics import read_path
from evals.suite import Case, SuiteError, available_suites, load_suite


def test_the_core_suite_loads_and_its_ids_are_unique() -> None:
    assert "core" in available_suites()
    suite = load_suite("core")
    assert suite.name == "core" and len({c.id for c in suite.cases}) == len(suite.cases)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("name: x\ncases: []\n", "cases"),
        ("name: x\ncases:\n  - {id: a}\n", "question or turns"),
        ("name: x\ncases:\n  - {id: a, question: q}\n  - {id: a, question: r}\n", "twice"),
        ("name: x\ncases:\n  - {id: a, question: q, expect: {tools: {mustt: [x]}}}\n", "mustt"),
        ("name: [unclosed\n", "cannot read"),
    ],
)
def test_malformed_suites_are_named_errors(tmp_path: Path, text: str, needle: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(SuiteError, match=needle):
        load_suite(path)


def test_unknown_suite_lists_the_known_ones() -> None:
    with pytest.raises(SuiteError, match="bundled suites are .*core"):
        load_suite("nope")


def test_paths_select_rows_and_keep_dots_inside_selectors() -> None:
    values = {
        "results": [
            {"method": "normal", "level": 0.99, "var": 1.0},
            {"method": "historical", "level": 0.99, "var": 2.0},
        ],
        "drawdown": {"quantiles": {"0.5": 0.15}},
        "rows": [[1, 2], [3, 4]],
    }
    assert read_path(values, "results[method=historical,level=0.99].var") == 2.0
    assert read_path(values, "rows.1.0") == 3
    with pytest.raises(KeyError, match="no row"):
        read_path(values, "results[method=bootstrap].var")
    assert Case(id="c", turns=["a", "b"]).messages == ["a", "b"]


def test_the_questions_suite_asks_every_kind_of_question_answer_first() -> None:
    """At least 150 cases, unique ids, each with an answer expectation and tagged with the
    typed request's ask (``ask:<Ask>``); every Ask is covered, declines expect a refusal."""
    suite = load_suite("questions")
    assert len(suite.cases) >= 150 and len({c.id for c in suite.cases}) == len(suite.cases)
    asks = [[t.removeprefix("ask:") for t in c.tags if t.startswith("ask:")] for c in suite.cases]
    assert all(len(a) == 1 for a in asks), "each case names exactly one ask"
    assert {a[0] for a in asks} == set(get_args(Ask))
    assert all(c.expect.answer is not None for c in suite.cases)
    for case in suite.cases:
        assert case.expect.answer is not None
        declines = any(t.startswith("decline:") for t in case.tags)
        assert not declines or (case.expect.answer.decline and case.expect.refuse), case.id


def test_every_core_case_expects_an_answer_first_and_refusals_a_decline() -> None:
    """The release gate holds every case to answer-first (issue 14): each core case says what its
    first sentence must carry, and a case that must be refused expects the decline first."""
    suite = load_suite("core")
    missing = [c.id for c in suite.cases if c.expect.answer is None]
    assert not missing, f"core cases without an answer expectation: {missing}"
    for case in suite.cases:
        assert case.expect.answer is not None
        assert case.expect.answer.decline == case.expect.refuse, case.id
