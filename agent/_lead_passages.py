"""The lead of a news or earnings-call answer: what the search found, first. The sentence of
the passages that names the most of what was asked, quoted and cited; "Yes --" when a yes/no
question's topic is named in it (never "No": a search that misses is no proof)."""

from __future__ import annotations

import re
from datetime import date

from agent._lead_common import Lead, say
from agent._tickers import strip_names
from agent.ledger import Ledger
from agent.question import ParsedQuestion
from retrieval.inert import inert_text
from tools.evidence import Evidence

__all__ = ["passages_lead"]

_PASSAGES = {"news": ("news", "news"), "call": ("call", "earnings-call")}
_YES_NO = re.compile(r"^(?:did|does|do|is|was|were|has|have|had|are|will|can)\b")
_QUOTE_CHARS = 280


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", " ".join(text.split())) if s]


def _quote(sentence: str) -> str:
    if len(sentence) <= _QUOTE_CHARS:
        return sentence
    return sentence[: sentence.rfind(" ", 0, _QUOTE_CHARS)] + " ..."


# words that say nothing about what a call or news passage should contain
_STOP = frozenset(
    [
        "what",
        "when",
        "where",
        "which",
        "does",
        "did",
        "do",
        "is",
        "was",
        "were",
        "has",
        "have",
        "had",
        "are",
        "will",
        "can",
        "the",
        "a",
        "an",
        "on",
        "in",
        "of",
        "for",
        "to",
        "and",
        "or",
        "about",
        "their",
        "its",
        "it",
        "they",
        "them",
        "say",
        "said",
        "says",
        "talk",
        "talked",
        "talking",
        "mention",
        "mentioned",
        "discuss",
        "discussed",
        "call",
        "calls",
        "earnings",
        "conference",
        "management",
        "news",
        "headlines",
        "any",
        "latest",
        "last",
        "recent",
        "recently",
        "comments",
        "comment",
        "tell",
        "me",
        "company",
        "shares",
        "stock",
    ]
)
_ROLES = {"cfo": "financial officer", "ceo": "executive officer"}


def _topic_words(q: ParsedQuestion) -> list[str]:
    """What the passage should be about: the scope's topic, else the question's own words
    (less the company's names and the words every such question has)."""
    text = strip_names(q.scope.topic if q.scope and q.scope.topic else q.text, " ").lower()
    names = {t.lower() for t in q.tickers}
    words = [w for w in re.findall(r"[a-z0-9]+", text) if w not in _STOP and w not in names]
    return [_ROLES.get(w, w) for w in words if len(w) > 2]


def _best(found: list[Evidence], words: list[str]) -> tuple[Evidence, str, list[str]]:
    """(passage, sentence, the topic words it names): the sentence naming the most topic words,
    preferring one that is no title (no parenthesised aside), then the earliest."""
    best: tuple[tuple[int, bool, int], Evidence, str, list[str]] | None = None
    at = 0
    for ev in found:
        for sentence in _sentences(str(ev.values.get("text", ""))):
            named = [w for w in words if w in sentence.lower()]
            key = (len(named), "(" not in sentence, -at)
            if best is None or key > best[0]:
                best = (key, ev, sentence, named)
            at += 1
    if best is None:
        return found[0], "", []
    return best[1], best[2], best[3]


def passages_lead(q: ParsedQuestion, ledger: Ledger, ticker: str | None, _: date) -> Lead | None:
    """What a news or call search found, first: the most relevant sentence, quoted; "Yes" when a
    yes/no question's topic is named in it (never "No": a search that misses is no proof)."""
    kind, what = _PASSAGES["call" if q.ask == "call" else "news"]
    found = ledger.by_kind(kind)  # type: ignore[arg-type]
    if not found:
        return None
    shown = [ev for ev in found if not ev.values.get("injection_suspected")]
    ev, sentence, named = _best(shown, _topic_words(q)) if shown else (found[0], "", [])
    s = ev.source
    parts = (ev.tickers[0] if ev.tickers else None, s.get("form"), s.get("fiscal_period"))
    where = ", ".join(str(x) for x in parts if x) or str(s.get("document", "a document"))
    common = dict(what=what, as_of=ev.as_of, where=where, available=s.get("filed") or ev.window.end)
    if not sentence:
        return Lead(say("lead_passages_withheld", [ev], **common))
    quote = _quote(inert_text(sentence))
    if named and _YES_NO.search(q.normalized):
        topic = q.scope.topic if q.scope and q.scope.topic else " ".join(named)
        return Lead(say("lead_passages_yes", [ev], topic=topic, quote=quote, **common))
    return Lead(say("lead_passages", [ev], quote=quote, **common))
