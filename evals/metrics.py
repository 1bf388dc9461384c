"""Deterministic metrics of one case: what the agent did against what the case expects.

Every check is computed from the ``RunResult`` (tools called, the answer, its verification) and
from references computed independently of the run (the deterministic signal and the facts read
from the tools' own evidence at the case's as-of date). A case passes when every check holds.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from agent.answer import Answer, citation_ids
from agent.numbers import extract
from agent.runner import RunResult
from evals.answer_first import first_named, first_sentence, is_decline, says
from evals.suite import AnswerExpect, Case, Fact, Said

__all__ = ["AnswerReferences", "CaseScore", "FactCheck", "check_answer", "read_path", "score_case"]


class FactCheck(BaseModel):
    model_config = ConfigDict(frozen=True)

    path: str
    expected: float | None
    found: bool
    error: str | None = None


class CaseScore(BaseModel):
    """The checks of one case (None: the case does not ask for it) and the run's costs."""

    model_config = ConfigDict(frozen=True)

    case_id: str
    tags: list[str] = Field(default_factory=list)
    passed: bool
    failures: list[str] = Field(default_factory=list)
    tools_called: list[str] = Field(default_factory=list)
    tool_precision: float | None = None
    tool_recall: float | None = None
    signal_agrees: bool | None = None
    numeric_faithfulness: float | None = None  # numbers found in the evidence / numbers written
    citation_valid: bool | None = None
    refusal_correct: bool
    completeness: float | None = None  # facts, cited kinds, phrases and tickers present
    answers_question: bool | None = None  # the first sentence carries what was asked
    first_sentence: str = ""
    facts: list[FactCheck] = Field(default_factory=list)
    latency_s: float = 0.0
    tokens: int = 0
    cost_usd: float = 0.0
    answer: str = ""


_SELECT = re.compile(r"^(?P<key>[^\[]+)\[(?P<where>[^\]]+)\]$")
_PART = re.compile(r"[^.\[]+(?:\[[^\]]*\])?")  # dots inside [...] do not split


def _coerce(text: str) -> Any:  # noqa: ANN401
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text


def read_path(values: Mapping[str, Any], path: str) -> Any:  # noqa: ANN401
    """``a.b``, ``rows[method=historical,level=0.99].var``, ``rows.0.x`` into nested values."""
    node: Any = values
    for part in _PART.findall(path):
        match = _SELECT.match(part)
        if match is not None:
            node = node[match["key"]]
            wanted = dict(pair.split("=", 1) for pair in match["where"].split(","))
            hits = [
                row
                for row in node
                if all(row.get(k) == _coerce(v) or str(row.get(k)) == v for k, v in wanted.items())
            ]
            if not hits:
                raise KeyError(f"no row of {match['key']} with {match['where']}")
            node = hits[0]
        elif isinstance(node, list):
            node = node[int(part)]
        else:
            node = node[part]
    return node


def _fact_found(text: str, fact: Fact, expected: float) -> bool:
    target = (expected * 100 if fact.percent else expected) * fact.scale
    target = abs(target) if fact.absolute else target
    for q in extract(text):
        if q.is_date or q.literal is None:
            continue
        if fact.percent and q.unit != "%":
            continue
        amount = q.literal * (fact.scale if q.scale == 1 else q.scale)  # q.value of a number
        written = abs(amount) if fact.absolute else amount
        if abs(written - target) <= fact.tolerance * fact.scale:
            return True
    return False


@dataclass(frozen=True)
class AnswerReferences:
    """The references of a case's answer expectation, computed without the agent: each fact
    and ``said`` word with its value (or the error computing it), and the ``which`` ticker."""

    facts: list[tuple[Fact, float | None, str | None]] = field(default_factory=list)
    said: list[tuple[Said, str | None, str | None]] = field(default_factory=list)
    which: tuple[str | None, str | None] | None = None


def check_answer(expect: AnswerExpect, answer: Answer, refs: AnswerReferences) -> list[str]:
    """What the answer's first sentence misses of ``expect`` (empty: it answers the question).
    Facts are matched as in the whole answer, but on the first sentence only."""
    sentence = first_sentence(answer.markdown)
    if len(refs.facts) != len(expect.facts) or len(refs.said) != len(expect.said):
        raise ValueError("the answer's references do not match its expectation")
    missing = [
        f"{f.tool}:{f.path} = {value}" if error is None else f"{f.tool}:{f.path} ({error})"
        for f, value, error in refs.facts
        if value is None or not _fact_found(sentence, f, value)
    ]
    if expect.any and not any(says(sentence, w) for w in expect.any):
        missing.append(f"none of {expect.any}")
    missing += [repr(w) for w in expect.all if not says(sentence, w)]
    for said, word, error in refs.said:
        if word is None or not says(sentence, word):
            missing.append(f"{said.tool}:{said.path} = {word!r}" + (f" ({error})" if error else ""))
    if expect.which is not None:
        ticker, error = refs.which or (None, "not computed")
        tickers = list(expect.which.args.get("tickers", []))
        named = first_named(sentence, tickers)
        if ticker is None or named != ticker:
            missing.append(f"which: {ticker or error} named first (named first: {named})")
    if expect.decline and not (
        answer.refused and is_decline(sentence, reason=answer.refusal_reason)
    ):
        missing.append("a decline" if not answer.refused else "the decline first")
    return missing


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def score_case(
    case: Case,
    result: RunResult,
    *,
    facts: list[tuple[Fact, float | None, str | None]],
    expected_signal: tuple[str, str] | None,
    answer_refs: AnswerReferences | None = None,
) -> CaseScore:
    """Score ``result`` (the case's last turn). ``facts``: each fact with its reference value
    (or the error computing it); ``expected_signal``: (action, evidence id) of the
    deterministic signal for ``case.expect.signal``; ``answer_refs``: the references of
    ``case.expect.answer``."""
    expect, answer = case.expect, result.answer
    text = answer.markdown
    lowered = text.lower()
    failures: list[str] = []
    called = [s.name for s in result.steps]
    names = set(called)
    must, allowed = set(expect.tools.must), set(expect.tools.must) | set(expect.tools.may)
    recall = _ratio(len(names & must), len(must))
    precision = _ratio(len(names & allowed), len(names)) if allowed else None
    if recall is not None and recall < 1:
        failures.append(f"tools not called: {sorted(must - names)}")
    if forbidden := names & set(expect.tools.must_not):
        failures.append(f"tools that must not be called: {sorted(forbidden)}")
    refusal_correct = answer.refused == expect.refuse
    if not refusal_correct:
        failures.append("refused" if answer.refused else "answered a question it should refuse")
    agrees = None
    if expected_signal is not None:
        view = answer.signal
        agrees = view is not None and (view.action.value, view.evidence_id) == expected_signal
        if not agrees:
            got = "no signal" if view is None else f"{view.action.value} [{view.evidence_id}]"
            failures.append(f"signal {got}, expected {expected_signal[0]} [{expected_signal[1]}]")
    checks = result.verification.numbers
    faithful = _ratio(len(checks) - len(result.verification.unmatched), len(checks))
    if faithful is not None and faithful < 1:
        failures.append(
            f"numbers not in the evidence: {[c.text for c in result.verification.unmatched]}"
        )
    v = result.verification
    citation_valid = not v.bad_citations and not v.uncited_reasons
    if not citation_valid:
        failures.append(f"citations: {v.problems()}")
    fact_checks = [
        FactCheck(
            path=f"{f.tool}:{f.path}",
            expected=value,
            error=error,
            found=value is not None and _fact_found(text, f, value),
        )
        for f, value, error in facts
    ]
    present = [c.found for c in fact_checks]
    failures += [f"fact missing: {c.path} = {c.expected}" for c in fact_checks if not c.found]
    cited = {e.kind for e in result.evidence if e.id in {i for i, _ in citation_ids(text)}}
    for kind in expect.citations:
        present.append(kind in cited)
        if kind not in cited:
            failures.append(f"no {kind} evidence cited")
    for phrase in expect.phrases:
        present.append(phrase.lower() in lowered)
        if phrase.lower() not in lowered:
            failures.append(f"missing phrase {phrase!r}")
    if expect.tickers is not None:
        same = sorted(answer.tickers) == sorted(expect.tickers)
        present.append(same)
        if not same:
            failures.append(f"tickers {answer.tickers}, expected {expect.tickers}")
    failures += [f"forbidden phrase {p!r}" for p in expect.forbid if p.lower() in lowered]
    answers = None
    if expect.answer is not None:
        missed = check_answer(expect.answer, answer, answer_refs or AnswerReferences())
        answers = not missed
        if missed:
            failures.append(f"first sentence does not answer: missing {'; '.join(missed)}")
    return CaseScore(
        case_id=case.id,
        tags=list(case.tags),
        passed=not failures,
        failures=failures,
        tools_called=called,
        tool_precision=precision,
        tool_recall=recall,
        signal_agrees=agrees,
        numeric_faithfulness=faithful,
        citation_valid=citation_valid,
        refusal_correct=refusal_correct,
        completeness=_ratio(sum(present), len(present)),
        answers_question=answers,
        first_sentence=first_sentence(text),
        facts=fact_checks,
        latency_s=result.elapsed_s,
        tokens=result.tokens,
        cost_usd=result.cost_usd,
        answer=text,
    )
