"""The answer-first rule: the answer's first sentence answers the question in its own terms.

``first_sentence`` is the first sentence of an answer's Markdown once the markup is gone (a
heading line such as "### MSFT: BUY (as of 2012-06-29)" is a sentence of its own; "3.84%",
"Inc.", "vs." and "U.S." end none). ``lead_problems`` says what that sentence lacks for the typed
request (``agent.request``): the asked number, the yes/no, the which, bull/bear, up/down, the
action, or the decline. ``lead_requirements`` says the same things as instructions for the
writer's prompt. Both read one table (``_RULES``), so the prompt asks for what the check checks.

The checks are about form, not truth: the verifier checks the numbers against the evidence. A
first sentence that says the thing cannot be answered ("there is no trained 5-day model") leads
with the answer too; whether declining was right is for the evidence to say.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from agent.answer import CITATION_GROUP, EVIDENCE_ID, Answer
from agent.first_sentence import first_sentence
from agent.question import ParsedQuestion
from agent.request import Ask, Verdict
from quant.signals.action import Action

__all__ = [
    "answer_lead_problems",
    "describe_request",
    "first_sentence",
    "lead_problems",
    "lead_requirements",
]

_I = re.IGNORECASE


# --- the first sentence ------------------------------------------------------------------------
def _said(sentence: str) -> str:
    """The sentence without its evidence citations: ids are no part of what is said (their
    dates and hashes are not the asked number)."""
    text = " ".join(EVIDENCE_ID.sub(" ", CITATION_GROUP.sub(" ", sentence)).split())
    return re.sub(r"\s+(?=[.,;:!?](?:\s|$))", "", text)


# --- what the first sentence must carry ----------------------------------------------------------
_DECIMAL = r"\d[\d,]*(?:\.\d+)?"
_PERCENT = re.compile(rf"(?<![\w.])[-+−]?{_DECIMAL}\s?(?:%|percent\b|per\s+cent\b)", _I)
_CURRENCY = re.compile(
    rf"(?:US\$|[$€£¥])\s?{_DECIMAL}|\b{_DECIMAL}\s?(?:USD|EUR|GBP|JPY|dollars|euros)\b", _I
)
_NOT_A_NUMBER = re.compile(  # digits that state no quantity: dates, years, forms, windows
    r"\b(?:19|20)\d{2}-\d{2}-\d{2}\b|\b10-[KQ]\b|\b8-K\b|\((?:\d{1,3})\)"
    r"|\b\d+[- ](?:trading[- ])?(?:day|week|month|year|bar)s?\b"
    r"|(?<![\d.,$])\b(?:19|20)\d{2}\b(?![.,]?\d|\s?%)",
    _I,
)
_NUMBER = re.compile(rf"(?<![\w.]){_DECIMAL}")
_DECLINE = re.compile(
    r"\b(?:can(?:no|'|’)?t|can\s+not|won(?:'|’)t|will\s+not|couldn(?:'|’)t|could\s+not"
    r"|unable|not\s+able|not\s+covered|no\s+data|no\s+trained|do(?:n(?:'|’)t|\s+not)\s+have)\b",
    _I,
)
_YES_NO = re.compile(r"\b(?:yes|no|not)\b|n(?:'|’)t\b", _I)
_BULL_BEAR = re.compile(r"\b(?:bull|bear)", _I)
_UP_DOWN = re.compile(
    r"\b(?:up|down|rise[sn]?|rising|fall(?:s|en)?|falling|higher|lower|probability|chance)\b"
    r"|\bP\(\s*up\s*\)",
    _I,
)
_ACTION = re.compile(
    r"\b(?:" + "|".join(re.escape(a.value) for a in sorted(Action, key=len, reverse=True)) + r")\b",
    _I,
)
_COMPARATIVE = re.compile(
    r"\b(?:more|less|most|least|than|ahead|beat[s]?|lead[s]?|outperform\w*|underperform\w*"
    r"|riskier|safer|stronger|weaker|better|worse|higher|lower|bigger|larger|smaller|cheaper"
    r"|greater|faster|slower|best|worst|highest|lowest|strongest|weakest|riskiest|safest)\b",
    _I,
)
_HORIZON_WORDS = {
    1: ("daily", "one-day", "one day", "1 day", "1-day", "overnight", "tomorrow"),
    5: ("week", "weekly", "five-day", "five day"),
    10: ("two-week", "two weeks", "ten-day", "ten day"),
    21: ("month", "monthly", "21 trading days"),
    63: ("quarter", "three-month", "three months"),
    252: ("year", "annual", "one-year"),
}


def _number(sentence: str) -> bool:
    return bool(_NUMBER.search(_NOT_A_NUMBER.sub(" ", sentence)))


def _level_text(level: float) -> str:
    return f"{level * 100:.2f}".rstrip("0").rstrip(".") + "%"


def _percent(sentence: str, q: ParsedQuestion) -> bool:
    """A percentage that is not the asked confidence level itself ("the 99% VaR")."""
    level = q.quantity.level if q.quantity.level is not None else q.var_level
    for m in _PERCENT.finditer(sentence):
        digits = re.match(r"[-+−]?([\d,]+(?:\.\d+)?)", m.group())
        value = float(digits.group(1).replace(",", "")) if digits else None
        if level is None or value is None or abs(value - level * 100) > 1e-9:
            return True
    return False


def _level(sentence: str, q: ParsedQuestion) -> bool:
    level = q.quantity.level if q.quantity.level is not None else q.var_level
    if level is None:
        return True
    pct = _level_text(level)[:-1]
    return bool(re.search(rf"(?<![\d.]){re.escape(pct)}\s?(?:%|percent\b)", sentence, _I))


def _horizon(sentence: str, q: ParsedQuestion) -> bool:
    days = q.quantity.horizon_days or q.horizon_days
    if days is None:
        return True
    if re.search(rf"(?<![\d.]){days}[- ](?:trading[- ])?days?\b", sentence, _I):
        return True
    return any(w in sentence.lower() for w in _HORIZON_WORDS.get(days, ()))


def _which(sentence: str, q: ParsedQuestion) -> bool:
    named = any(re.search(rf"(?<![\w^]){re.escape(t)}(?!\w)", sentence) for t in q.tickers)
    return named and bool(_COMPARATIVE.search(sentence))


def _currency(sentence: str, q: ParsedQuestion) -> bool:
    return q.quantity.account_size is None or bool(_CURRENCY.search(sentence))


@dataclass(frozen=True)
class _Rule:
    holds: Callable[[str, ParsedQuestion], bool]
    problem: str  # what the first sentence lacks
    requirement: str  # what the writer is told to put there


_CHECKS: dict[str, _Rule] = {
    "number": _Rule(lambda s, q: _number(s), "states no number", "the asked number"),
    "percent": _Rule(_percent, "states no percentage", "the asked figure as a percentage"),
    "currency": _Rule(
        _currency, "states no amount in currency", "the amount in the account's currency"
    ),
    "level": _Rule(_level, "does not name the confidence level", "the confidence level"),
    "horizon": _Rule(_horizon, "does not name the horizon", "the horizon"),
    "action": _Rule(
        lambda s, q: bool(_ACTION.search(s)),
        "states no action (BUY, SELL, HOLD, ...)",
        "the signal's action (as the signal evidence gives it)",
    ),
    "yes_no": _Rule(lambda s, q: bool(_YES_NO.search(s)), "says neither yes nor no", "yes or no"),
    "which": _Rule(
        _which, "does not say which company (a ticker and a comparison)", "which company"
    ),
    "bull_bear": _Rule(
        lambda s, q: bool(_BULL_BEAR.search(s)), "says neither bull nor bear", "bull or bear"
    ),
    "up_down": _Rule(
        lambda s, q: bool(_UP_DOWN.search(s)),
        "says neither up, down nor a probability",
        "up or down, or the probability",
    ),
    "decline": _Rule(
        lambda s, q: bool(_DECLINE.search(s)),
        "does not say that this cannot be answered",
        "that this cannot be answered, and why",
    ),
}

_RULES: dict[Ask, tuple[str, ...]] = {
    "overview": ("action",),
    "signal": ("action",),
    "position_size": ("percent", "currency"),
    "price": ("number",),
    "return": ("percent",),
    "range": ("number",),
    "indicator": ("number",),
    "var": ("percent", "level", "horizon"),
    "cvar": ("percent", "level", "horizon"),
    "volatility": ("percent",),
    "drawdown": ("percent",),
    "backtest": ("number",),
    "model_record": ("number",),
    "track_record": ("number",),
    "filing_figure": ("number",),
    "sentiment": ("number",),
}
_VERDICTS: dict[str, tuple[str, ...]] = {
    "yes_no": ("yes_no",),
    "which": ("which",),
    "bull_bear": ("bull_bear",),
    "up_down": ("up_down",),
}


def _checks(q: ParsedQuestion) -> list[str]:
    if q.decline is not None:
        return ["decline"]
    names = list(_RULES.get(q.ask, ())) if q.ask else []
    if q.ask == "signal":  # "Should I buy X?" is answered by the action itself ("X is a BUY")
        return names
    if q.verdict is not None:
        names += [n for n in _VERDICTS[q.verdict.kind] if n not in names]
    return names


def _what(q: ParsedQuestion) -> str:
    v: Verdict | None = q.verdict
    parts = [q.ask or "", v.predicate if v else "", q.quantity.metric or ""]
    return " / ".join(p for p in parts if p)


def lead_requirements(q: ParsedQuestion) -> list[str]:
    """What the first sentence must carry for ``q``, as instructions ([] when nothing is)."""
    return [_CHECKS[n].requirement for n in _checks(q)]


def lead_problems(q: ParsedQuestion, markdown: str) -> list[str]:
    """What the first sentence of ``markdown`` lacks for the request ``q``, one line each ([]
    when it answers, or when the request asks nothing the sentence must carry). A decline
    phrase answers any request; a declined request needs one."""
    checks = _checks(q)
    if not checks:
        return []
    sentence = _said(first_sentence(markdown))
    if "decline" not in checks and _DECLINE.search(sentence):
        return []
    return [
        f"first sentence: '{sentence}' {_CHECKS[n].problem} (asked: {_what(q) or 'a decline'})"
        for n in checks
        if not _CHECKS[n].holds(sentence, q)
    ]


def answer_lead_problems(answer: Answer, q: ParsedQuestion | None) -> list[str]:
    """``lead_problems`` of an answer's Markdown; none for a refusal (its text is code's) or
    without a typed request."""
    if q is None or answer.refused:
        return []
    return lead_problems(q, answer.markdown)


def describe_request(q: ParsedQuestion | None) -> str:
    """The typed request as the writer's prompt states it: what was asked, and what the first
    sentence must carry (the same table ``lead_problems`` checks)."""
    if q is None:
        return "not read; answer the question as asked"
    parts = [f"ask: {q.ask or 'not recognised'}"]
    if q.tickers:
        parts.append("companies: " + ", ".join(q.tickers))
    quantity = q.quantity.model_dump(exclude_defaults=True, mode="json")
    if quantity:
        parts.append("quantity: " + ", ".join(f"{k}={v}" for k, v in quantity.items()))
    if q.verdict is not None:
        parts.append(f"verdict: {q.verdict.kind} ({q.verdict.predicate})")
    if q.scope is not None:
        scope = q.scope.model_dump(exclude_defaults=True, mode="json")
        parts.append("documents: " + ", ".join(f"{k}={v}" for k, v in scope.items()))
    if q.decline is not None:
        parts.append(f"declined: {q.decline.reason} {q.decline.detail}".rstrip())
    needs = lead_requirements(q)
    lead = "; ".join(needs) if needs else "the direct answer to the question"
    return "; ".join(parts) + f"\nThe first sentence must state: {lead}."
