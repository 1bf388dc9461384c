"""Market snapshot evidence: last close, trailing returns, the 52-week range and how far the close
stands from the year's highest close."""

from __future__ import annotations

from typing import Any

from tools.context import ToolContext
from tools.evidence import Evidence, Window

RETURN_DAYS = (1, 5, 20, 60, 250)
YEAR_BARS = 252


def _trailing_return(close: Any, days: int) -> float | None:
    return float(close.iloc[-1] / close.iloc[-1 - days] - 1.0) if len(close) > days else None


def market_snapshot_evidence(ctx: ToolContext, ticker: str) -> Evidence:
    """Last close, trailing 1/5/20/60/250-bar returns and 52-week (252-bar) high and low."""
    bars = ctx.bars(ticker)
    frame = bars.frame
    close = frame["close"]
    year = frame.iloc[-YEAR_BARS:]
    returns = {f"return_{n}d": _trailing_return(close, n) for n in RETURN_DAYS}
    values = {
        "bar_date": frame.index[-1].date(),
        "close": float(close.iloc[-1]),
        **returns,
        "high_52w": float(year["high"].max()),
        "low_52w": float(year["low"].min()),
        # "how far has it fallen from its peak?": the close against the year's highest close
        "close_high_52w": float(year["close"].max()),
        "close_high_date_52w": year.index[int(year["close"].to_numpy().argmax())].date(),
        "drawdown_from_peak_52w": float(close.iloc[-1] / year["close"].max() - 1.0),
    }
    shown = ", ".join(
        f"{n}d {returns[f'return_{n}d']:+.2%}"
        for n in RETURN_DAYS
        if returns[f"return_{n}d"] is not None
    )
    return Evidence.make(
        kind="market",
        tickers=[bars.ticker],
        as_of=ctx.as_of,
        values=values,
        window=Window(start=year.index[0].date(), end=frame.index[-1].date(), bars=len(year)),
        source={"provider": bars.provenance.provider, "adjustment": bars.provenance.adjustment},
        summary=(
            f"{bars.ticker} on {values['bar_date']}: close {values['close']:.2f}; returns {shown}; "
            f"52-week high {values['high_52w']:.2f}, low {values['low_52w']:.2f}."
        ),
    )
