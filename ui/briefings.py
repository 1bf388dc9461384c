"""The latest daily briefing, as the chat lists it: one row per ticker, each explained in an
agent thread (``thread_id``) a chat opens by date and ticker (``briefing_ticker``) and continues
in a fork of its own (``ui.threads``).

Reads the ``briefings`` table (``data.store.Briefing``) on the configured database; the
payload is ``{"as_of", "watchlist", "tickers": [{"ticker", "status", "action", "score",
"thread_id", "error"}, ...]}`` as the briefing runner writes it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from agent.answer import Answer
from agent.runner import Agent
from agent.turn_evidence import turn_evidence
from data.store import Briefing
from tools.evidence import Evidence

__all__ = [
    "BriefingTicker",
    "BriefingView",
    "briefing_markdown",
    "briefing_ticker",
    "latest_briefing",
    "stored_turn",
]


@dataclass(frozen=True)
class BriefingTicker:
    ticker: str
    status: str
    action: str | None = None
    score: float | None = None
    thread_id: str | None = None
    error: str | None = None

    @property
    def openable(self) -> bool:
        return self.status == "ok" and bool(self.thread_id)


@dataclass(frozen=True)
class BriefingView:
    as_of: dt.date
    created_at: dt.datetime
    watchlist: tuple[str, ...]
    tickers: tuple[BriefingTicker, ...]
    report_dir: str | None = None

    def ticker(self, symbol: str) -> BriefingTicker | None:
        return next((t for t in self.tickers if t.ticker == symbol), None)

    @classmethod
    def from_row(
        cls,
        *,
        as_of: dt.date,
        created_at: dt.datetime,
        payload: Mapping[str, Any],
        report_dir: str | None,
    ) -> BriefingView:
        rows = tuple(
            BriefingTicker(
                ticker=str(item["ticker"]),
                status=str(item.get("status") or "failed"),
                action=item.get("action"),
                score=item.get("score"),
                thread_id=item.get("thread_id"),
                error=item.get("error"),
            )
            for item in payload.get("tickers", [])
            if isinstance(item, Mapping) and item.get("ticker")
        )
        watchlist = tuple(payload.get("watchlist") or (t.ticker for t in rows))
        return cls(as_of, created_at, watchlist, rows, report_dir)


def latest_briefing(engine: Engine) -> BriefingView | None:
    """The newest briefing (latest as-of, then latest run), or None when there is none."""
    if not sa.inspect(engine).has_table(Briefing.__tablename__):
        return None
    table = Briefing.__table__
    query = sa.select(table).order_by(table.c.as_of.desc(), table.c.created_at.desc()).limit(1)
    with engine.connect() as conn:
        row = conn.execute(query).mappings().first()
    if row is None:
        return None
    return BriefingView.from_row(
        as_of=row["as_of"],
        created_at=row["created_at"],
        payload=row["payload"] or {},
        report_dir=row["report_dir"],
    )


def briefing_ticker(engine: Engine, *, as_of: dt.date, ticker: str) -> BriefingTicker | None:
    """The openable ``ticker`` of the newest stored briefing for ``as_of`` that has one (its
    thread id as the briefing stored it), or None."""
    if not sa.inspect(engine).has_table(Briefing.__tablename__):
        return None
    table = Briefing.__table__
    query = sa.select(table).where(table.c.as_of == as_of).order_by(table.c.created_at.desc())
    with engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    for row in rows:
        view = BriefingView.from_row(
            as_of=row["as_of"],
            created_at=row["created_at"],
            payload=row["payload"] or {},
            report_dir=row["report_dir"],
        )
        found = view.ticker(ticker)
        if found is not None and found.openable:
            return found
    return None


def briefing_markdown(view: BriefingView) -> str:
    """A table of the briefing's tickers: action, score, and why a ticker has none."""
    lines = [
        f"**Latest briefing** · as of {view.as_of} · {', '.join(view.watchlist)} "
        f"(run {view.created_at:%Y-%m-%d %H:%M} UTC)",
        "",
        "| ticker | action | score | status |",
        "|---|---|---|---|",
    ]
    for t in view.tickers:
        score = f"{t.score:.3f}" if t.score is not None else "n/a"
        status = t.status if t.error is None else f"{t.status}: {t.error}"
        lines.append(f"| {t.ticker} | {t.action or 'n/a'} | {score} | {status} |")
    if any(t.openable for t in view.tickers):
        lines += ["", "Open a ticker below to read its explanation and ask follow-ups."]
    return "\n".join(lines)


def stored_turn(agent: Agent, thread_id: str) -> tuple[Answer, list[Evidence]] | None:
    """The last answer of an agent thread and the evidence of its turn (what a briefing
    ticker's explanation is), or None when the thread has no answer."""
    state = agent.graph.get_state({"configurable": {"thread_id": thread_id}}).values
    if not state.get("answer"):
        return None
    ledger, _ = turn_evidence(state["messages"][state.get("turn", 0) :])
    return Answer.model_validate(state["answer"]), list(ledger)
