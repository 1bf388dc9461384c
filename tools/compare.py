"""Side-by-side comparison of 2-5 tickers on one metric (momentum, risk or signal), taken from
the evidence of the other tools and citing it."""

from __future__ import annotations

from typing import Any, Literal

from tools.context import ToolContext
from tools.errors import MODEL_FIXABLE
from tools.evidence import Evidence
from tools.market import market_snapshot_evidence
from tools.risk import risk_evidence
from tools.runtime import ToolInputError
from tools.signal import signal_evidence
from tools.technicals import technicals_evidence

Metric = Literal["momentum", "risk", "signal"]


def _compare_row(ctx: ToolContext, ticker: str, metric: str) -> tuple[dict, list[Evidence]]:
    if metric == "momentum":
        snap, tech = market_snapshot_evidence(ctx, ticker), technicals_evidence(ctx, ticker)
        row = {f"return_{n}d": snap.values[f"return_{n}d"] for n in (20, 60, 250)}
        return row | {"rsi_14": tech.values["indicators"]["rsi_14"]}, [snap, tech]
    if metric == "risk":
        ev = risk_evidence(ctx, ticker, horizons=(1,), levels=(0.95, 0.99))
        hist = {
            r["level"]: r["var"]
            for r in ev.values["results"]
            if r["method"] == "historical" and r["horizon_days"] == 1
        }
        row = {"var_95_1d": hist[0.95], "var_99_1d": hist[0.99]}
        return row | {"volatility_annual": ev.values["volatility_annual"]}, [ev]
    ev, _ = signal_evidence(ctx, ticker)
    return {"action": ev.values["action"], "score": ev.values["score"]}, [ev]


def compare_evidence(ctx: ToolContext, tickers: list[str], metric: str) -> list[Evidence]:
    """The comparison evidence of ``tickers`` on ``metric``, then the evidence it was taken from.

    A ticker whose evidence fails with an error the model can fix (e.g. too little history) is
    listed as unavailable and the others are compared; ``ToolInputError`` when none is left.
    """
    rows: dict[str, dict[str, Any]] = {}
    used: list[Evidence] = []
    unavailable: dict[str, str] = {}
    for ticker in tickers:
        try:
            rows[ticker], evidence = _compare_row(ctx, ticker, metric)
        except MODEL_FIXABLE as err:  # e.g. too little history: compare the others
            unavailable[ticker] = str(err)
            continue
        used.extend(evidence)
    if not rows:
        raise ToolInputError("; ".join(f"{t}: {e}" for t, e in unavailable.items()))
    lines = "; ".join(
        f"{t}: "
        + ", ".join(f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}" for k, v in r.items())
        for t, r in rows.items()
    )
    comparison = Evidence.make(
        kind="comparison",
        tickers=list(tickers),
        as_of=ctx.as_of,
        values={"metric": metric, "by_ticker": rows, "unavailable": unavailable},
        source={"evidence": [ev.id for ev in used]},
        summary=f"{metric} as of {ctx.as_of}: {lines}."
        + "".join(f" {t}: unavailable ({e})." for t, e in unavailable.items()),
    )
    return [comparison, *used]
