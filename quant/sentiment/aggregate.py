"""Per-ticker sentiment over time: daily/weekly series and the signal's sentiment part at a date.

The DESIGN aggregate at ``as_of`` (all windows inclusive, calendar days):

- ``last_week``: news published in [as_of - 6, as_of], weight 40%;
- ``weeks_1_to_4``: news published in [as_of - 34, as_of - 7], weight 30%;
- ``earnings_calls``: the latest ``n_calls`` call dates available in
  [as_of - call_lookback_days, as_of] (default: the latest call within 100 days), weight 30%.

Each part is the mean item score of its window. Weights are renormalised over the parts that have
items; a part without items is reported with the reason and weight 0, never invented. The result
is in [-1, 1] and, for the confluence signal, (s + 1) / 2 in [0, 1]. Point in time: nothing
published after ``as_of`` is used (``as_of`` itself counts; pass the previous day for a decision
taken before the open). Top contributors are ranked by |weight_used * score / n| of their part.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

import numpy as np
import pandas as pd

from quant.sentiment._types import NewsLike, SentimentScorer
from quant.sentiment.items import CallInput, ScoredItem, score_calls, score_news
from quant.signals.config import SentimentWeights
from quant.signals.confluence import Part

PartName = Literal["last_week", "weeks_1_to_4", "earnings_calls"]
PART_NAMES: tuple[PartName, ...] = ("last_week", "weeks_1_to_4", "earnings_calls")
_DAY = timedelta(days=1)
DEFAULT_WEIGHTS = SentimentWeights()  # last week 0.4, weeks 1-4 0.3, earnings calls 0.3


@dataclass(frozen=True, slots=True)
class SentimentPart:
    """One window of the aggregate; ``score`` is None (and ``reason`` says why) when empty."""

    name: PartName
    score: float | None
    n: int
    start: date  # the window searched, inclusive
    end: date
    weight: float  # nominal, from SentimentWeights
    weight_used: float  # renormalised over the parts with data; 0 when absent
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "n": self.n,
            "window": [self.start.isoformat(), self.end.isoformat()],
            "weight": self.weight,
            "weight_used": self.weight_used,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class Contribution:
    """An item's share of the aggregate: weight_used of its part * its score / items in part."""

    id: str
    part: PartName
    published: date
    score: float
    contribution: float
    title: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "part": self.part,
            "published": self.published.isoformat(),
            "score": self.score,
            "contribution": self.contribution,
            "title": self.title,
        }


@dataclass(frozen=True, slots=True)
class SentimentAggregate:
    """The sentiment part of the signal at ``as_of``; ``score`` is None when no part has data."""

    ticker: str | None
    as_of: date
    score: float | None  # in [-1, 1]
    score_01: float | None  # (score + 1) / 2, for the confluence
    parts: tuple[SentimentPart, ...]
    model: str
    top_items: tuple[Contribution, ...]
    reason: str = ""

    @property
    def available(self) -> bool:
        return self.score is not None

    @property
    def top_item_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.top_items)

    def part(self, name: PartName) -> SentimentPart:
        return next(p for p in self.parts if p.name == name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ticker": self.ticker,
            "as_of": self.as_of.isoformat(),
            "score": self.score,
            "score_01": self.score_01,
            "parts": {p.name: p.to_dict() for p in self.parts},
            "model": self.model,
            "top_item_ids": list(self.top_item_ids),
            "top_items": [c.to_dict() for c in self.top_items],
            "reason": self.reason,
        }

    def to_part(self) -> Part:
        """The confluence's sentiment input: score_01, or None with the reason."""
        return Part(self.score_01, reason=self.reason, details=self.to_dict())


def _windows(as_of: date, call_lookback_days: int) -> dict[PartName, tuple[date, date]]:
    return {
        "last_week": (as_of - 6 * _DAY, as_of),
        "weeks_1_to_4": (as_of - 34 * _DAY, as_of - 7 * _DAY),
        "earnings_calls": (as_of - call_lookback_days * _DAY, as_of),
    }


def _select(
    name: PartName,
    window: tuple[date, date],
    news: Sequence[ScoredItem],
    calls: Sequence[ScoredItem],
    n_calls: int,
) -> list[ScoredItem]:
    start, end = window
    if name != "earnings_calls":
        return [i for i in news if start <= i.published <= end]
    in_window = [c for c in calls if start <= c.published <= end]
    latest = sorted({c.published for c in in_window})[-n_calls:]
    return [c for c in in_window if c.published in latest]


def _absent_reason(name: PartName, window: tuple[date, date], ticker: str | None) -> str:
    what = "earnings call" if name == "earnings_calls" else "news"
    who = f" for {ticker}" if ticker else ""
    return f"no {what}{who} between {window[0].isoformat()} and {window[1].isoformat()}"


def sentiment_at(
    news: Sequence[ScoredItem],
    calls: Sequence[ScoredItem] = (),
    *,
    as_of: date,
    weights: SentimentWeights = DEFAULT_WEIGHTS,
    call_lookback_days: int = 100,
    n_calls: int = 1,
    top_k: int = 5,
    ticker: str | None = None,
    model: str | None = None,
) -> SentimentAggregate:
    """The DESIGN aggregate at ``as_of`` from scored items of one ticker (see the module doc).

    Items published after ``as_of`` are ignored. ``model`` defaults to the items' model(s).
    """
    if call_lookback_days < 0 or n_calls < 1 or top_k < 0:
        raise ValueError("call_lookback_days >= 0, n_calls >= 1 and top_k >= 0 are required")
    windows = _windows(as_of, call_lookback_days)
    nominal = weights.model_dump()
    chosen = {name: _select(name, windows[name], news, calls, n_calls) for name in PART_NAMES}
    total = sum(nominal[name] for name in PART_NAMES if chosen[name])
    parts: list[SentimentPart] = []
    contributions: list[Contribution] = []
    for name in PART_NAMES:
        items, (start, end) = chosen[name], windows[name]
        used = nominal[name] / total if items and total > 0 else 0.0
        scores = np.array([i.score for i in items], dtype=float)
        parts.append(
            SentimentPart(
                name=name,
                score=float(scores.mean()) if items else None,
                n=len(items),
                start=start,
                end=end,
                weight=nominal[name],
                weight_used=used,
                reason="" if items else _absent_reason(name, (start, end), ticker),
            )
        )
        contributions.extend(
            Contribution(i.id, name, i.published, i.score, used * i.score / len(items), i.title)
            for i in items
        )
    present = [p for p in parts if p.score is not None and p.weight_used > 0]
    score = sum(p.weight_used * p.score for p in present if p.score is not None)
    reason = ""
    if not present:
        reason = "no sentiment: " + "; ".join(p.reason or "weight 0" for p in parts)
    top = sorted(
        contributions, key=lambda c: (-abs(c.contribution), -c.published.toordinal(), c.id)
    )
    models = sorted({i.model for name in PART_NAMES for i in chosen[name]})
    return SentimentAggregate(
        ticker=ticker,
        as_of=as_of,
        score=float(np.clip(score, -1.0, 1.0)) if present else None,
        score_01=float(np.clip((score + 1) / 2, 0.0, 1.0)) if present else None,
        parts=tuple(parts),
        model=model or "+".join(models),
        top_items=tuple(c for c in top[:top_k] if c.contribution != 0),
        reason=reason,
    )


def ticker_sentiment(
    *,
    ticker: str,
    as_of: date,
    news: Iterable[NewsLike],
    scorer: SentimentScorer,
    calls: Iterable[CallInput] = (),
    weights: SentimentWeights = DEFAULT_WEIGHTS,
    call_lookback_days: int = 100,
    n_calls: int = 1,
    top_k: int = 5,
) -> SentimentAggregate:
    """Filter ``ticker``'s news and calls to the windows before ``as_of``, score, aggregate."""
    windows = _windows(as_of, call_lookback_days)
    scored_news = score_news(
        news, scorer, ticker=ticker, start=windows["weeks_1_to_4"][0], as_of=as_of
    )
    scored_calls = score_calls(
        calls, scorer, ticker=ticker, start=windows["earnings_calls"][0], as_of=as_of
    )
    return sentiment_at(
        scored_news,
        scored_calls,
        as_of=as_of,
        weights=weights,
        call_lookback_days=call_lookback_days,
        n_calls=n_calls,
        top_k=top_k,
        ticker=ticker.upper(),
        model=scorer.model,
    )


def sentiment_series(
    items: Sequence[ScoredItem],
    *,
    freq: Literal["D", "W"] = "D",
    start: date | None = None,
    end: date | None = None,
) -> pd.DataFrame:
    """Mean score and item count per day or week, items in [start, end] only.

    Returns a frame indexed by ``period_end`` (a DatetimeIndex, oldest first) with columns
    ``score`` (NaN where n is 0) and ``n``; every period from the first to the last is present.
    Weeks are 7-day periods ending on ``end``'s weekday (Sunday when ``end`` is None), so the
    last week is (end - 6 .. end), as in the aggregate.
    """
    if freq not in ("D", "W"):
        raise ValueError(f"freq must be 'D' or 'W', got {freq!r}")
    kept = [i for i in items if _in(i.published, start, end)]
    dates = pd.DatetimeIndex([pd.Timestamp(i.published) for i in kept], name="period_end")
    scores = np.array([i.score for i in kept], dtype=float)
    lo = pd.Timestamp(start) if start else (dates.min() if len(dates) else None)
    hi = pd.Timestamp(end) if end else (dates.max() if len(dates) else None)
    if lo is None or hi is None:
        empty = pd.DatetimeIndex([], name="period_end")
        return pd.DataFrame(
            {"score": pd.Series(dtype=float), "n": pd.Series(dtype=np.int64)}, index=empty
        )
    step = 1 if freq == "D" else 7
    anchor = hi.day_of_week if end else 6

    def period_end(ts: pd.DatetimeIndex) -> pd.DatetimeIndex:
        if step == 1:
            return ts
        return ts + pd.to_timedelta((anchor - ts.day_of_week) % 7, unit="D")

    frame = pd.DataFrame({"score": scores, "period_end": period_end(dates)})
    grouped = frame.groupby("period_end")["score"].agg(["mean", "count"])
    first, last = period_end(pd.DatetimeIndex([lo, hi]))
    full = pd.date_range(first, last, freq=f"{step}D", name="period_end")
    out = grouped.reindex(full)
    return pd.DataFrame(
        {"score": out["mean"].astype(float), "n": out["count"].fillna(0).astype(np.int64)},
        index=full,
    )


def _in(day: date, start: date | None, end: date | None) -> bool:
    return (start is None or day >= start) and (end is None or day <= end)
