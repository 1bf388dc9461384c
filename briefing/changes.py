"""What changed since the previous stored briefing of the same watchlist.

Pure comparison of two briefings, plus the documents dated in between: filings, earnings calls
and news whose date is after the previous as-of date and on or before this one (so a briefing
never lists an item it could not have seen).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Protocol

from briefing.models import (
    BriefingReport,
    Changes,
    ModelChange,
    NewItem,
    RiskMove,
    SignalChange,
    TickerBrief,
)
from retrieval.types import Document, NewsItem

__all__ = ["DocumentSource", "new_items", "what_changed"]

_RISK_METRICS = ("var_95", "volatility_annual", "drawdown_from_peak")


class DocumentSource(Protocol):
    """What ``retrieval.corpus.Corpus`` offers: dated items by ticker in a date window."""

    def news(self, ticker: str, *, start: date, end: date) -> list[NewsItem]: ...
    def calls(self, ticker: str, *, start: date, end: date) -> list[Document]: ...
    def filings(self, ticker: str, *, start: date, end: date) -> list[Document]: ...


def new_items(
    source: DocumentSource, tickers: Iterable[str], *, after: date, through: date
) -> list[NewItem]:
    """Documents dated in (after, through], filings first, then calls, then news."""
    start = after + timedelta(days=1)
    items: list[NewItem] = []
    for ticker in tickers:
        filings = source.filings(ticker, start=start, end=through)
        calls = source.calls(ticker, start=start, end=through)
        for kind, docs in (("filing", filings), ("call", calls)):
            items += [
                NewItem(
                    ticker=ticker,
                    kind=kind,
                    date=d.available_on,
                    source=d.source,
                    title=d.title or " ".join(x for x in (d.form, d.fiscal_period) if x) or d.id,
                )
                for d in docs
            ]
        items += [
            NewItem(
                ticker=ticker,
                kind="news",
                date=n.published,
                title=n.title,
                source=n.url or n.source or "",
            )
            for n in source.news(ticker, start=start, end=through)
        ]
    order = {"filing": 0, "call": 1, "news": 2}
    return sorted(items, key=lambda i: (order[i.kind], i.date, i.ticker))


def _signal_change(before: TickerBrief, after: TickerBrief) -> SignalChange:
    deltas = {
        name: later - score
        for name, score in before.components.items()
        if score is not None and (later := after.components.get(name)) is not None
    }
    return SignalChange(
        ticker=after.ticker,
        before=before.action,
        after=after.action,
        score_before=before.score,
        score_after=after.score,
        flipped=before.action != after.action,
        component_deltas=deltas,
    )


def _risk_moves(before: TickerBrief, after: TickerBrief) -> list[RiskMove]:
    if before.risk is None or after.risk is None:
        return []
    moves = []
    for metric in _RISK_METRICS:
        old, new = getattr(before.risk, metric), getattr(after.risk, metric)
        if old is not None and new is not None:
            moves.append(RiskMove(ticker=after.ticker, metric=metric, before=old, after=new))
    return moves


def what_changed(
    previous: BriefingReport,
    current: list[TickerBrief],
    *,
    as_of: date,
    documents: DocumentSource | None = None,
) -> Changes:
    """Compare ``current`` briefs with ``previous`` (an earlier briefing of the watchlist)."""
    if previous.as_of >= as_of:
        raise ValueError(f"previous briefing {previous.as_of} is not before {as_of}")
    was = {b.ticker: b for b in previous.covered}
    now = {b.ticker: b for b in current if b.status == "ok"}
    both = [t for t in now if t in was]
    models = [
        ModelChange(
            ticker=t, before=was[t].ml_status, after=now[t].ml_status, reason=now[t].ml_reason
        )
        for t in both
        if was[t].ml_status != now[t].ml_status
    ]
    items = (
        new_items(documents, [b.ticker for b in current], after=previous.as_of, through=as_of)
        if documents is not None
        else []
    )
    return Changes(
        previous_as_of=previous.as_of,
        signals=[_signal_change(was[t], now[t]) for t in both],
        risk=[m for t in both for m in _risk_moves(was[t], now[t])],
        new_items=items,
        models=models,
        added=[t for t in now if t not in was],
        dropped=[t for t in was if t not in now],
    )
