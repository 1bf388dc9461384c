"""The README's backtest table: ``python -m benchmarks.backtest_table [--end D] [--strategy S]``.

Walk-forward backtests of one strategy on every bundled stock with enough history, beside the
naive in-sample run and the baselines, printed as a Markdown table. Whatever the numbers are.
"""

from __future__ import annotations

import argparse
from datetime import date

from data.providers.bundled import STOCKS, BundledProvider
from data.service import MarketData
from quant.backtest import InsufficientHistoryError
from tools.backtest import backtest_evidence
from tools.context import ToolContext


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.1%}"


def _num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def table(*, start: date, end: date, strategy: str) -> str:
    ctx = ToolContext(as_of=end, market=MarketData([BundledProvider()]))
    lines = [
        "| ticker | folds | walk-forward return / Sharpe / max DD | naive in-sample return / Sharpe"
        " | buy & hold return / Sharpe / max DD | SMA 50/200 return / Sharpe | random return"
        " | ML go/no-go (accuracy vs baseline) | stability |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for ticker in STOCKS:
        try:
            v = backtest_evidence(ctx, ticker, start=start, strategy=strategy).values
        except InsufficientHistoryError as err:
            lines.append(f"| {ticker} | - | too little history: {err} | | | | | | |")
            continue
        wf, ins, b = v["walk_forward"], v["in_sample"], v["baselines"]
        bh, sma = b["buy_and_hold"], b["sma_cross"]
        ml = v.get("ml_record")
        verdict = (
            f"{ml['verdict']} ({ml['accuracy']:.1%} vs {ml['baseline_accuracy']:.1%})"
            if ml
            else "n/a"
        )
        lines.append(
            f"| {ticker} | {len(v['folds'])} | {_pct(wf['annual_return'])} / {_num(wf['sharpe'])}"
            f" / {_pct(wf['max_drawdown'])} | {_pct(ins['annual_return'])} / {_num(ins['sharpe'])}"
            f" | {_pct(bh['annual_return'])} / {_num(bh['sharpe'])}"
            f" / {_pct(bh['max_drawdown'])} | {_pct(sma['annual_return'])}"
            f" / {_num(sma['sharpe'])} | {_pct(b['random']['annual_return'])}"
            f" | {verdict} | {'pass' if v['stability']['passed'] else 'fail'} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--start", default="2004-01-01")
    parser.add_argument("--end", default="2013-02-28")
    parser.add_argument("--strategy", default="confluence")
    args = parser.parse_args()
    print(
        table(
            start=date.fromisoformat(args.start),
            end=date.fromisoformat(args.end),
            strategy=args.strategy,
        )
    )


if __name__ == "__main__":
    main()
