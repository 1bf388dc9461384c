"""The answer to "why?": the drivers of the signal, not the signal again. The action and where
its score sits between the thresholds first, then one sentence per part (which way it pulled)
and, inside the technical part, which indicators pushed it up or down."""

from __future__ import annotations

from datetime import date
from typing import Any

from agent._lead_common import Lead, evidence_for, say
from agent.answer import Reason
from agent.ledger import Ledger
from agent.question import ParsedQuestion
from tools.evidence import Evidence

__all__ = ["why_lead"]

_INDICATORS = {
    "rsi": "RSI",
    "macd": "MACD",
    "moving_averages": "the moving averages",
    "bollinger": "Bollinger",
}
_NEUTRAL = 0.5  # a technical component's middle: above it pushes the score up


def _where(action: str, th: dict[str, float]) -> str:
    """Where the score sits, in the threshold words of its action."""
    ss, s, b, sb = (th.get(k) for k in ("strong_sell", "sell", "buy", "strong_buy"))
    if None in (ss, s, b, sb):
        return f"against the SELL threshold {th['sell']:.2f} and the BUY threshold {th['buy']:.2f}"
    return {
        "STRONG BUY": f"at or above the STRONG BUY threshold {sb:.2f}",
        "BUY": f"between the BUY threshold {b:.2f} and the STRONG BUY threshold {sb:.2f}",
        "HOLD": f"between the SELL threshold {s:.2f} and the BUY threshold {b:.2f}",
        "SELL": f"between the STRONG SELL threshold {ss:.2f} and the SELL threshold {s:.2f}",
        "STRONG SELL": f"at or below the STRONG SELL threshold {ss:.2f}",
    }.get(action, f"against the SELL threshold {s:.2f} and the BUY threshold {b:.2f}")


def _technical_parts(sig: Evidence, details: dict[str, Any]) -> Reason | None:
    parts = details.get("components") or {}
    groups: dict[tuple[str, str], list[str]] = {
        ("pushes it up", "push it up"): [],
        ("pulls it down", "pull it down"): [],
        ("is neutral", "are neutral"): [],
    }
    ways = list(groups)
    for name, score in parts.items():
        if score is None:
            continue
        way = ways[0] if score > _NEUTRAL else ways[1] if score < _NEUTRAL else ways[2]
        groups[way].append(f"{_INDICATORS.get(name, name)} ({score:.2f})")
    said = [
        f"{' and '.join(names)} {way[len(names) > 1]}" for way, names in groups.items() if names
    ]
    return say("why_technical", [sig], parts="; ".join(said)) if said else None


def why_lead(q: ParsedQuestion, ledger: Ledger, ticker: str | None, _: date) -> Lead | None:
    """Why the signal reads as it does: its score against the thresholds, then its parts."""
    sig = evidence_for(ledger, "signal", ticker)
    if sig is None:
        return None
    v = sig.values
    th = v["thresholds"]
    sentence = say(
        "lead_why",
        [sig],
        ticker=sig.tickers[0],
        action=v["action"],
        score=v["score"],
        where=_where(v["action"], th),
        as_of=sig.as_of,
    )
    notes: list[Reason] = []
    for part, c in v["components"].items():
        if c["score"] is None:
            reason = c.get("reason") or "not available"
            notes.append(say("signal_part_absent", [sig], part=part, reason=reason))
            continue
        push = (
            "pulls the score up"
            if c["score"] > th["buy"]
            else "pulls the score down"
            if c["score"] < th["sell"]
            else "sits in the neutral middle"
        )
        notes.append(
            say("why_part", [sig], part=part, score=c["score"], weight=c["weight"], push=push)
        )
        if part == "technical" and (tech := _technical_parts(sig, c.get("details") or {})):
            notes.append(tech)
    return Lead(sentence, notes)
