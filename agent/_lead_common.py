"""What the lead-sentence builders share: the ``Lead`` they return, finding the evidence an ask
is answered from, and formatting numbers the way the verifier reads them back (a level as
"99%" or "97.5%", a filing figure with as many decimals as the table cell has)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from agent._offline_sentences import cited, fill
from agent.answer import Reason
from agent.ledger import Ledger
from agent.numbers import extract
from agent.question import ParsedQuestion
from tools.evidence import Evidence, EvidenceKind

__all__ = [
    "Lead",
    "amount",
    "evidence_for",
    "holds",
    "level_text",
    "money",
    "number",
    "period_label",
    "say",
]


@dataclass(frozen=True)
class Lead:
    """The answer's first sentence and the sentences that belong right after it (a note that
    the level asked is not computed, the costs asked about, the drivers of a "why")."""

    sentence: Reason
    notes: list[Reason] = field(default_factory=list)


def evidence_for(ledger: Ledger, kind: EvidenceKind, ticker: str | None) -> Evidence | None:
    """The first ``kind`` evidence about ``ticker`` (any ticker when None or none matches)."""
    found = ledger.by_kind(kind)
    if ticker is not None:
        mine = [ev for ev in found if ticker.upper() in (t.upper() for t in ev.tickers)]
        found = mine or found
    return found[0] if found else None


def say(template: str, evidence: list[Evidence], /, **values: Any) -> Reason:
    """The ``prompts/offline.md`` template ``template`` filled with ``values``, citing
    ``evidence`` (its ids fill ``{id}``)."""
    ids = list(dict.fromkeys(ev.id for ev in evidence))
    return cited(fill(template, id=", ".join(ids), **values), *ids)


_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}


def money(value: float, currency: str | None) -> str:
    """An amount with its currency's sign: 50000.0 -> "$50,000", 1234.5 -> "$1,234.50"."""
    symbol = _SYMBOLS.get((currency or "USD").upper(), "$")
    decimals = 0 if float(value).is_integer() else 2
    return f"{symbol}{abs(value):,.{decimals}f}"


def number(value: Any) -> float | None:
    """``value`` as a finite float, else None (a missing or non-numeric evidence value)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def level_text(level: float) -> str:
    """A confidence level as written: 0.99 -> "99%", 0.975 -> "97.5%"."""
    return f"{level * 100:.10g}%"


def amount(value: float) -> str:
    """A figure as its table cell would show it: thousands separated, and the decimals it has
    (up to four): 65225.0 -> "65,225", 15.41 -> "15.41"."""
    for decimals in range(5):
        if abs(round(value, decimals) - value) < 1e-9 * max(1.0, abs(value)):
            return f"{value:,.{decimals}f}"
    return f"{value:,.4f}"


def holds(ledger: Ledger, value: float, ev: Evidence) -> bool:
    """Whether ``ev`` holds ``value`` as a fact the verifier would match a plain number to (so a
    sentence citing it may write the number, e.g. a model horizon; else it writes words)."""
    return any(
        f.evidence_id == ev.id and f.fact and "confidence" not in f.metrics
        and abs(f.value - value) < 1e-9
        for f in ledger.numbers
    )  # fmt: skip


_PREPOSITIONS = ("in", "over", "since", "from", "during", "between", "through", "for")


def period_label(q: ParsedQuestion, values: dict[str, object]) -> str:
    """The period as the question named it, with its preposition ("over 2011", "over the last
    year", "since 2009"), else the evidence's own label; "over the period" when the label is
    the tool's default "start..end" or states a number that is no date (which the evidence
    could not support). The dates follow it in the sentence."""
    asked = q.quantity.period.label if q.quantity.period else ""
    for label in (asked.strip(), str(values.get("label") or "").strip()):
        if not label or ".." in label or not all(n.is_date for n in extract(label)):
            continue
        if re.search(r"\d{4}-\d{2}-\d{2}", label):  # a day that may be no trading day:
            return "over the period"  # the sentence gives the bars' own dates
        first = label.split()[0].lower()
        if first in _PREPOSITIONS:
            return label
        return f"over the {label}" if first in ("last", "past", "previous") else f"over {label}"
    return "over the period"
