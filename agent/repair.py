"""Repair of an answer that failed verification: unverified numbers, actions the signal does not
give, guarantees and bad citations are removed, each removal leaves a warning. A wrong signal
cannot be repaired by editing text."""

from __future__ import annotations

import re
from collections import defaultdict

from agent.answer import CITATION_GROUP, EVIDENCE_ID, Answer, Reason, citation_ids
from agent.verifier import REMOVED, Check, Claim, SignalMismatchError, Verification

_LINE_PREFIX = re.compile(r"[ \t]*(?:(?:[-*+>]|\d+[.)]|#{1,6})(?:[ \t]+|$))*")
_SENTENCE_END = re.compile(r"[.!?](?:[ \t]*\[[^\[\]\n]*\])?[)\"'*_]*[ \t]+(?=[A-Z*_(\"'$#])")


def _prefix_end(text: str, pos: int = 0) -> int:
    """Where the list marker, quote or heading mark of the line at ``pos`` ends."""
    match = _LINE_PREFIX.match(text, pos)
    return pos if match is None else match.end()  # the pattern also matches ""


def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence around ``text[start:end]``, within its line, without the line's list marker."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    s = _prefix_end(text, line_start)
    e = line_end
    for m in _SENTENCE_END.finditer(text, s, line_end):
        if m.end() <= start:
            s = m.end()
        elif m.start() >= end:
            e = m.end()
            break
    return s, e


def _drop_citations(text: str, ids: set[str]) -> str:
    def group(m: re.Match[str]) -> str:
        tokens = re.findall(r"[^\s,;\[\]]+", m.group())
        if not ids & set(tokens):
            return m.group()
        kept = [t for t in tokens if t not in ids]
        return f"[{', '.join(kept)}]" if kept else ""

    text = CITATION_GROUP.sub(group, text)
    return EVIDENCE_ID.sub(lambda m: "" if m.group() in ids else m.group(), text)


def _tidy(text: str) -> str:
    lines = []
    for line in text.split("\n"):
        tidy = re.sub(r"(?<=\S)[ \t]{2,}", " ", line)
        tidy = re.sub(r"[ \t]+(?=[.,;:!?](?:\s|$))", "", tidy).rstrip()
        if line.strip() and not tidy[_prefix_end(tidy) :].strip():
            continue  # a list item or quote whose content was all removed
        lines.append(tidy)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _what(c: Check | Claim) -> str:
    if isinstance(c, Claim):
        return "guarantee" if c.problem == "guarantee" else f"action ({c.detail})"
    return "unverified " + ("date" if isinstance(c.value, str) else "number")


def _repair_text(
    text: str, field: str, checks: list[Check | Claim], drop: set[str], warnings: list[str]
) -> str:
    cuts: dict[tuple[int, int], str] = {}
    for c in checks:
        if text[c.span[0] : c.span[1]] != c.text:
            raise ValueError(f"this verification is of another answer: {field} {c.span}")
        what = _what(c)
        s, e = _sentence(text, *c.span)
        if text[text.rfind("\n", 0, s) + 1 :].lstrip().startswith("|"):  # a table row
            cuts[c.span] = REMOVED
            where = text[text.rfind("\n", 0, s) + 1 : e].strip()
        else:
            cuts[s, e] = ""
            where = text[s:e].strip()
        warnings.append(f"removed {what} '{c.text}' from {field}: {where}")
    for eid in sorted(drop):
        warnings.append(f"removed citation {eid} from {field}")
    if not cuts and not drop:
        return text
    for (s, e), replacement in sorted(cuts.items(), reverse=True):
        text = text[:s] + replacement + text[e:]
    return _tidy(_drop_citations(text, drop))


def _repair_reasons(
    group: str,
    reasons: list[Reason],
    verification: Verification,
    unmatched: dict[str, list[Check | Claim]],
    drop: dict[str, set[str]],
    warnings: list[str],
) -> list[Reason]:
    kept = []
    for i, reason in enumerate(reasons):
        field = f"{group}[{i}]"
        text = _repair_text(reason.text, field, unmatched[field], drop[field], warnings)
        inline = [eid for eid, _ in citation_ids(text)]
        cites = [c for c in dict.fromkeys([*reason.citations, *inline]) if c not in drop[field]]
        words = re.sub(CITATION_GROUP, "", text)
        if field in verification.uncited_reasons or not cites or not re.search(r"\w", words):
            warnings.append(f"dropped {field}, nothing cited and verified was left: {reason.text}")
            continue
        kept.append(Reason(text=text, citations=cites))
    return kept


def repair(answer: Answer, verification: Verification) -> Answer:
    """``answer`` without what ``verification`` (of this very answer) found unverified: the
    sentence around each unmatched number (the number alone in a table row), unknown or
    other-ticker citations, reasons left without a citation, wrong data windows; one warning per
    removal. Raises ``SignalMismatchError`` when the signal is wrong: that is not repairable by
    editing text."""
    if verification.signal_mismatch:
        raise SignalMismatchError(verification.signal_mismatch)
    warnings = list(answer.warnings)
    unmatched: dict[str, list[Check | Claim]] = defaultdict(list)
    issues: list[Check | Claim] = [*verification.unmatched, *verification.claims]
    for c in issues:
        unmatched[c.field].append(c)
    drop: dict[str, set[str]] = defaultdict(set)
    for issue in verification.bad_citations:
        drop[issue.field].add(issue.evidence_id)
    markdown = _repair_text(
        answer.markdown, "markdown", unmatched["markdown"], drop["markdown"], warnings
    )
    reasons = _repair_reasons("reasons", answer.reasons, verification, unmatched, drop, warnings)
    risks = _repair_reasons("risks", answer.risks, verification, unmatched, drop, warnings)
    bad_windows = {i.evidence_id for i in verification.bad_windows}
    warnings += [
        f"dropped data window {i.evidence_id}: {i.problem} {i.detail}".rstrip()
        for i in verification.bad_windows
    ]
    windows = [w for w in answer.data_windows if w.evidence_id not in bad_windows]
    return Answer.model_validate(
        answer.model_dump()
        | {
            "markdown": markdown,
            "reasons": reasons,
            "risks": risks,
            "data_windows": windows,
            "warnings": warnings,
        }
    )
