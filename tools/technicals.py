"""Technical evidence: indicator values, the technical score and the daily/weekly consensus."""

from __future__ import annotations

from quant.indicators import indicator_snapshot
from quant.signals.technical import timeframe_consensus
from tools.context import ToolContext
from tools.evidence import Evidence, Window


def technicals_evidence(ctx: ToolContext, ticker: str) -> Evidence:
    """RSI, MACD, moving averages, Bollinger and 30+ other indicators at ``ctx.as_of``, the
    technical score (RSI 25%, MACD 25%, MAs 30%, Bollinger 20%) with its action, and whether
    the weekly timeframe agrees."""
    bars = ctx.bars(ticker)
    snap = indicator_snapshot(bars.frame, as_of=ctx.as_of)
    consensus = timeframe_consensus(bars.frame, as_of=ctx.as_of, config=ctx.config)
    daily = consensus.daily
    v = snap.values
    close = float(bars.frame["close"].iloc[-1])
    return Evidence.make(
        kind="technicals",
        tickers=[bars.ticker],
        as_of=ctx.as_of,
        values={
            "close": close,
            "indicators": snap.to_dict()["values"],
            "technical": daily.to_dict(),
            "weekly": consensus.weekly.to_dict(),
            "timeframes_agree": consensus.agree,
        },
        window=Window(start=snap.window.first, end=snap.window.last, bars=snap.window.bars),
        source={
            "provider": bars.provenance.provider,
            "data": bars.provenance.source,
            "adjustment": bars.provenance.adjustment,
        },
        summary=(
            f"{bars.ticker} on {daily.bar_date}: close {close:.2f}, RSI(14) {v['rsi_14']:.1f}, "
            f"MACD {v['macd']:.3f} vs signal {v['macd_signal']:.3f}, SMA50 {v['sma_50']:.2f}, "
            f"SMA200 {v['sma_200']:.2f}, Bollinger %b {v['bb_pct_b']:.2f}; technical score "
            f"{daily.score:.3f} ({daily.action.value}); weekly {consensus.weekly.score:.3f} "
            f"({consensus.weekly.action.value}), timeframes "
            f"{'agree' if consensus.agree else 'disagree'}."
        ),
    )
