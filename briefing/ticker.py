"""One ticker of the briefing: the agent's cited explanation, and the numbers read off its
evidence.

The explanation is a normal agent turn (same graph, same verifier) on its own thread, so it can
be opened and continued in the chat. The signal and risk figures of the brief are the values of
the ``signal`` and ``risk`` evidence of that turn; when the model did not call those tools, the
same evidence functions are called here, so the brief never depends on the model's choices.
"""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from agent.runner import Agent, RunResult
from briefing.models import RiskSnapshot, TickerBrief
from prompts import templates
from tools.context import ToolContext
from tools.evidence import Evidence
from tools.registry import MODEL_FIXABLE
from tools.risk import risk_evidence
from tools.signal import signal_evidence
from tools.signal_batch import SignalFailure, SignalOutcome, signals

__all__ = [
    "PEAK_WINDOW",
    "brief_ticker",
    "briefing_question",
    "ml_status",
    "numbers_brief",
    "risk_snapshot",
]

PEAK_WINDOW = 252  # trading days behind "drawdown from peak"


def briefing_question(ticker: str) -> str:
    """The question each ticker's thread starts with (``prompts/briefing.md``)."""
    return templates("briefing")["question"].strip().format(ticker=ticker)


def ml_status(signal: Evidence) -> tuple[str, str]:
    """("GO" | "NO-GO" | "absent", why) for the ML part of a signal evidence."""
    part = signal.values["components"].get("ml", {})
    if part.get("score") is not None:
        return "GO", ""
    reason = str(part.get("reason", ""))
    if "evidence" in part.get("details", {}) or "NO-GO" in reason or "leak" in reason:
        return "NO-GO", reason
    return "absent", reason


def _hist(rows: list[dict[str, Any]], level: float) -> dict[str, Any]:
    return next(
        (
            r
            for r in rows
            if r["method"] == "historical" and r["horizon_days"] == 1 and r["level"] == level
        ),
        {},
    )


def risk_snapshot(risk: Evidence, *, drawdown_from_peak: float | None) -> RiskSnapshot:
    v = risk.values
    p95, p99 = _hist(v["results"], 0.95), _hist(v["results"], 0.99)
    return RiskSnapshot(
        var_95=p95.get("var"),
        cvar_95=p95.get("cvar"),
        var_99=p99.get("var"),
        cvar_99=p99.get("cvar"),
        volatility_annual=v.get("volatility_annual"),
        drawdown_median=v.get("drawdown", {}).get("quantiles", {}).get("0.5"),
        drawdown_from_peak=drawdown_from_peak,
        evidence_id=risk.id,
    )


def _first(evidence: list[Evidence], kind: str) -> Evidence | None:
    return next((e for e in evidence if e.kind == kind), None)


def _tool_error(result: RunResult, name: str) -> str | None:
    failed = [s for s in result.steps if s.name == name and s.status == "error"]
    return failed[-1].summary if failed else None


def _signal_fields(signal: Evidence) -> dict[str, Any]:
    v = signal.values
    status, reason = ml_status(signal)
    return {
        "action": v["action"],
        "score": v["score"],
        "confidence": v["confidence"],
        "position_size": v["position_size"],
        "regime": v.get("regime"),
        "components": {n: p.get("score") for n, p in v["components"].items()},
        "technical_components": dict(
            v["components"].get("technical", {}).get("details", {}).get("components", {})
        ),
        "ml_status": status,
        "ml_reason": reason,
        "signal_evidence_id": signal.id,
    }


def _numbers(ctx: ToolContext, ticker: str, *, started: float) -> dict[str, Any]:
    close = ctx.bars(ticker).frame["close"]
    tail = close.iloc[-PEAK_WINDOW:]
    return {
        "last_close": float(close.iloc[-1]) if len(close) else None,
        "last_bar": close.index[-1].date() if len(close) else None,
        "drawdown_from_peak": float(tail.iloc[-1] / tail.max() - 1.0) if len(tail) else None,
        "elapsed_s": time.perf_counter() - started,
    }


def _brief(
    ctx: ToolContext,
    ticker: str,
    *,
    base: dict[str, Any],
    signal: Evidence | None,
    signal_error: str | None,
    risk: Evidence | None,
    started: float,
) -> TickerBrief:
    numbers = _numbers(ctx, ticker, started=started)
    peak = numbers.pop("drawdown_from_peak")
    fields = numbers | {
        "risk": None if risk is None else risk_snapshot(risk, drawdown_from_peak=peak)
    }
    if signal is None:
        return TickerBrief(status="failed", error=signal_error, **base, **fields)
    return TickerBrief(status="ok", **base, **fields, **_signal_fields(signal))


def brief_ticker(
    agent: Agent | None, ctx: ToolContext, *, ticker: str, as_of: date, thread_id: str | None
) -> TickerBrief:
    """Run the ticker's agent turn and read its brief (``agent`` None: the numbers only, no
    explanation). Data faults raise (the caller reports them); a ticker the agent declines or
    whose signal cannot be computed comes back failed."""
    started = time.perf_counter()
    if agent is None:
        return numbers_brief(ctx, ticker, signal=signals(ctx, [ticker])[0], started=started)
    question = briefing_question(ticker)
    result = agent.ask(question, as_of=as_of, thread_id=thread_id)
    base: dict[str, Any] = {
        "ticker": ticker,
        "question": question,
        "thread_id": result.thread_id if thread_id is not None else None,
        "answer": result.answer,
        "verification": result.verification,
        "evidence": result.evidence,
        "steps": result.steps,
    }
    if result.answer.refused:  # declined, or every tool failed: say the first cause
        failed = [s.summary for s in result.steps if s.status == "error"]
        error = failed[0] if failed else result.answer.refusal_reason
        return TickerBrief(status="failed", error=error, **base)
    signal_error = _tool_error(result, "signal")
    signal = _first(result.evidence, "signal")
    if signal is None and signal_error is None:
        signal, _ = signal_evidence(ctx, ticker)  # the model skipped it: code does not
    risk = _first(result.evidence, "risk") or _risk_or_none(ctx, ticker)
    return _brief(
        ctx, ticker, base=base, signal=signal, signal_error=signal_error, risk=risk, started=started
    )


def numbers_brief(
    ctx: ToolContext, ticker: str, *, signal: SignalOutcome, started: float
) -> TickerBrief:
    """The brief without an explanation, from the ticker's signal (``tools.signal_batch``):
    risk and prices beside it. A signal the ticker's data cannot give (too little history, an
    unknown ticker) makes a failed brief that still shows risk; a fault raises (the caller
    reports it). ``started``: when the ticker's work began (``time.perf_counter``)."""
    base: dict[str, Any] = {"ticker": ticker, "question": briefing_question(ticker)}
    if isinstance(signal, SignalFailure):
        if not signal.fixable:
            raise signal.error
        return _brief(
            ctx,
            ticker,
            base=base,
            signal=None,
            signal_error=f"signal failed: {signal.error}",
            risk=_risk_or_none(ctx, ticker),
            started=started,
        )
    risk = _risk_or_none(ctx, ticker)
    base["evidence"] = [signal.evidence, *signal.supporting, *([risk] if risk else [])]
    return _brief(
        ctx,
        ticker,
        base=base,
        signal=signal.evidence,
        signal_error=None,
        risk=risk,
        started=started,
    )


def _risk_or_none(ctx: ToolContext, ticker: str) -> Evidence | None:
    try:
        return risk_evidence(ctx, ticker)
    except MODEL_FIXABLE:  # too little history for risk: the brief says n/a
        return None
