"""Claims an answer makes in words: a trading action ("STRONG BUY", "you should sell") must be
the signal's action for the tickers its sentence names, and a guarantee ("guaranteed returns",
"can't lose", "risk-free", "put all your savings in") is never allowed.

An action word is no claim where it names a threshold ("SELL below 0.45"), is negated ("not a
BUY"), or sits in a verbatim quote of a passage that was shown (not withheld). In a sentence
about the technical score ("technical", "daily", "weekly", "timeframe"), the technical actions of
the evidence count too. Lower-case advice ("you should buy", "go short", "is a sell") is compared
by direction: BUY and STRONG BUY are up, SELL and STRONG SELL down, HOLD flat.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict

from agent.answer import CITATION_GROUP, EVIDENCE_ID
from agent.ledger import Ledger

__all__ = ["Claim", "claim_issues"]

_ACTION = re.compile(
    r"\b(?:STRONG[ _-]+)?(?:BUY|SELL)(?![-\w])|\bHOLD(?![-\w])|(?i:\bstrong\s+(?:buy|sell)\b)"
)
_OBJECT = (
    r"(?=\s+(?:now|here|more|shares|the\s+(?:stock|shares|dip)|it|(?-i:[A-Z][A-Z.^]{0,5}\b))|[.!;])"
)
_ADVICE = re.compile(
    r"(?i:\bgo(?:ing)?\s+(?P<long>long)\b|\bgo(?:ing)?\s+short\b"
    r"|\bshort(?:ing)?(?=\s+(?:the\s+stock|the\s+shares))"
    r"|\b(?:should|must|recommend\w*|advi[sc]e\w*|suggest\w*|urge\w*|time\s+to)\s+"
    r"(?:(?:you|we|investors|to|now|strongly|definitely|really)\s+){0,3}"
    rf"(?P<verb>buy(?:ing)?|sell(?:ing)?|short(?:ing)?|hold(?:ing)?|dump(?:ing)?){_OBJECT}"
    r"|\b(?:is|as|a|rated?|rating\s+of)\s+(?:an?\s+)?(?P<rated>buy|sell|hold)(?![-\w])"
    r"|\b(?P<imp>buy|sell)\s+(?:now|more|the\s+stock|the\s+dip|everything|(?-i:[A-Z]{2,5}))\b)"
)
_GUARANTEE = re.compile(
    r"(?i:\bguarantee(?:s|d)?\b|\b(?:can(?:no|')?t|cannot|won't|will\s+not|never)\s+lose\b"
    r"|\brisk[- ]?free\b(?!\s+(?:rate|interest|asset|yield|treasur|bond))|\bno[- ]risk\b"
    r"|\bzero[- ]risk\b|\bwithout\s+(?:any\s+)?risk\b|\bsure[- ](?:thing|bet|win)\b"
    r"|\bcan'?t\s+go\s+wrong\b|\b(?:certain|assured|bound)\s+to\s+(?:rise|gain|go\s+up|double"
    r"|profit|make\s+money)\b|\b(?:put|invest|move|bet)\s+(?:all|every\s+(?:penny|dollar|cent)"
    r"|100%)\s+(?:of\s+)?(?:your\s+)?(?:savings|money|capital|funds|retirement)\b"
    r"|\b(?:put|invest|bet)\s+everything\b"
    r"|\ball\s+(?:of\s+)?your\s+(?:savings|money|capital|retirement)\b)"
)
_NEGATED = re.compile(r"(?i:\b(?:not|no|never|nor|neither|without|rather\s+than|instead\s+of)"
                      r"|n't)\s+(?:(?:a|an|be|been|any|as|yet|rated|really)\s+){0,2}$")  # fmt: skip
_THRESHOLD = re.compile(
    r"(?i:\s*(?:below|above|under|over|threshold|zone|band|cut-?off)\b|\s*[<>≤≥])"
)
_TECHNICAL = re.compile(r"(?i:\btechnical|\bdaily\b|\bweekly\b|\btimeframe)")
# a sentence, or a whole table row (its ticker cell names whose action the row states)
_SENTENCE = re.compile(r"[ \t]*\|[^\n]*|(?:[^.!?\n]|[.!?](?!\s|$))*(?:[.!?](?=\s|$)|\n|$)")
_DIRECTION = {"BUY": 1, "STRONG BUY": 1, "HOLD": 0, "SELL": -1, "STRONG SELL": -1}


Problem = Literal["action", "guarantee"]
Actions = tuple[dict[str, set[str]], dict[str, set[str]]]  # per ticker: signal, technical


class Claim(BaseModel):
    """An action or guarantee written in one text field of the answer that does not hold."""

    model_config = ConfigDict(frozen=True)

    field: str
    text: str
    span: tuple[int, int]
    problem: Problem
    detail: str = ""


def _actions(ledger: Ledger) -> Actions:
    """Per ticker: the signal's actions, and the technical score's actions."""
    signal: dict[str, set[str]] = defaultdict(set)
    technical: dict[str, set[str]] = defaultdict(set)
    for ev in ledger:
        v = ev.values
        if ev.kind == "signal":
            for t in ev.tickers:
                signal[t.upper()].add(str(v.get("action")))
            tech = ((v.get("components") or {}).get("technical") or {}).get("details") or {}
            for t in ev.tickers:
                technical[t.upper()].add(str(tech.get("action")))
        elif ev.kind == "comparison":
            for t, row in (v.get("by_ticker") or {}).items():
                if isinstance(row, dict) and row.get("action"):
                    signal[t.upper()].add(str(row["action"]))
        elif ev.kind == "technicals":
            for part in ("technical", "weekly"):
                for t in ev.tickers:
                    technical[t.upper()].add(str((v.get(part) or {}).get("action")))
    return signal, technical


def _quoted(text: str, start: int, passages: list[str]) -> bool:
    """Whether ``start`` lies in a blockquote line or a "quote" that is verbatim passage text."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    line = text[line_start : len(text) if line_end < 0 else line_end]
    pieces = [m.group(1) or m.group(2) for m in re.finditer(r"\"([^\"]+)\"|“([^”]+)”", line)]
    if line.lstrip().startswith(">"):
        pieces.append(line.lstrip()[1:])
    for piece in pieces:
        words = " ".join(piece.replace("...", " ").replace("…", " ").split())
        if len(words) > 12 and any(words in p for p in passages):
            return True
    return False


def _normal(action: str) -> str:
    return " ".join(action.upper().replace("_", " ").replace("-", " ").split())


def _allowed(
    sentence: str, signal: dict[str, set[str]], technical: dict[str, set[str]], asked: set[str]
) -> set[str]:
    """The actions a sentence may state: those of the tickers it names (of every ticker with
    evidence when it names none; a named ticker without a signal has none)."""
    bare = CITATION_GROUP.sub(" ", EVIDENCE_ID.sub(" ", sentence))
    known = set(signal) | set(technical)
    named = {t for t in known | asked if re.search(rf"(?<![\w^.]){re.escape(t)}(?!\w)", bare)}
    of = named or known
    allowed = {a for t in of for a in signal.get(t, ())}
    if _TECHNICAL.search(bare):
        allowed |= {a for t in of for a in technical.get(t, ())}
    return {_normal(a) for a in allowed}


def _advice_direction(m: re.Match[str]) -> int:
    word = (m.group("verb") or m.group("rated") or m.group("imp") or "").lower()
    if m.group("long") or word.startswith("buy"):
        return 1
    if word.startswith("hold"):
        return 0
    return -1


def _said(sentence: str, allowed: set[str]) -> list[tuple[re.Match[str], Problem]]:
    """The guarantees in ``sentence``, and the actions it states that are not ``allowed``."""
    out: list[tuple[re.Match[str], Problem]] = [
        (m, "guarantee")
        for m in _GUARANTEE.finditer(sentence)
        if not _NEGATED.search(sentence[: m.start()])
    ]
    actions = list(_ACTION.finditer(sentence))
    out += [
        (m, "action")
        for m in actions
        if _normal(m.group()) not in allowed
        and not _THRESHOLD.match(sentence, m.end())
        and not _NEGATED.search(sentence[: m.start()])
    ]
    directions = {_DIRECTION.get(a) for a in allowed}
    for m in _ADVICE.finditer(sentence):
        judged = any(a.start() < m.end() and m.start() < a.end() for a in actions)  # "a BUY"
        negated = _NEGATED.search(sentence[: m.start()])
        if not judged and not negated and _advice_direction(m) not in directions:
            out.append((m, "action"))
    return out


def _field_claims(
    field: str, text: str, actions: Actions, passages: list[str], asked: set[str]
) -> list[Claim]:
    found: list[Claim] = []
    for s in _SENTENCE.finditer(text):
        if not s.group().strip():
            continue
        allowed = _allowed(s.group(), *actions, asked)
        detail = f"the signal says {', '.join(sorted(allowed)) or 'no signal'}"
        for m, problem in _said(s.group(), allowed):
            at = s.start() + m.start()
            if _quoted(text, at, passages):
                continue
            span = (at, s.start() + m.end())
            why = detail if problem == "action" else ""
            found.append(Claim(field=field, text=m.group(), span=span, problem=problem, detail=why))
    return sorted(found, key=lambda c: c.span)


def claim_issues(
    fields: list[tuple[str, str]], ledger: Ledger, *, tickers: Sequence[str] = ()
) -> list[Claim]:
    """Actions that are not the signal's and guarantees, in each (field, text) of an answer
    about ``tickers`` (a sentence naming one of them without a signal may state no action)."""
    asked = {t.upper() for t in tickers if len(t) > 1}
    passages = [
        " ".join(str(ev.values.get("text", "")).split())
        for ev in ledger
        if ev.kind in ("filing", "call", "news") and not ev.values.get("injection_suspected")
    ]
    actions = _actions(ledger)
    return [
        c for field, text in fields for c in _field_claims(field, text, actions, passages, asked)
    ]
