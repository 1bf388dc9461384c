"""The deterministic verifier: every number, date and citation an answer states is checked
against the run's ledger, and the signal against the signal evidence.

Matching a written number x with d decimals against a ledger number v: x matches when it lies
within half a unit of its last written digit (0.5 * 10**-d) of v, of 100·v when x is a
percentage (of 10,000·v for basis points), with v first divided by the written magnitude
($1.2 billion -> v / 1e9). A number written with an explicit sign must match in sign, except
for losses (VaR, CVaR, drawdowns), which are quoted either way; an unsigned number matches |v|.
Dates match a ledger date of the same day, month, quarter or year.

A number is only supported by evidence about what its sentence says it is (``agent.metrics``):
"99% 1-day VaR 2.1%" by a 99%, 1-day VaR, "RSI 53.4" by an RSI, "confidence 0.03" by a
confidence; a number of no named metric by any fact except a confidence. Never by what is no
fact (``NumberFact.fact``): a withheld passage's text, an id, a source string. Actions and
guarantees written in words are checked by ``agent.claims``. ``agent.repair`` removes what did
not verify and says so in ``warnings``; a wrong signal is not repairable by text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from agent.answer import CITATION_GROUP, EVIDENCE_ID, Answer, Reason, SignalView, citation_ids
from agent.claims import Claim, claim_issues
from agent.ledger import Ledger, NumberFact, Period, Quantity
from agent.metrics import Label, label_numbers

__all__ = [
    "Check",
    "Claim",
    "Issue",
    "SignalMismatchError",
    "Verification",
    "supporting_ids",
    "verify",
]

SIGNAL_TOLERANCE = 1e-9
REMOVED = "[removed: unverified]"
_FACTORS = {"": (1.0,), "%": (100.0, 1.0), "bp": (1e4, 1.0)}


class SignalMismatchError(ValueError):
    """The answer's signal is not the ledger's: rebuild it with ``SignalView.from_evidence``."""


class Check(BaseModel):
    """A number or date written in one text field of the answer, and the evidence it matched."""

    model_config = ConfigDict(frozen=True)

    field: str  # "markdown", "reasons[0]", "risks[2]"
    text: str
    value: float | str
    span: tuple[int, int]
    matched_evidence_ids: list[str]


class Issue(BaseModel):
    model_config = ConfigDict(frozen=True)

    field: str
    evidence_id: str
    problem: Literal["unknown evidence", "other ticker", "window mismatch"]
    detail: str = ""


class Verification(BaseModel):
    model_config = ConfigDict(frozen=True)

    ok: bool
    numbers: list[Check]
    unmatched: list[Check]
    bad_citations: list[Issue]
    uncited_reasons: list[str]  # fields of reasons/risks without a citation that holds
    bad_windows: list[Issue]
    signal_mismatch: str | None = None
    claims: list[Claim] = []  # actions that are not the signal's, guarantees

    def problems(self) -> list[str]:
        """One line per problem, for the model's repair prompt and for logs."""
        return (
            [f"{c.field}: '{c.text}' is not in the evidence" for c in self.unmatched]
            + [
                f"{i.field}: citation {i.evidence_id}: {i.problem} {i.detail}".rstrip()
                for i in self.bad_citations
            ]
            + [f"{field}: no citation that holds" for field in self.uncited_reasons]
            + [f"data window {i.evidence_id}: {i.problem} {i.detail}" for i in self.bad_windows]
            + ([f"signal: {self.signal_mismatch}"] if self.signal_mismatch else [])
            + [
                f"{c.field}: '{c.text}' is an action the signal does not give ({c.detail})"
                if c.problem == "action"
                else f"{c.field}: '{c.text}' is a guarantee; no return is guaranteed"
                for c in self.claims
            ]
        )


def _number_holds(q: Quantity, fact: NumberFact) -> bool:
    x = q.literal or 0.0
    tol = 0.5 * 10.0**-q.decimals * (1 + 1e-9) + 1e-13 * abs(x)  # float noise, not slack
    for factor in _FACTORS[q.unit]:
        v = fact.value * factor / q.scale
        if q.signed and not fact.either_sign:
            if abs(x - v) <= tol:
                return True
        elif abs(abs(x) - abs(v)) <= tol:
            return True
    return False


def _period_holds(p: Period, f: Period) -> bool:
    if f.year != p.year:
        return False
    if p.day is not None:
        return (f.month, f.day) == (p.month, p.day)
    if p.month is not None:
        return f.month == p.month
    if p.quarter is not None:
        if f.quarter is not None:
            return f.quarter == p.quarter
        return f.month is not None and (f.month - 1) // 3 + 1 == p.quarter
    return True  # a calendar or fiscal year: any ledger date in it


def _about(label: Label, fact: NumberFact) -> bool:
    """Whether ``fact`` is a value of what ``label`` says the written number is."""
    if not fact.fact:
        return False
    if label.metric is None:
        return "confidence" not in fact.metrics
    if label.metric not in fact.metrics:
        return False
    if label.level is not None and fact.level is not None and abs(label.level - fact.level) > 1e-9:
        return False
    return label.horizon is None or fact.horizon is None or label.horizon == fact.horizon


def supporting_ids(q: Quantity, ledger: Ledger, *, about: Label | None = None) -> list[str]:
    """Ids of the evidence that supports ``q``, in ledger order. about: what the number is
    (``agent.metrics.label_numbers``); None for a number of no named metric."""
    label = about or Label()
    ids: list[str] = []
    if q.period is not None:
        ids += [
            f.evidence_id for f in ledger.periods if f.fact and _period_holds(q.period, f.period)
        ]
    if q.literal is not None:
        ids += [f.evidence_id for f in ledger.numbers if _about(label, f) and _number_holds(q, f)]
    return list(dict.fromkeys(ids))


def _text_fields(answer: Answer) -> list[tuple[str, str]]:
    return [("markdown", answer.markdown)] + [(name, r.text) for name, r in _reasons(answer)]


def _reasons(answer: Answer) -> list[tuple[str, Reason]]:
    return [(f"reasons[{i}]", r) for i, r in enumerate(answer.reasons)] + [
        (f"risks[{i}]", r) for i, r in enumerate(answer.risks)
    ]


def _named_tickers(text: str, known: set[str]) -> set[str]:
    """Tickers named in ``text`` outside citations (one-letter tickers are ambiguous: skipped)."""
    bare = CITATION_GROUP.sub(" ", EVIDENCE_ID.sub(" ", text))
    return {
        t for t in known if len(t) > 1 and re.search(rf"(?<![\w^.]){re.escape(t)}(?![\w])", bare)
    }


def _citation_issues(answer: Answer, ledger: Ledger) -> tuple[list[Issue], list[str]]:
    issues: dict[tuple[str, str], Issue] = {}
    for field, text in _text_fields(answer):
        for eid, _ in citation_ids(text):
            if eid not in ledger:
                issues[field, eid] = Issue(field=field, evidence_id=eid, problem="unknown evidence")
    known = ledger.tickers() | set(answer.tickers)
    uncited = []
    for field, reason in _reasons(answer):
        named = _named_tickers(reason.text, known)
        holding = 0
        for eid in dict.fromkeys([*reason.citations, *(i for i, _ in citation_ids(reason.text))]):
            if eid not in ledger:
                issues[field, eid] = Issue(field=field, evidence_id=eid, problem="unknown evidence")
                continue
            of = set(ledger.get(eid).tickers)
            if named and of and not of & named:
                detail = f"cites {'/'.join(sorted(of))} evidence, names {'/'.join(sorted(named))}"
                issues[field, eid] = Issue(
                    field=field, evidence_id=eid, problem="other ticker", detail=detail
                )
                continue
            holding += 1
        if holding == 0:
            uncited.append(field)
    return list(issues.values()), uncited


def _window_issues(answer: Answer, ledger: Ledger) -> list[Issue]:
    issues = []
    for w in answer.data_windows:
        held = ledger.get(w.evidence_id).window if w.evidence_id in ledger else None
        if held is None:
            issues.append(
                Issue(field="data_windows", evidence_id=w.evidence_id, problem="unknown evidence")
            )
        elif (w.start, w.end, w.bars) != (held.start, held.end, held.bars):
            said = f"answer says {w.start}..{w.end} ({w.bars} bars)"
            has = f"evidence has {held.start}..{held.end} ({held.bars} bars)"
            issues.append(
                Issue(
                    field="data_windows",
                    evidence_id=w.evidence_id,
                    problem="window mismatch",
                    detail=f"{said}, {has}",
                )
            )
    return issues


def _differences(expected: Any, actual: Any, path: str = "") -> list[str]:
    if isinstance(expected, dict) and isinstance(actual, dict):
        keys = sorted(expected.keys() | actual.keys())
        return [
            d for k in keys for d in _differences(expected.get(k), actual.get(k), f"{path}.{k}")
        ]
    both_numbers = all(
        isinstance(x, int | float) and not isinstance(x, bool) for x in (expected, actual)
    )
    if both_numbers and abs(expected - actual) <= SIGNAL_TOLERANCE or expected == actual:
        return []
    return [f"{path.lstrip('.')} is {actual!r}, evidence has {expected!r}"]


def _signal_mismatch(answer: Answer, ledger: Ledger) -> str | None:
    view = answer.signal
    if view is None:
        return None
    if view.evidence_id not in ledger:
        return f"signal evidence {view.evidence_id} is not in the ledger"
    ev = ledger.get(view.evidence_id)
    if ev.kind != "signal":
        return f"{ev.id} is {ev.kind} evidence, not a signal"
    if answer.tickers and not {t.upper() for t in ev.tickers} & {t.upper() for t in answer.tickers}:
        return f"signal is for {', '.join(ev.tickers)}, answer is about {', '.join(answer.tickers)}"
    if ev.as_of != answer.as_of:
        return f"signal is as of {ev.as_of}, answer as of {answer.as_of}"
    expected = SignalView.from_evidence(ev).model_dump(mode="json")
    diffs = _differences(expected, view.model_dump(mode="json"))
    return "; ".join(diffs) or None


AS_OF = "run:as_of"  # what a date matches when it is the run's own as-of date


AS_ASKED = "run:question"  # what a number matches when the question itself states it


def _supported(
    q: Quantity, label: Label, ledger: Ledger, answer: Answer, asked: frozenset[tuple[float, str]]
) -> list[str]:
    ids = supporting_ids(q, ledger, about=label)
    d = answer.as_of
    own = q.period is not None and _period_holds(q.period, Period(d.year, d.month, d.day))
    if not ids and q.literal is None and own:
        ids = [AS_OF]
    if not ids and not q.is_date and (float(q.value), q.unit) in asked:
        ids = [AS_ASKED]  # the user's own number restated ("no 20-day model", "$50,000")
    return ids


def _asked(question: str) -> frozenset[tuple[float, str]]:
    """The numbers the question states, with their units: parameters of the run, like its as-of
    date."""
    return frozenset(
        (float(n.quantity.value), n.quantity.unit)
        for n in label_numbers(question)
        if not n.quantity.is_date
    )


def verify(answer: Answer, ledger: Ledger, *, parameters: Iterable[float] = ()) -> Verification:
    """Check every number, date, citation, data window and the signal of ``answer``.

    The run's as-of date is a parameter of the run, not a claim: writing it needs no evidence;
    nor does a number the question itself states (its horizon, level or account size), nor one
    of ``parameters``: the numbers the turn's tool calls were given (the 20-day horizon a
    "next month" forecast was asked at), which code chose, not the writer.
    A refusal is written by code from the question alone (the unknown ticker, the future date),
    so only its citations are checked.
    """
    fields = [] if answer.refused else _text_fields(answer)
    asked = _asked(answer.question) | {(float(p), "") for p in parameters}
    numbers = [
        Check(
            field=field,
            text=n.quantity.text,
            value=n.quantity.value,
            span=n.quantity.span,
            matched_evidence_ids=_supported(n.quantity, n.label, ledger, answer, asked),
        )
        for field, text in fields
        for n in label_numbers(text)
    ]
    claims = claim_issues(fields, ledger, tickers=answer.tickers)
    unmatched = [c for c in numbers if not c.matched_evidence_ids]
    bad_citations, uncited = _citation_issues(answer, ledger)
    bad_windows = _window_issues(answer, ledger)
    mismatch = _signal_mismatch(answer, ledger)
    return Verification(
        ok=not (unmatched or bad_citations or uncited or bad_windows or mismatch or claims),
        numbers=numbers,
        unmatched=unmatched,
        bad_citations=bad_citations,
        uncited_reasons=uncited,
        bad_windows=bad_windows,
        signal_mismatch=mismatch,
        claims=claims,
    )
