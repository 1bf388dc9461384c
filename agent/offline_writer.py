"""The offline template writer: the answer of the offline planner (and of an LLM whose draft
failed), written from ``prompts/offline.md`` templates filled with ledger values only, so every
answer it writes verifies against its evidence."""

from __future__ import annotations

import logging
from collections.abc import Iterable
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
from agent.ledger import Ledger
from agent.question import ParsedQuestion
from tools.evidence import Evidence

log = logging.getLogger(__name__)

__all__ = ["template_draft"]


def template_draft(
    ledger: Ledger,
    *,
    question: ParsedQuestion | None,
    as_of: date,
    searched: Iterable[str] = (),
    failed: Iterable[str] = (),
) -> Draft:
    """The offline planner's answer: ``prompts/offline.md`` templates filled from ``ledger``.

    searched: the kinds of documents searched this turn ("filing", "call", "news"), so an empty
    search is answered plainly; failed: tools that failed (the warnings carry their errors).
    """
    summary: list[str] = []
    reasons: list[Reason] = []
    risks: list[Reason] = []
    level = question.var_level if question else None
    horizon = question.horizon_days if question else None
    signals = ledger.by_kind("signal")
    comparisons = ledger.by_kind("comparison")
    compared = {eid for c in comparisons for eid in c.source.get("evidence", [])}
    lead = bool(signals or comparisons)
    shown: list[Evidence] = []
    for ev in comparisons:
        summary.append(comparison_text(ev))
    for ev in signals:
        if ev.id in compared:
            continue
        head, rs, ks = signal_text(ev)
        if len(signals) > 1 or comparisons:  # one signal alone is the answer's signal block
            summary.append(head)
        reasons += rs
        risks += ks
    for ev in ledger:
        if ev.id in compared and comparisons:
            continue
        try:
            lead = _render_one(
                ev, summary, reasons, risks, shown, lead=lead, level=level, horizon=horizon
            )
        except (KeyError, TypeError, ValueError, IndexError) as err:  # an unexpected shape
            log.warning("no template fits %s evidence: %s", ev.kind, err)
            if lead:
                reasons.append(cited(f"{ev.summary} [{ev.id}]", ev.id))
            else:
                summary.append(f"{ev.summary} [{ev.id}]")
    for kind in searched:
        if not ledger.by_kind(kind):  # type: ignore[arg-type]
            summary.append(fill("no_passages", what=PASSAGE_KINDS[kind], as_of=as_of))
    for tool in dict.fromkeys(failed):
        summary.insert(0, fill("failed", tool=tool))
    return Draft(summary="\n\n".join(summary), reasons=reasons, risks=risks)


def _render_one(
    ev: Evidence,
    summary: list[str],
    reasons: list[Reason],
    risks: list[Reason],
    shown: list[Evidence],
    *,
    lead: bool,
    level: float | None,
    horizon: int | None,
) -> bool:
    """Add ``ev``'s sentences to the answer's parts; returns whether a finding now leads."""
    text: str | None = None
    if ev.kind == "technicals":
        text = technicals_text(ev)
    elif ev.kind == "market":
        text = market_text(ev)
    elif ev.kind == "forecast":
        text = forecast_text(ev)
    elif ev.kind == "sentiment":
        text = sentiment_text(ev)
    elif ev.kind == "backtest":
        head, rs = backtest_text(ev)
        summary.append(head)
        reasons += rs
        return lead
    elif ev.kind == "risk":
        var_text, vol_text = risk_text(ev, level=level, horizon=horizon)
        if lead:
            risks += [cited(t, ev.id) for t in (var_text, vol_text) if t]
        else:
            summary += [t for t in (var_text,) if t]
            reasons.append(cited(vol_text, ev.id))
        return lead
    elif ev.kind in PASSAGE_KINDS:
        if not any(e.kind == ev.kind for e in shown):
            summary.append(fill("passages_intro", what=PASSAGE_KINDS[ev.kind], as_of=ev.as_of))
        summary.append(passage_text(ev))
        shown.append(ev)
        return lead
    if text is None:
        return lead
    if lead:
        reasons.append(cited(text, ev.id))
    else:
        summary.append(text)
    return True  # the first such finding leads, the rest support it
