"""The offline template writer: the answer of the offline planner (and of an LLM whose draft
failed), written from ``prompts/offline.md`` templates filled with ledger values only, so every
answer it writes verifies against its evidence.

The answer leads with the answer (``agent.lead``): the first sentence states the asked quantity
or verdict in the question's own terms; the rest of the evidence follows as supporting reasons
and risks, except a signal the ask does not use (its parts under a VaR question), which is left
out of the text (it stays in the ledger and the data windows). Asks that lead with the signal
(signal, overview, none) are written as before: ``agent.compose.assemble`` puts the signal block
first.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from agent._offline_sentences import (
    PASSAGE_KINDS,
    backtest_text,
    cited,
    comparison_text,
    fill,
    forecast_text,
    market_text,
    passage_text,
    risk_text,
    sentiment_text,
    signal_text,
    technicals_text,
)
from agent.answer import Reason
from agent.compose import Draft
from agent.lead import Lead, write_lead
from agent.ledger import Ledger
from agent.question import ParsedQuestion
from agent.request import Ask
from tools.evidence import Evidence

log = logging.getLogger(__name__)

__all__ = ["template_draft"]

# Asks whose answer uses the signal (its parts support the lead); under any other lead, a signal
# in the ledger answers another question and its parts are not written. A "why" writes its
# drivers only.
_USES_SIGNAL: frozenset[Ask] = frozenset(
    {"signal", "overview", "position_size", "regime", "direction", "compare"}
)


@dataclass
class _Parts:
    """The answer's text as it is written: summary paragraphs, reasons and risks."""

    summary: list[str] = field(default_factory=list)
    reasons: list[Reason] = field(default_factory=list)
    risks: list[Reason] = field(default_factory=list)
    shown: list[Evidence] = field(default_factory=list)


def template_draft(
    ledger: Ledger,
    *,
    question: ParsedQuestion | None,
    as_of: date,
    searched: Iterable[str] = (),
    failed: Mapping[str, str] | Iterable[str] = (),
) -> Draft:
    """The offline planner's answer: ``prompts/offline.md`` templates filled from ``ledger``,
    led by the sentence that answers ``question`` (``agent.lead``) when its ask has one.

    searched: the kinds of documents searched this turn ("filing", "call", "news"), so an empty
    search is answered plainly; failed: tools that failed, with their errors where known (a
    reason is written without its numbers, which no evidence holds: "too little price history").
    """
    lead = write_lead(question, ledger, as_of=as_of)
    ask = question.ask if question else None
    parts = _Parts()
    if lead is not None and ask is not None:
        _evidence_text(Ledger(e for e in ledger if _supports(ask, e)), parts, question, ask)
    else:
        _evidence_text(ledger, parts, question, None)
    for kind in searched:
        if not ledger.by_kind(kind):  # type: ignore[arg-type]
            parts.summary.append(fill("no_passages", what=PASSAGE_KINDS[kind], as_of=as_of))
    errors = dict(failed) if isinstance(failed, Mapping) else dict.fromkeys(failed, "")
    failures = [_failure(tool, error) for tool, error in errors.items()]
    if lead is None:
        summary = [*failures, *parts.summary]
    else:
        if ask == "direction" and not ledger.by_kind("forecast"):  # the lead says why
            failures = []
        summary = [_lead_paragraph(lead), *failures, *parts.summary]
    return Draft(summary="\n\n".join(summary), reasons=parts.reasons, risks=parts.risks)


_HISTORY = re.compile(r"\bbars?\b|\bhistory\b|warm-?up", re.I)


def _failure(tool: str, error: str) -> str:
    """Why ``tool`` could not answer, in words the verifier can accept (no numbers)."""
    if _HISTORY.search(error):
        return fill("failed_history", tool=tool)
    return fill("failed", tool=tool)


def _supports(ask: Ask, ev: Evidence) -> bool:
    """Whether ``ev`` is written under the lead of ``ask`` (as reasons and risks)."""
    if ask == "why":  # the drivers: the signal's parts lead, the indicators support them
        return ev.kind == "technicals"
    return ev.kind != "signal" or ask in _USES_SIGNAL


def _lead_paragraph(lead: Lead) -> str:
    """The lead sentence and the notes that belong with it, one paragraph."""
    return " ".join([lead.sentence.text, *(n.text for n in lead.notes)])


def _evidence_text(
    ledger: Ledger, parts: _Parts, question: ParsedQuestion | None, ask: Ask | None
) -> None:
    """The sentences of every evidence in ``ledger``. ask: the ask a lead sentence answered
    (its evidence supports it from the reasons and risks), None when nothing leads yet."""
    level = question.var_level if question else None
    horizon = question.horizon_days if question else None
    if question is not None and ask is not None:
        level = question.quantity.level or level
        horizon = question.quantity.horizon_days or horizon
    signals = ledger.by_kind("signal")
    comparisons = ledger.by_kind("comparison")
    compared = {eid for c in comparisons for eid in c.source.get("evidence", [])}
    lead = ask is not None or bool(signals or comparisons)
    for ev in comparisons:
        parts.summary.append(comparison_text(ev))
    for ev in signals:
        if ev.id in compared:
            continue
        head, rs, ks = signal_text(ev)
        if len(signals) > 1 or comparisons:  # one signal alone is the answer's signal block
            parts.summary.append(head)
        parts.reasons += rs
        parts.risks += ks
    for ev in ledger:
        if ev.id in compared and comparisons:
            continue
        try:
            lead = _render_one(
                ev, parts, lead=lead, ask=ask, level=level, horizon=horizon, signal=bool(signals)
            )
        except (KeyError, TypeError, ValueError, IndexError) as err:  # an unexpected shape
            log.warning("no template fits %s evidence: %s", ev.kind, err)
            if lead:
                parts.reasons.append(cited(f"{ev.summary} [{ev.id}]", ev.id))
            else:
                parts.summary.append(f"{ev.summary} [{ev.id}]")


def _render_one(
    ev: Evidence,
    parts: _Parts,
    *,
    lead: bool,
    ask: Ask | None,
    level: float | None,
    horizon: int | None,
    signal: bool = False,
) -> bool:
    """Add ``ev``'s sentences to the answer's parts; returns whether a finding now leads.
    signal: a signal is in the answer, so the technical score is given without its own action
    label (one vocabulary: the action shown is the confluence signal's)."""
    text: str | None = None
    if ev.kind == "technicals":
        text = technicals_text(ev, labelled=not signal)
    elif ev.kind == "market":
        text = market_text(ev)
    elif ev.kind == "forecast":
        text = forecast_text(ev)
    elif ev.kind == "sentiment":
        text = sentiment_text(ev)
    elif ev.kind == "backtest":
        head, rs = backtest_text(ev)
        if ask == "model_record":
            parts.reasons.append(cited(head, ev.id))
        elif ask != "backtest":  # under a backtest lead the head would repeat it
            parts.summary.append(head)
        parts.reasons += rs
        return lead
    elif ev.kind == "risk":
        var_text, methods, vol_text = risk_text(ev, level=level, horizon=horizon)
        if ask in ("var", "cvar"):  # the lead states the historical VaR and CVaR
            var_text = ""
        if lead:
            parts.risks += [cited(t, ev.id) for t in (var_text, methods, vol_text) if t]
        else:
            parts.summary += [" ".join(t for t in (var_text, methods) if t)] if var_text else []
            parts.reasons.append(cited(vol_text, ev.id))
        return lead
    elif ev.kind in PASSAGE_KINDS:
        _passage(ev, parts, intro=ask not in ("news", "call"))
        return lead
    elif ev.kind in ("period", "figure", "portfolio", "track_record"):  # its summary, cited
        text = f"{ev.summary} [{ev.id}]" if ev.summary else None
    if text is None:
        return lead
    if lead:
        parts.reasons.append(cited(text, ev.id))
    else:
        parts.summary.append(text)
    return True  # the first such finding leads, the rest support it


def _passage(ev: Evidence, parts: _Parts, *, intro: bool) -> None:
    """A quoted passage, after an intro line for the first of its kind (unless a lead said
    what was found)."""
    if intro and not any(e.kind == ev.kind for e in parts.shown):
        parts.summary.append(fill("passages_intro", what=PASSAGE_KINDS[ev.kind], as_of=ev.as_of))
    parts.summary.append(passage_text(ev))
    parts.shown.append(ev)
