"""The briefing as Markdown: summary table, what changed, the portfolio panel, each ticker's
verified answer (its citations kept as ``[E-...]``) and the list of sources cited.

Every figure is formatted from the report's values; nothing here computes.
"""

from __future__ import annotations

from agent.answer import DISCLAIMER, citation_ids
from briefing.models import BriefingReport, Changes, PortfolioPanel, TickerBrief, TrackLine
from briefing.portfolio import panel_evidence
from reports.markdown import markdown_table, num, pct, signed
from tools.evidence import Evidence

__all__ = ["cited_evidence", "render_markdown", "sections", "track_record_line"]

_RISK_LABELS = {
    "var_95": "95% 1-day VaR",
    "volatility_annual": "annual volatility",
    "drawdown_from_peak": "drawdown from 1-year high",
}


def _summary_row(b: TickerBrief) -> list[str]:
    risk = b.risk
    verified = "yes" if b.verified else ("no" if b.verification is not None else "n/a")
    return [
        b.ticker,
        f"**{b.action}**" if b.action else f"_{b.status}_",
        num(b.score),
        num(b.confidence, 2),
        signed(b.position_size, percent=True),
        pct(risk.var_95 if risk else None),
        pct(risk.volatility_annual if risk else None, 1),
        pct(risk.drawdown_from_peak if risk else None, 1),
        b.ml_status,
        verified,
    ]


def _summary(report: BriefingReport) -> list[str]:
    header = [
        "ticker",
        "signal",
        "score",
        "confidence",
        "position",
        "95% VaR (1d)",
        "volatility",
        "from 1y high",
        "ML",
        "verified",
    ]
    lines = ["## Summary", "", *markdown_table(header, (_summary_row(b) for b in report.tickers))]
    failed = [b for b in report.tickers if b.status != "ok"]
    if failed:
        lines += ["", "**Not covered**", ""]
        lines += [f"- **{b.ticker}** ({b.status}): {b.error}" for b in failed]
    return lines


def _changes(changes: Changes | None) -> list[str]:
    if changes is None:
        return ["## What changed", "", "First briefing of this watchlist: nothing to compare."]
    lines = [f"## What changed since {changes.previous_as_of}", ""]
    flips = [c for c in changes.signals if c.flipped]
    lines += [
        f"- **{c.ticker}** flipped {c.before} → {c.after} "
        f"(score {num(c.score_before)} → {num(c.score_after)})"
        for c in flips
    ] or ["- No signal flipped."]
    if changes.signals:
        header = ["ticker", "signal", "score Δ", "technical Δ", "sentiment Δ", "ML Δ"]
        rows = [
            [
                c.ticker,
                f"{c.before} → {c.after}" if c.flipped else str(c.after),
                signed(c.score_delta, 3),
                *(signed(c.component_deltas.get(k), 3) for k in ("technical", "sentiment", "ml")),
            ]
            for c in changes.signals
        ]
        lines += ["", *markdown_table(header, rows)]
    if changes.risk:
        header = ["ticker", "measure", "before", "now", "change"]
        rows = [
            [
                m.ticker,
                _RISK_LABELS[m.metric],
                pct(m.before),
                pct(m.after),
                signed(m.delta, percent=True),
            ]
            for m in changes.risk
        ]
        lines += ["", "**Risk**", "", *markdown_table(header, rows)]
    lines += ["", "**New documents**", ""]
    lines += [
        f"- {i.date} · {i.ticker} · {i.kind}: {i.title}" + (f" ({i.source})" if i.source else "")
        for i in changes.new_items
    ] or ["- No filing, call or news item dated since the previous briefing."]
    lines += ["", "**Models**", ""]
    lines += [
        f"- {m.ticker}: ML {m.before} → {m.after}" + (f" ({m.reason})" if m.reason else "")
        for m in changes.models
    ] or ["- No model changed its go/no-go."]
    for label, tickers in (("Now covered", changes.added), ("No longer covered", changes.dropped)):
        if tickers:
            lines += ["", f"{label}: {', '.join(tickers)}."]
    return lines


def _portfolio(report: BriefingReport) -> list[str]:
    p: PortfolioPanel | None = report.portfolio
    if p is None:
        return ["## Portfolio", "", f"Not computed: {report.portfolio_error}."]
    weights = ", ".join(f"{t} {pct(w, 1)}" for t, w in p.weights.items())
    lines = [
        "## Portfolio",
        "",
        f"Weights: {weights}. {p.n_days} days of daily returns, {p.window_start} to "
        f"{p.window_end} [{p.evidence_id}].",
        "",
    ]
    rows = [
        [
            f"{r.level:.0%}",
            f"{r.horizon_days}d",
            r.method.replace("_", " "),
            pct(r.var),
            pct(r.cvar),
        ]
        for r in p.var
    ]
    lines += markdown_table(["level", "horizon", "method", "VaR", "CVaR"], rows)
    lines += [
        "",
        f"- Annual volatility {pct(p.volatility_annual, 1)}; maximum drawdown over the window "
        f"{pct(p.max_drawdown, 1)}, now {pct(p.current_drawdown, 1)} from the peak.",
        f"- Concentration: HHI {num(p.hhi)}, effective positions {num(p.effective_n, 1)}, "
        f"largest weight {pct(p.max_weight, 1)}; share of 95% 1-day VaR: "
        + ", ".join(f"{t} {pct(s, 1)}" for t, s in p.risk_share.items())
        + ".",
        f"- Average pairwise correlation {num(p.average_correlation, 2)}.",
        "",
    ]
    names = list(p.correlation)
    lines += markdown_table(
        ["", *names], ([a, *(num(p.correlation[a][b], 2) for b in names)] for a in names)
    )
    if p.excluded:
        lines += ["", "Left out: " + "; ".join(f"{t} ({why})" for t, why in p.excluded.items())]
    return lines


def track_record_line(t: TrackLine) -> str:
    """ "Track record (5-day calls, last 100 resolved): 54% right vs always-buy 53%, momentum
    49% (57 calls)." or "no resolved calls yet"."""
    head = f"Track record ({t.horizon_days}-day calls"
    if not t.scored:
        return f"{head}): no resolved calls yet ({t.calls} recorded, {t.pending} pending)."
    if t.directional == t.scored:
        right = f"{pct(t.hit_rate, 0)} right"
    elif t.directional:
        right = f"{pct(t.hit_rate, 0)} right of the {t.directional} that took a side"
    else:
        right = "none took a side"
    return (
        f"{head}, last {t.last} resolved): {right} vs always-buy {pct(t.always_buy, 0)}, "
        f"momentum {pct(t.momentum, 0)} ({t.scored} calls)."
    )


def _ticker(b: TickerBrief) -> list[str]:
    lines = [f"## {b.ticker}", ""]
    if b.answer is not None and b.answer.markdown:
        lines.append(b.answer.markdown.strip())  # its heading is level 3, under this one
    else:
        lines.append(f"_{b.status}: {b.error}_")
    if b.track_record is not None:
        lines += ["", track_record_line(b.track_record)]
    if b.thread_id:
        lines += ["", f"_Continue this thread: `signaldesk chat --thread {b.thread_id}`._"]
    return lines


def cited_evidence(report: BriefingReport) -> list[Evidence]:
    """The evidence the answers cite, in order of first citation."""
    pool = {e.id: e for b in report.tickers for e in b.evidence}
    texts = [b.answer.markdown for b in report.tickers if b.answer is not None]
    if report.portfolio is not None:
        panel = panel_evidence(report.portfolio, as_of=report.as_of)
        pool[panel.id] = panel
        texts.insert(0, f"[{report.portfolio.evidence_id}]")
    seen: dict[str, Evidence] = {}
    for text in texts:
        for ident, _ in citation_ids(text):
            if ident in pool and ident not in seen:
                seen[ident] = pool[ident]
    return list(seen.values())


def _sources(report: BriefingReport) -> list[str]:
    lines = ["## Sources", ""]
    for e in cited_evidence(report):
        window = f"{e.window.start or ''}..{e.window.end or ''}".strip(".")
        where = ", ".join(f"{k} {v}" for k, v in e.source.items() if v and k != "chars")
        lines.append(f"- `{e.id}` · {e.kind} · {window} · {where}")
    return lines if len(lines) > 2 else []


def _header(report: BriefingReport) -> list[str]:
    covered = len(report.covered)
    return [
        f"# SignalDesk briefing: {report.as_of}",
        "",
        f"Watchlist {', '.join(report.watchlist)} · {covered}/{len(report.tickers)} covered · "
        f"model {report.model} · generated {report.created_at:%Y-%m-%d %H:%M} UTC "
        f"in {report.elapsed_s:.1f} s.",
        "",
        f"_{DISCLAIMER} Every figure comes from code; the explanations are verified against "
        "the evidence they cite._",
        *(
            [
                "",
                "**Stale data:** "
                + "; ".join(f"{t}'s latest bar is {end}" for t, end in report.stale.items())
                + f", well before {report.as_of}: the figures describe those dates. This run "
                "is partial (exit 1).",
            ]
            if report.stale
            else []
        ),
    ]


def sections(report: BriefingReport) -> dict[str, str]:
    """The report's Markdown by section: header, summary, changes, portfolio, one per ticker
    (keyed ``ticker:AAPL``) and sources (the HTML report places charts between them)."""
    blocks = {
        "header": _header(report),
        "summary": _summary(report),
        "changes": _changes(report.changes),
        "portfolio": _portfolio(report),
        **{f"ticker:{b.ticker}": _ticker(b) for b in report.tickers},
        "sources": _sources(report),
    }
    return {name: "\n".join(lines).strip() for name, lines in blocks.items() if lines}


def render_markdown(report: BriefingReport) -> str:
    return "\n\n".join(sections(report).values()) + "\n"
