"""Sentiment evidence: the DESIGN aggregate (last week 40%, weeks 1-4 30%, calls 30%)."""

from __future__ import annotations

from tools.context import ToolContext
from tools.evidence import Evidence, Window


def sentiment_evidence(ctx: ToolContext, ticker: str) -> Evidence:
    """News and earnings-call sentiment of ``ticker`` up to ``ctx.as_of``, in [-1, 1] and mapped
    to [0, 1], with the model that scored it and the items that moved it most."""
    symbol = ticker.upper()
    part = ctx.sentiment(symbol, ctx.as_of) if ctx.sentiment is not None else None
    if part is None:
        values = {"available": False, "reason": "no dated news or calls up to the as-of date"}
        return Evidence.make(
            kind="sentiment",
            tickers=[symbol],
            as_of=ctx.as_of,
            values=values,
            summary=f"{symbol}: no news or calls to score up to {ctx.as_of}.",
        )
    details = part.details
    windows = [p.get("window") for p in details.get("parts", {}).values() if p.get("window")]
    starts = [w[0] for w in windows if w and w[0]]
    summary = (
        f"{symbol} sentiment as of {ctx.as_of}: {details.get('score')} on [-1, 1] "
        f"({part.score} on [0, 1]) by {details.get('model')}"
        if part.available
        else f"{symbol}: {part.reason}"
    )
    return Evidence.make(
        kind="sentiment",
        tickers=[symbol],
        as_of=ctx.as_of,
        values={"available": part.available, "score_01": part.score, **details},
        window=Window(start=min(starts) if starts else None, end=ctx.as_of),
        source={"model": details.get("model")},
        summary=summary + ".",
    )
