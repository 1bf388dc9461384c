"""Answer assembly: from the writer's ``Draft`` to the ``Answer``.

The writer (an LLM, or ``agent.offline_writer.template_draft`` for the offline planner) produces
a ``Draft``: a summary, reasons and risks, citing evidence ids. ``assemble`` adds everything code
owns: the signal (copied from the signal evidence), the tickers, the as-of date, the data
windows, the warnings and the disclaimer, and renders the Markdown.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta

from pydantic import BaseModel, Field

from agent._offline_sentences import fill
from agent.answer import DISCLAIMER, Answer, DataWindow, Reason, SignalView
from agent.ledger import Ledger
from agent.request import Ask
from retrieval.inert import inert_text
from tools.evidence import Evidence

__all__ = ["Draft", "assemble", "data_windows", "stale_warnings"]

STALE_AFTER = timedelta(days=7)
_SIGNAL_ASKS: frozenset[Ask | None] = frozenset({None, "signal", "overview"})


class Draft(BaseModel):
    """The written part of an answer. Cite evidence ids in square brackets after each claim."""

    summary: str = Field(description="2-5 sentences of Markdown answering the question, cited")
    reasons: list[Reason] = Field(default_factory=list, description="supporting points, cited")
    risks: list[Reason] = Field(default_factory=list, description="what could make it wrong")


# --- assembly --------------------------------------------------------------------------------
def _signal_block(view: SignalView, ev: Evidence) -> str:
    th = ev.values["thresholds"]
    rows = [
        f"### {ev.tickers[0]}: {view.action.value} (as of {ev.as_of})",
        "",
        f"Confluence score {view.score:.2f} (SELL below {th['sell']:.2f}, BUY above "
        f"{th['buy']:.2f}) · confidence {view.confidence:.2f} · suggested position "
        f"{view.position_size:+.2%} of the portfolio · regime {view.regime or 'n/a'} "
        f"[{view.evidence_id}]",
        "",
        "| part | score | weight |",
        "|---|---|---|",
    ]
    for name, part in view.components.items():
        score = "absent" if part.score is None else f"{part.score:.2f}"
        rows.append(f"| {name} | {score} | {part.weight:.0%} |")
    return "\n".join(rows)


def _signal_line(view: SignalView, ev: Evidence) -> str:
    """The signal in one line: action, score, confidence and size, cited."""
    return (
        f"{ev.tickers[0]}: {view.action.value} as of {ev.as_of} (confluence score "
        f"{view.score:.2f}, confidence {view.confidence:.2f}, suggested position "
        f"{view.position_size:+.2%} of the portfolio) [{view.evidence_id}]."
    )


def _lead_of(summary: str) -> str:
    """The summary's first sentence with its citations (the sentence that answers)."""
    m = re.search(r"\]\.(?=\s|$)", summary)
    return summary[: m.end()] if m else summary.strip()


def _bullets(title: str, items: Sequence[Reason]) -> str:
    if not items:
        return ""
    lines = [f"**{title}**"]
    for r in items:
        cited = {c for c in re.findall(r"E-[^\s,;\[\]]+", r.text)}
        extra = [c for c in r.citations if c not in cited]
        lines.append(f"- {r.text}" + (f" [{', '.join(extra)}]" if extra else ""))
    return "\n".join(lines)


def _windows_line(windows: Sequence[DataWindow], ledger: Ledger) -> str:
    parts = []
    for w in windows:
        ev = ledger.get(w.evidence_id)
        span = f"{w.start} to {w.end}" if w.start else f"up to {w.end}"
        bars = f" ({w.bars:,} bars)" if w.bars else ""
        parts.append(f"{'/'.join(ev.tickers) or ev.kind} {ev.kind} {span}{bars} [{ev.id}]")
    return ("_Data: " + "; ".join(parts) + "._") if parts else ""


def data_windows(ledger: Ledger) -> list[DataWindow]:
    """The windows of the price-based evidence (passages carry a date, not a window)."""
    return [
        DataWindow.from_evidence(ev)
        for ev in ledger
        if ev.window.bars is not None and ev.kind != "comparison"
    ]


def stale_warnings(ledger: Ledger, as_of: date, *, after: timedelta = STALE_AFTER) -> list[str]:
    """Price data that ends well before the as-of date (a provider without recent bars)."""
    return [
        f"{t}: the latest data is {end}, {(as_of - end).days} days before the as-of date "
        f"{as_of}; the figures describe {end}"
        for t, end in stale_ends(ledger, as_of, after=after).items()
    ]


def stale_line(ledger: Ledger, as_of: date, *, after: timedelta = STALE_AFTER) -> str:
    """The answer's visible line about stale data ("" when none is): dates only, each one an
    evidence date, so the verifier reads it like any other sentence."""
    ends = stale_ends(ledger, as_of, after=after)
    if not ends:
        return ""
    said = "; ".join(f"{t}'s latest bar is {end}" for t, end in ends.items())
    return (
        f"**Stale data:** {said}, well before the as-of date {as_of}; the figures describe "
        "those dates, not the as-of date."
    )


def stale_ends(ledger: Ledger, as_of: date, *, after: timedelta = STALE_AFTER) -> dict[str, date]:
    """Ticker -> the last bar used, for price evidence ending more than ``after`` before
    ``as_of`` (a past window asked for, such as "in 2011", ends when it was asked to)."""
    out: dict[str, date] = {}
    for ev in ledger:
        end = ev.window.end
        if ev.window.bars is None or end is None or as_of - end <= after:
            continue
        asked = (ev.source.get("requested") or {}).get("end") if ev.kind == "period" else None
        if asked is not None and date.fromisoformat(str(asked)) - end <= after:
            continue  # "in 2011" asked in 2012: the window ends when it was asked to
        ticker = "/".join(ev.tickers) or ev.kind
        out[ticker] = min(end, out.get(ticker, end))
    return out


def assemble(
    draft: Draft,
    *,
    question: str,
    tickers: Sequence[str],
    as_of: date,
    ledger: Ledger,
    warnings: Sequence[str] = (),
    ask: Ask | None = None,
    verdict_first: bool = False,
    brief: bool = False,
    stale_after: timedelta = STALE_AFTER,
) -> Answer:
    """The ``Answer``: the draft's text plus what code owns, rendered to Markdown.

    ask: what the question asks (``ParsedQuestion.ask``). The signal block leads the answer
    only when the signal is the answer (signal, overview, or no typed ask); for any other ask
    the draft's summary, whose first sentence answers it, comes first and the signal block
    follows it; a "why" follow-up explains the drivers without the block. verdict_first: the
    draft's first sentence gives the yes/no a signal question asked ("Should I buy X?": "Not
    now -- ..."), so it leads and the block follows. brief: "in one line": only the sentence
    that answers (or the signal's own line) and the footer; reasons and risks stay structured.
    """
    signals = [
        ev for ev in ledger.by_kind("signal") if not tickers or set(ev.tickers) & set(tickers)
    ]
    comparisons = ledger.by_kind("comparison")
    view = SignalView.from_evidence(signals[0]) if len(signals) == 1 and not comparisons else None
    windows = data_windows(ledger)
    block = _signal_block(view, signals[0]) if view and ask != "why" else ""
    first = ask in _SIGNAL_ASKS and not verdict_first
    shown = draft  # what the Markdown shows; the Answer keeps every reason and risk
    if brief:
        line = (
            _signal_line(view, signals[0])
            if first and view is not None
            else _lead_of(draft.summary)
        )
        block, shown = "", draft.model_copy(update={"summary": line, "reasons": [], "risks": []})
    blocks = [
        block if first else "",
        shown.summary.strip(),
        "" if first else block,
        _bullets("Why", shown.reasons),
        _bullets("Risks", shown.risks),
        stale_line(ledger, as_of, after=stale_after),
        _windows_line(windows, ledger),
        fill("footer", as_of=as_of, disclaimer=DISCLAIMER),
    ]
    return Answer(
        question=question,
        tickers=list(tickers) or sorted(ledger.tickers()),
        as_of=as_of,
        signal=view,
        reasons=draft.reasons,
        risks=draft.risks,
        data_windows=windows,
        warnings=[*warnings, *stale_warnings(ledger, as_of, after=stale_after)],
        markdown=inert_text("\n\n".join(b for b in blocks if b)),  # no planted image survives
    )
