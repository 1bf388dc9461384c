"""Universe-signal benchmark: ``tools.signal_batch.signals`` against ``signal_evidence`` per ticker.

Run from the repository root::

    python -m benchmarks.signals                       # 50 and 500 tickers
    python -m benchmarks.signals --sizes 50 --repeats 5

Measured in one run, in a temporary ``SIGNALDESK_HOME`` (nothing reaches the network): the
synthetic tickers of ``benchmarks.briefing`` (bundled series rescaled and perturbed by seeded
noise, written to CSV files and read through the ``csv:`` source), at as-of 2013-02-28, with the
tool context the CLI builds (sentiment source, models directory: both empty in a fresh home).

For each size, warm (one untimed run of both paths on a few tickers first), the median of
``--repeats`` runs of each, interleaved:

- batch: ``signals(ctx, tickers)``: bars read per ticker, then technical scores, regimes,
  sizes and evidence for all tickers at once;
- per ticker (the baseline): ``signal_evidence(ctx, ticker)`` for each ticker in turn;
- bars only: ``ctx.bars(ticker)`` for each ticker (the data layer: reading, quality checks,
  adjustment), the floor of both paths;
- both paths again with the bars already in memory (a market that hands out the bars read
  once): the signal computation alone.

Before timing, both paths are checked to give equal evidence for every ticker. Printed: wall
and CPU seconds, and the ratio per-ticker / batch. Targets (2-core machine): batch under 2 s
for 50 tickers and under 10 s for 500, bars read from the source. Exit status 1 when one is
missed or the paths disagree.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from agent.services import build_tool_context
from benchmarks.briefing import AS_OF, synthetic_prices, temporary_home
from core.settings import load_settings
from data.bars import Bars
from data.service import MarketData
from tools.context import ToolContext
from tools.signal import signal_evidence
from tools.signal_batch import SignalResult, signals

TARGETS_S = {50: 2.0, 500: 10.0}


class InMemory(MarketData):
    """The market of ``inner``, with the bars of ``tickers`` read once and handed out again."""

    def __init__(self, inner: MarketData, tickers: list[str], *, end: date) -> None:
        super().__init__(inner.providers, calendar=inner.calendar)
        self.held = {t: inner.bars(t, end=end) for t in tickers}
        self.end = end

    def bars(self, ticker: str, *, start: date | None = None, end: date) -> Bars:
        if start is not None or end != self.end or ticker not in self.held:
            return super().bars(ticker, start=start, end=end)
        return self.held[ticker]


def batch(ctx: ToolContext, tickers: list[str]) -> object:
    return signals(ctx, tickers)


def per_ticker(ctx: ToolContext, tickers: list[str]) -> object:
    return [signal_evidence(ctx, t) for t in tickers]


def bars_only(ctx: ToolContext, tickers: list[str]) -> object:
    return [ctx.bars(t) for t in tickers]


def check_equal(ctx: ToolContext, tickers: list[str]) -> bool:
    """Both paths give the same evidence for every ticker."""
    got = signals(ctx, tickers)
    for ticker, result in zip(tickers, got, strict=True):
        evidence, supporting = signal_evidence(ctx, ticker)
        if not isinstance(result, SignalResult) or result.evidence != evidence:
            print(f"MISMATCH {ticker}: {result}")
            return False
        if list(result.supporting) != supporting:
            print(f"MISMATCH {ticker}: supporting evidence differs")
            return False
    return True


Job = Callable[[ToolContext, list[str]], object]


def measure(
    jobs: dict[str, Job], ctx: ToolContext, tickers: list[str], repeats: int
) -> dict[str, tuple[float, float]]:
    """Median (wall, CPU) seconds of each job over ``repeats`` interleaved rounds."""
    wall: dict[str, list[float]] = {name: [] for name in jobs}
    cpu: dict[str, list[float]] = {name: [] for name in jobs}
    for _ in range(repeats):
        for name, job in jobs.items():
            w0, c0 = time.perf_counter(), time.process_time()
            job(ctx, tickers)
            wall[name].append(time.perf_counter() - w0)
            cpu[name].append(time.process_time() - c0)
    return {n: (statistics.median(wall[n]), statistics.median(cpu[n])) for n in jobs}


def report(title: str, times: dict[str, tuple[float, float]]) -> None:
    (bw, bc), (pw, pc) = times["batch"], times["per ticker"]
    extra = "".join(
        f"; {name} {w:.2f} s"
        for name, (w, _) in times.items()
        if name not in ("batch", "per ticker")
    )
    print(
        f"{title}: batch {bw:.2f} s (CPU {bc:.2f} s), per ticker {pw:.2f} s (CPU {pc:.2f} s); "
        f"ratio per ticker / batch {pw / bw:.1f}x wall, {pc / bc:.1f}x CPU{extra}"
    )


def run_size(root: Path, n: int, repeats: int) -> bool:
    folder = root / f"prices-{n}"
    names = synthetic_prices(folder, n)
    ctx = build_tool_context(load_settings(sources=[f"csv:{folder}"]), as_of=AS_OF)
    if not check_equal(ctx, names[:10]):
        return False
    batch(ctx, names[:3]), per_ticker(ctx, names[:3])  # warm-up, untimed
    times = measure(
        {"batch": batch, "per ticker": per_ticker, "bars only": bars_only}, ctx, names, repeats
    )
    report(f"{n} tickers, bars read from the source", times)
    held = dataclasses.replace(ctx, market=InMemory(ctx.market, names, end=AS_OF))
    ok = check_equal(held, names)
    report(
        f"{n} tickers, bars in memory",
        measure({"batch": batch, "per ticker": per_ticker}, held, names, repeats),
    )
    wall = times["batch"][0]
    target = TARGETS_S.get(n)
    if target is not None:
        print(
            f"{'PASS' if wall < target else 'FAIL'} {n} tickers batch {wall:.2f} s < {target:g} s"
        )
        ok &= wall < target
    return ok


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50,500", help="Comma-separated ticker counts")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    ok = True
    with temporary_home() as root:
        for n in sizes:
            ok &= run_size(root, n, args.repeats)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
