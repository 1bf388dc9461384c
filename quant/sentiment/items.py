"""Scoring dated news and earnings calls: the scored items that the aggregates are built from.

Filtering comes before scoring: an item published after ``as_of`` (or outside ``start``) is never
scored, so nothing from the future can reach a result, and no time is spent on it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Literal

from core.ids import content_hash
from quant.sentiment._types import CallLike, Label, NewsLike, SentimentScorer
from quant.sentiment.errors import SentimentInputError

ItemKind = Literal["news", "call"]
CallInput = CallLike | tuple[date, str]


@dataclass(frozen=True, slots=True)
class ScoredItem:
    """One scored headline or earnings call; ``id`` is what the agent cites."""

    id: str
    kind: ItemKind
    published: date
    score: float  # in [-1, 1]
    label: Label
    model: str
    tickers: tuple[str, ...] = ()
    title: str = ""
    source: str = ""

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "kind": self.kind,
            "published": self.published.isoformat(),
            "score": self.score,
            "label": self.label,
            "model": self.model,
            "tickers": list(self.tickers),
            "title": self.title,
            "source": self.source,
        }


def _in_range(day: date, start: date | None, as_of: date | None) -> bool:
    return (start is None or day >= start) and (as_of is None or day <= as_of)


def news_text(item: NewsLike) -> str:
    """What is scored: the headline, then the body when there is one."""
    body = item.body.strip()
    return f"{item.title.strip()}. {body}" if body else item.title.strip()


def score_news(
    items: Iterable[NewsLike],
    scorer: SentimentScorer,
    *,
    ticker: str | None = None,
    start: date | None = None,
    as_of: date | None = None,
) -> list[ScoredItem]:
    """Score the items tagged ``ticker`` (any when None) published in [start, as_of].

    Returns them oldest first (ties by id).
    """
    wanted = ticker.upper() if ticker else None
    kept = sorted(
        (
            item
            for item in items
            if _in_range(item.published, start, as_of)
            and (wanted is None or wanted in {t.upper() for t in item.tickers})
        ),
        key=lambda item: (item.published, item.id),
    )
    scores = scorer.score([news_text(item) for item in kept])
    return [
        ScoredItem(
            id=item.id,
            kind="news",
            published=item.published,
            score=result.score,
            label=result.label,
            model=result.model,
            tickers=item.tickers,
            title=item.title,
            source=item.url or item.source,
        )
        for item, result in zip(kept, scores, strict=True)
    ]


def _call_fields(call: CallInput) -> tuple[str, date, str | None, str, str, str]:
    """(id, date, ticker, title, source, text) of a call document or a (date, text) pair."""
    if not isinstance(call, tuple):
        if call.kind != "call":
            raise SentimentInputError(
                f"document {call.id} is a {call.kind!r}, not an earnings call (kind 'call')"
            )
        return call.id, call.available_on, call.ticker, call.title, call.source, call.text
    day, text = call
    if not isinstance(day, date):
        raise SentimentInputError(f"a call pair must be (date, text), got ({day!r}, ...)")
    return f"call:{day.isoformat()}:{content_hash(text)}", day, None, "", "", text


def score_calls(
    calls: Iterable[CallInput],
    scorer: SentimentScorer,
    *,
    ticker: str | None = None,
    start: date | None = None,
    as_of: date | None = None,
) -> list[ScoredItem]:
    """Score earnings calls available in [start, as_of]: ``Document``s of kind "call" (dated by
    ``available_on``; those of another ticker are skipped) or (date, text) pairs (taken as the
    ticker's). Pairs get the id ``call:<date>:<content hash>``. Returns them oldest first.
    """
    wanted = ticker.upper() if ticker else None
    fields = sorted(
        (
            f
            for f in map(_call_fields, calls)
            if _in_range(f[1], start, as_of)
            and (wanted is None or f[2] is None or f[2].upper() == wanted)
        ),
        key=lambda f: (f[1], f[0]),
    )
    scores = scorer.score([f[5] for f in fields])
    return [
        ScoredItem(
            id=call_id,
            kind="call",
            published=day,
            score=result.score,
            label=result.label,
            model=result.model,
            tickers=tuple(t for t in [call_ticker or ticker] if t),
            title=title,
            source=source,
        )
        for (call_id, day, call_ticker, title, source, _), result in zip(
            fields, scores, strict=True
        )
    ]
