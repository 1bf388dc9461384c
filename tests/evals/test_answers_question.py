"""The "answers the question" metric: each check of an answer expectation on the first
sentence only, and its suite metric."""

from __future__ import annotations

from datetime import date

import pytest

from agent.answer import Answer
from evals.metrics import AnswerReferences, CaseScore, check_answer
from evals.runner import METRICS, gate, summarize
from evals.suite import AnswerExpect, Fact, Said, SuiteError, Which, load_suite

AS_OF = date(2012, 6, 29)
VAR = Fact(tool="risk", args={"ticker": "IBM"}, path="x", percent=True, tolerance=0.006)


def _answer(markdown: str, *, refused: bool = False, reason: str | None = None) -> Answer:
    return Answer(
        question="q",
        as_of=AS_OF,
        markdown=markdown,
        refused=refused,
        refusal_reason=(reason or markdown) if refused else None,
    )


def _check(expect: AnswerExpect, markdown: str, refs: AnswerReferences, **kw: object) -> list[str]:
    return check_answer(expect, _answer(markdown, **kw), refs)  # type: ignore[arg-type]


def test_a_fact_counts_in_the_first_sentence_only() -> None:
    expect = AnswerExpect(facts=[VAR])
    refs = AnswerReferences(facts=[(VAR, 0.0384, None)])
    assert _check(expect, "IBM's 99% 21-day VaR is 3.84% [E-risk-1]. More.", refs) == []
    missed = _check(expect, "Here is IBM's risk. The 99% 21-day VaR is 3.84%.", refs)
    assert missed == ["risk:x = 0.0384"]
    assert _check(expect, "### IBM risk\n\nThe VaR is 3.84%.", refs) == ["risk:x = 0.0384"]
    failed = AnswerReferences(facts=[(VAR, None, "unknown tool")])
    assert _check(expect, "VaR is 3.84%.", failed) == ["risk:x (unknown tool)"]


def test_a_figure_in_millions_matches_however_its_magnitude_is_written() -> None:
    fact = Fact(tool="filing_figure", path="by_year.2010", scale=1e6, tolerance=60)
    refs = AnswerReferences(facts=[(fact, 61870.0, None)])
    expect = AnswerExpect(facts=[fact])
    for written in ("$61,870 million", "$61.9 billion", "61,870 (USD millions)"):
        assert _check(expect, f"Net sales were {written} in fiscal 2010.", refs) == [], written
    assert _check(expect, "Net sales were $60.1 billion in fiscal 2010.", refs) != []


def test_any_needs_one_whole_word_and_all_needs_every_one() -> None:
    expect = AnswerExpect(any=["yes", "no"], all=["IBM", "RSI"])
    refs = AnswerReferences()
    assert _check(expect, "No: IBM is not overbought (RSI 55.6). Yes later.", refs) == []
    assert _check(expect, "IBM's RSI is 55.6. No, not overbought.", refs) == [
        "none of ['yes', 'no']"
    ]
    assert _check(expect, "Nope: IBM is fine.", refs) == ["none of ['yes', 'no']", "'RSI'"]


def test_said_words_are_read_from_the_evidence() -> None:
    said = Said(tool="signal", args={"ticker": "AAPL"}, path="regime")
    expect = AnswerExpect(said=[said])
    assert (
        _check(
            expect, "AAPL is in a choppy regime.", AnswerReferences(said=[(said, "choppy", None)])
        )
        == []
    )
    missed = _check(
        expect, "AAPL: neither bull nor bear.", AnswerReferences(said=[(said, "choppy", None)])
    )
    assert missed == ["signal:regime = 'choppy'"]


def test_which_names_the_reference_company_first() -> None:
    which = Which(args={"tickers": ["IBM", "MSFT"], "metric": "risk"}, key="volatility_annual")
    expect = AnswerExpect(which=which, any=["riskier", "more volatile"])
    refs = AnswerReferences(which=("MSFT", None))
    assert _check(expect, "Microsoft is riskier than IBM (volatility 25% vs 20%).", refs) == []
    missed = _check(expect, "IBM is riskier than Microsoft.", refs)
    assert missed == ["which: MSFT named first (named first: IBM)"]
    assert _check(expect, "MSFT is riskier.", AnswerReferences()) == [
        "which: not computed named first (named first: MSFT)"
    ]


def test_a_decline_is_refused_and_says_so_first() -> None:
    expect = AnswerExpect(decline=True)
    refs = AnswerReferences()
    text = "I can't give an exact price forecast for AAPL. I can show its VaR instead."
    assert _check(expect, text, refs, refused=True) == []
    assert _check(expect, text, refs) == ["a decline"]
    heading = "### AAPL: HOLD (as of 2012-06-29)\n\nI can't forecast an exact price."
    assert _check(expect, heading, refs, refused=True, reason="x") == ["the decline first"]
    future = "2014-01-01 is after the as-of date 2013-03-01."
    assert _check(expect, future, refs, refused=True) == []


def test_references_that_do_not_match_the_expectation_are_an_error() -> None:
    with pytest.raises(ValueError, match="references"):
        _check(AnswerExpect(facts=[VAR]), "x", AnswerReferences())


def test_an_empty_answer_expectation_is_rejected(tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "s.yaml"
    path.write_text("name: s\ncases:\n  - {id: a, question: q, expect: {answer: {}}}\n")
    with pytest.raises(SuiteError, match="needs facts, any, all"):
        load_suite(path)


def test_the_suite_metric_is_the_mean_over_cases_that_ask_and_gates_at_one() -> None:
    def score(case_id: str, answers: bool | None) -> CaseScore:
        return CaseScore(
            case_id=case_id, passed=bool(answers), refusal_correct=True, answers_question=answers
        )

    metrics = summarize([score("a", True), score("b", False), score("c", None)])
    assert metrics["answers_question"] == 0.5 and "answers_question" in METRICS
    assert gate(metrics, {"answers_question": 1.0}) == ["answers_question 0.5 is below 1"]
    assert summarize([score("c", None)])["answers_question"] is None
