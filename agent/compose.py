"""From the turn's evidence to an ``Answer``.

The writer (an LLM, or ``template_draft`` for the offline planner) produces a ``Draft``: a
summary, reasons and risks, citing evidence ids. ``assemble`` adds everything code owns: the
signal (copied from the signal evidence), the tickers, the as-of date, the data windows, the
warnings and the disclaimer, and renders the Markdown. Templates live in ``prompts/offline.md``
and are filled with ledger values only.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from langchain_core.messages import BaseMessage, HumanMessage, ToolMessage
from pydantic import BaseModel, Field

import prompts
from agent.answer import DISCLAIMER, Answer, DataWindow, Reason, SignalView
from agent.ledger import Ledger
from agent.question import ParsedQuestion
from tools.evidence import Evidence

log = logging.getLogger(__name__)

__all__ = [
    "Draft",
    "ToolFailure",
    "assemble",
    "evidence_digest",
    "template_draft",
    "turn_evidence",
]

STALE_AFTER = timedelta(days=7)
_PASSAGE_CHARS = 600


class Draft(BaseModel):
    """The written part of an answer. Cite evidence ids in square brackets after each claim."""

    summary: str = Field(description="2-5 sentences of Markdown answering the question, cited")
    reasons: list[Reason] = Field(default_factory=list, description="supporting points, cited")
    risks: list[Reason] = Field(default_factory=list, description="what could make it wrong")


class ToolFailure(BaseModel):
    tool: str
    error: str


def turn_evidence(messages: Sequence[BaseMessage]) -> tuple[Ledger, list[ToolFailure]]:
    """The ledger of the last turn (tool results after the last human message) and the tool
    calls of that turn that failed."""
    start = max((i for i, m in enumerate(messages) if isinstance(m, HumanMessage)), default=-1)
    ledger, failures = Ledger(), []
    for message in messages[start + 1 :]:
        if not isinstance(message, ToolMessage):
            continue
        if message.status == "error":
            failures.append(ToolFailure(tool=message.name or "tool", error=message.text))
            continue
        for item in message.artifact or []:
            ledger.add(Evidence.model_validate(item))
    return ledger, failures


_WITHHELD = "[withheld: the passage contains instructions aimed at an AI assistant]"


def evidence_digest(ledger: Ledger, *, chars: int = 1500) -> str:
    """The evidence as the LLM writer sees it: id, kind, summary and compact values."""
    blocks = []
    for ev in ledger:
        shown = ev.values
        if shown.get("injection_suspected"):  # never hand a model instructions planted in data
            shown = {k: v for k, v in shown.items() if k != "text"} | {"text": _WITHHELD}
        values = json.dumps(shown, default=str, separators=(",", ":"))
        if len(values) > chars:
            values = values[:chars] + "..."
        blocks.append(f"[{ev.id}] ({ev.kind}, as of {ev.as_of}) {ev.summary}\nvalues: {values}")
    return "\n\n".join(blocks)


# --- templates ---------------------------------------------------------------------------------
class _Missing:
    """A value the evidence does not have (too little history): shown as "n/a" whatever the
    format spec, so a template never invents or crashes on it."""

    def __format__(self, spec: str) -> str:
        return "n/a"


_NA = _Missing()


def _t(template: str, /, **values: Any) -> str:
    filled = {
        k: _NA if v is None or (isinstance(v, float) and math.isnan(v)) else v
        for k, v in values.items()
    }
    return prompts.templates("offline")[template].format(**filled)


def _reason(text: str, *ids: str) -> Reason:
    return Reason(text=text, citations=list(ids))


def _pct_label(key: str) -> str:
    if m := re.fullmatch(r"return_(\d+)d", key):
        return f"{m.group(1)}-day return"
    return {
        "rsi_14": "RSI(14)",
        "var_95_1d": "95% 1-day VaR",
        "var_99_1d": "99% 1-day VaR",
        "volatility_annual": "annual volatility",
    }.get(key, key.replace("_", " "))


def _cell(key: str, value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if isinstance(value, str):
        return value
    if key.startswith(("return_", "var_", "volatility")):
        return f"{value:+.2%}" if key.startswith("return_") else f"{value:.2%}"
    return f"{value:.2f}" if key == "score" else f"{value:.1f}"


def _signal(ev: Evidence) -> tuple[str, list[Reason], list[Reason]]:
    v = ev.values
    head = _t(
        "signal_headline",
        ticker=ev.tickers[0],
        action=v["action"],
        as_of=ev.as_of,
        score=v["score"],
        sell=v["thresholds"]["sell"],
        buy=v["thresholds"]["buy"],
        confidence=v["confidence"],
        position=v["position_size"],
        id=ev.id,
    )
    reasons, risks = [], []
    for part, c in v["components"].items():
        if c["score"] is not None:
            text = _t("signal_part", part=part, score=c["score"], weight=c["weight"], id=ev.id)
            reasons.append(_reason(text, ev.id))
        else:
            reason = c.get("reason") or "not available"
            text = _t("signal_part_absent", part=part, reason=reason, id=ev.id)
            risks.append(_reason(text, ev.id))
    if v.get("regime"):
        notes = "; ".join(v.get("sizing_notes") or []) or "none"
        risks.append(_reason(_t("signal_regime", regime=v["regime"], notes=notes, id=ev.id), ev.id))
    return head, reasons, risks


def _technicals(ev: Evidence) -> str:
    v, ind = ev.values, ev.values["indicators"]
    tech, weekly = v["technical"], v.get("weekly") or {}
    return _t(
        "technicals",
        ticker=ev.tickers[0],
        close=v["close"],
        bar_date=tech["bar_date"],
        rsi=ind["rsi_14"],
        macd=ind["macd"],
        macd_signal=ind["macd_signal"],
        sma50=ind["sma_50"],
        sma200=ind["sma_200"],
        pct_b=ind["bb_pct_b"],
        score=tech["score"],
        action=tech["action"],
        weekly=weekly.get("score", float("nan")),
        weekly_action=weekly.get("action", "n/a"),
        id=ev.id,
    )


def _market(ev: Evidence) -> str:
    v = ev.values
    return _t(
        "market",
        ticker=ev.tickers[0],
        close=v["close"],
        bar_date=v["bar_date"],
        r1=v["return_1d"],
        r5=v["return_5d"],
        r20=v["return_20d"],
        r60=v["return_60d"],
        r250=v["return_250d"],
        low=v["low_52w"],
        high=v["high_52w"],
        id=ev.id,
    )


_METHOD_NAMES = {
    "normal": "normal",
    "cornish_fisher": "Cornish-Fisher",
    "monte_carlo_gbm": "Monte Carlo",
    "bootstrap": "bootstrap",
    "monte_carlo_bootstrap": "bootstrap",
    "filtered_historical": "filtered historical",
}


def _risk(ev: Evidence, *, level: float | None, horizon: int | None) -> tuple[str, str]:
    """(the VaR sentence at the asked level and horizon, the volatility/drawdown sentence)."""
    v = ev.values
    results = v["results"]
    horizons = sorted({r["horizon_days"] for r in results})
    h = horizon if horizon in horizons else horizons[0]
    levels = sorted({r["level"] for r in results})
    lv = level if level in levels else (0.99 if level and level > 0.97 else 0.95)
    lv = lv if lv in levels else levels[-1]
    at = [r for r in results if (r["horizon_days"], r["level"]) == (h, lv) and r["var"] is not None]
    hist = next((r for r in at if r["method"] == "historical"), at[0] if at else None)
    var_text = ""
    if hist is not None:
        var_text = _t(
            "risk_var",
            ticker=ev.tickers[0],
            level=lv,
            horizon=h,
            var=hist["var"],
            cvar=hist["cvar"],
            n=hist["n_obs"],
            start=hist["window_start"],
            end=hist["window_end"],
            id=ev.id,
        )
        others = ", ".join(
            f"{_METHOD_NAMES.get(r['method'], r['method'])} {r['var']:.2%}"
            for r in at
            if r is not hist
        )
        if others:
            var_text += " " + _t("risk_methods", methods=others, id=ev.id)
    dd = v["drawdown"]
    vol_text = _t(
        "risk_volatility",
        vol=v["volatility_annual"],
        dd_days=dd["horizon_days"],
        dd_median=dd["quantiles"]["0.5"],
        ruin_threshold=dd["ruin_threshold"],
        ruin=dd["ruin_probability"],
        id=ev.id,
    )
    return var_text, vol_text


def _forecast(ev: Evidence) -> str:
    v = ev.values
    wf = v["walk_forward"]
    return _t(
        "forecast",
        ticker=ev.tickers[0],
        horizon=v["horizon_days"],
        prob=v["prob_up"],
        row_date=v["row_date"],
        accuracy=wf["accuracy"],
        baseline=wf["baseline_accuracy"],
        folds=v["folds"],
        verdict=v["verdict"],
        id=ev.id,
    )


def _backtest(ev: Evidence) -> tuple[str, list[Reason]]:
    v = ev.values
    wf = v["walk_forward"]
    head = _t(
        "backtest",
        ticker=ev.tickers[0],
        strategy=v["strategy"],
        start=wf["start"],
        end=wf["end"],
        ar=wf["annual_return"],
        sharpe=wf["sharpe"],
        dd=wf["max_drawdown"],
        id=ev.id,
    )
    reasons = [
        _reason(
            _t(
                "backtest_baseline",
                name=name.replace("_", " "),
                ar=r["annual_return"],
                sharpe=r["sharpe"],
                dd=r["max_drawdown"],
                id=ev.id,
            ),
            ev.id,
        )
        for name, r in v["baselines"].items()
        if None not in (r.get("annual_return"), r.get("sharpe"), r.get("max_drawdown"))
    ]
    verdict = "pass" if v["stability"]["passed"] else "fail"
    is_ar = v["in_sample"].get("annual_return")
    if is_ar is not None:
        text = _t("backtest_stability", is_ar=is_ar, verdict=verdict, id=ev.id)
        reasons.append(_reason(text, ev.id))
    return head, reasons


def _sentiment(ev: Evidence) -> str:
    v = ev.values
    if not v.get("available"):
        return _t("sentiment_absent", ticker=ev.tickers[0], as_of=ev.as_of, id=ev.id)
    return _t(
        "sentiment",
        ticker=ev.tickers[0],
        as_of=ev.as_of,
        score=v["score"],
        model=v.get("model") or "the lexicon",
        id=ev.id,
    )


def _comparison(ev: Evidence) -> str:
    rows: dict[str, dict[str, Any]] = ev.values["by_ticker"]
    keys = list(next(iter(rows.values())))
    metric = ev.values["metric"].capitalize()
    lines = [
        _t("comparison_intro", metric=metric, as_of=ev.as_of, id=ev.id),
        "",
        "| ticker | " + " | ".join(_pct_label(k) for k in keys) + " |",
        "|---" * (len(keys) + 1) + "|",
    ]
    lines += [
        f"| {t} | " + " | ".join(_cell(k, r.get(k)) for k in keys) + " |" for t, r in rows.items()
    ]
    for ticker, reason in (ev.values.get("unavailable") or {}).items():
        lines += ["", _t("comparison_unavailable", ticker=ticker, reason=reason, id=ev.id)]
    return "\n".join(lines)


def _excerpt(text: str, limit: int = _PASSAGE_CHARS) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    end = max(cut.rfind(". "), cut.rfind("; "))
    return (cut[: end + 1] if end > limit // 2 else cut[: cut.rfind(" ")]) + " ..."


def _passage(ev: Evidence) -> str:
    s = ev.source
    where = ", ".join(
        x for x in (ev.tickers[0] if ev.tickers else None, s.get("form"), s.get("fiscal_period"),
                    s.get("section_title") or s.get("section")) if x
    )  # fmt: skip
    return _t(
        "passage_withheld" if ev.values.get("injection_suspected") else "passage",
        where=where or s.get("document", "document"),
        available=s.get("filed") or ev.window.end,
        id=ev.id,
        excerpt=_excerpt(ev.values.get("text", "")),
    )


_PASSAGE_KINDS = {"filing": "filing", "call": "earnings-call", "news": "news"}


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
        summary.append(_comparison(ev))
    for ev in signals:
        if ev.id in compared:
            continue
        head, rs, ks = _signal(ev)
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
                reasons.append(_reason(f"{ev.summary} [{ev.id}]", ev.id))
            else:
                summary.append(f"{ev.summary} [{ev.id}]")
    for kind in searched:
        if not ledger.by_kind(kind):  # type: ignore[arg-type]
            summary.append(_t("no_passages", what=_PASSAGE_KINDS[kind], as_of=as_of))
    for tool in dict.fromkeys(failed):
        summary.insert(0, _t("failed", tool=tool))
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
        text = _technicals(ev)
    elif ev.kind == "market":
        text = _market(ev)
    elif ev.kind == "forecast":
        text = _forecast(ev)
    elif ev.kind == "sentiment":
        text = _sentiment(ev)
    elif ev.kind == "backtest":
        head, rs = _backtest(ev)
        summary.append(head)
        reasons += rs
        return lead
    elif ev.kind == "risk":
        var_text, vol_text = _risk(ev, level=level, horizon=horizon)
        if lead:
            risks += [_reason(t, ev.id) for t in (var_text, vol_text) if t]
        else:
            summary += [t for t in (var_text,) if t]
            reasons.append(_reason(vol_text, ev.id))
        return lead
    elif ev.kind in _PASSAGE_KINDS:
        if not any(e.kind == ev.kind for e in shown):
            summary.append(_t("passages_intro", what=_PASSAGE_KINDS[ev.kind], as_of=ev.as_of))
        summary.append(_passage(ev))
        shown.append(ev)
        return lead
    if text is None:
        return lead
    if lead:
        reasons.append(_reason(text, ev.id))
    else:
        summary.append(text)
    return True  # the first such finding leads, the rest support it


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


def stale_warnings(ledger: Ledger, as_of: date) -> list[str]:
    """Price data that ends well before the as-of date (a provider without recent bars)."""
    out = {}
    for ev in ledger:
        end = ev.window.end
        if ev.window.bars is not None and end is not None and as_of - end > STALE_AFTER:
            ticker = "/".join(ev.tickers) or ev.kind
            out[ticker] = (
                f"{ticker}: the latest data is {end}, {(as_of - end).days} days before the "
                f"as-of date {as_of}; the figures describe {end}"
            )
    return list(out.values())


def assemble(
    draft: Draft,
    *,
    question: str,
    tickers: Sequence[str],
    as_of: date,
    ledger: Ledger,
    warnings: Sequence[str] = (),
) -> Answer:
    """The ``Answer``: the draft's text plus what code owns, rendered to Markdown."""
    signals = [
        ev for ev in ledger.by_kind("signal") if not tickers or set(ev.tickers) & set(tickers)
    ]
    comparisons = ledger.by_kind("comparison")
    view = SignalView.from_evidence(signals[0]) if len(signals) == 1 and not comparisons else None
    windows = data_windows(ledger)
    blocks = [
        _signal_block(view, signals[0]) if view else "",
        draft.summary.strip(),
        _bullets("Why", draft.reasons),
        _bullets("Risks", draft.risks),
        _windows_line(windows, ledger),
        _t("footer", as_of=as_of, disclaimer=DISCLAIMER),
    ]
    return Answer(
        question=question,
        tickers=list(tickers) or sorted(ledger.tickers()),
        as_of=as_of,
        signal=view,
        reasons=draft.reasons,
        risks=draft.risks,
        data_windows=windows,
        warnings=[*warnings, *stale_warnings(ledger, as_of)],
        markdown="\n\n".join(b for b in blocks if b),
    )
