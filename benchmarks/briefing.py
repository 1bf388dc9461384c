"""Briefing benchmark: wall time of the four-ticker briefing, a 50-ticker watchlist, and replay.

Run from the repository root::

    python -m benchmarks.briefing
    python -m benchmarks.briefing --repeats 5 --weeks 12

Measured in one run, in a temporary ``SIGNALDESK_HOME`` (offline planner, no LLM, nothing
reaches the network):

1. Four tickers (AAPL, MSFT, IBM, GOOG) at as-of 2013-02-28, warm: one ``Agent`` built once and
   one untimed run first; then the median of ``--repeats`` runs of what ``signaldesk briefing``
   does after start-up: ``run_briefing`` (each ticker's agent turn, 4 workers), saving to the
   database, and writing the Markdown, HTML (with charts) and JSON. Target: under 30 s.
   Baselines in the same run: the same briefing numbers-only (no agent turns: signals, risk,
   portfolio) and with one worker; the ratios are printed.
2. Fifty tickers: a fixture writes 50 synthetic tickers to CSV files (each a real bundled series,
   rescaled and perturbed by seeded noise so no two are alike) and the settings read them through
   the ``csv:`` source; the briefing of all 50 with explanations and numbers-only, one run each
   after a warm-up of one ticker. Printed: wall time, time per ticker, ratio.
3. Replay: ``--weeks`` weekly dates ending 2012-12-28 for the four tickers, with explanations and
   numbers-only; printed: time per call.

Exit status: 0 when the four-ticker target is met and every briefing covered every ticker.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from agent.deps import deps_from_settings
from agent.runner import Agent
from briefing import BriefingPlan, BriefingStore, Watchlist, run_briefing
from briefing.files import report_stem
from briefing.html import render_html
from briefing.markdown import render_markdown
from briefing.replay import replay, replay_dates
from core.files import write_atomic
from core.settings import load_settings
from data.providers.bundled import BundledProvider
from data.store import make_engine, upgrade

AS_OF = date(2013, 2, 28)
TARGET_S = 30.0
FOUR = Watchlist.of(["AAPL", "MSFT", "IBM", "GOOG"])
REAL = ("AAPL", "MSFT", "IBM", "GOOG", "FB")


@contextmanager
def temporary_home():  # noqa: ANN201
    saved = {k: v for k, v in os.environ.items() if k.startswith("SIGNALDESK_")}
    with tempfile.TemporaryDirectory(prefix="sd-bench-briefing-") as root:
        for key in saved:
            del os.environ[key]
        os.environ["SIGNALDESK_HOME"] = str(Path(root) / "home")
        os.environ["SIGNALDESK_PROFILE"] = "test"
        try:
            yield Path(root)
        finally:
            for key in [k for k in os.environ if k.startswith("SIGNALDESK_")]:
                del os.environ[key]
            os.environ.update(saved)


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


def synthetic_prices(folder: Path, n: int, *, seed: int = 11) -> list[str]:
    """``n`` CSV tickers ZZAA, ZZAB, ... from the bundled series, rescaled and perturbed."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    bundled = BundledProvider()
    sources = {t: bundled.fetch(t, start=None, end=AS_OF).frame for t in REAL[:4]}
    names = []
    for i in range(n):
        base = sources[REAL[i % 4]].loc[: str(AS_OF)].copy()
        noise = np.exp(np.cumsum(rng.normal(0, 0.004, len(base))))
        scale = rng.uniform(0.2, 3.0)
        for col in ("open", "high", "low", "close", "adj_close"):
            base[col] = base[col] * noise * scale
        base["high"] = base[["open", "high", "low", "close"]].max(axis=1)
        base["low"] = base[["open", "high", "low", "close"]].min(axis=1)
        name = "ZZ" + chr(65 + i // 26) + chr(65 + i % 26)  # letters: what questions parse
        base.rename_axis("date").reset_index().to_csv(folder / f"{name}.csv", index=False)
        names.append(name)
    return names


def full_briefing(
    agent: Agent | None,
    ctx_agent: Agent,
    wl: Watchlist,
    store: BriefingStore,
    out: Path,
    workers: int = 4,
) -> object:
    """What ``signaldesk briefing`` does after start-up: run, store, write three formats."""
    ctx = ctx_agent.deps.context_for(AS_OF)
    report = run_briefing(agent, ctx, watchlist=wl, plan=BriefingPlan(workers=workers))
    store.save(report)
    stem = out / report_stem(report)
    write_atomic(stem.with_suffix(".json"), report.model_dump_json())
    write_atomic(stem.with_suffix(".md"), render_markdown(report))
    bars = {b.ticker: ctx.bars(b.ticker).frame for b in report.covered}
    calls = {t: store.calls(t, end=AS_OF) for t in bars}
    write_atomic(
        stem.with_suffix(".html"), render_html(report, bars=bars, config=ctx.config, calls=calls)
    )
    return report


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--weeks", type=int, default=8)
    parser.add_argument("--tickers", type=int, default=50)
    args = parser.parse_args(argv)
    ok = True
    with temporary_home() as root:
        engine = make_engine(f"sqlite:///{root / 'bench.db'}")
        upgrade(engine)
        store = BriefingStore(engine)
        agent = Agent(deps_from_settings(load_settings(), model=None))
        out = root / "out"

        def covered(report: object) -> bool:
            return all(b.status == "ok" for b in report.tickers)  # type: ignore[attr-defined]

        ok &= covered(full_briefing(agent, agent, FOUR, store, out))  # warm-up, untimed
        four = [
            timed(lambda: full_briefing(agent, agent, FOUR, store, out))
            for _ in range(args.repeats)
        ]
        ok &= all(covered(r) for _, r in four)
        numbers = [
            timed(lambda: full_briefing(None, agent, FOUR, store, out))[0]
            for _ in range(args.repeats)
        ]
        serial = [
            timed(lambda: full_briefing(agent, agent, FOUR, store, out, workers=1))[0]
            for _ in range(args.repeats)
        ]
        wall = statistics.median(t for t, _ in four)
        print(
            f"four tickers, warm, median of {args.repeats}: {wall:.2f} s "
            f"(numbers only {statistics.median(numbers):.2f} s, "
            f"ratio {wall / statistics.median(numbers):.2f}x; one worker "
            f"{statistics.median(serial):.2f} s, ratio {statistics.median(serial) / wall:.2f}x)"
        )
        verdict = "PASS" if wall < TARGET_S else "FAIL"
        ok &= wall < TARGET_S
        print(f"{verdict} four-ticker briefing {wall:.2f} s < {TARGET_S:.0f} s")

        names = synthetic_prices(root / "prices", args.tickers)
        settings = load_settings(sources=[f"csv:{root / 'prices'}"])
        wide = Agent(deps_from_settings(settings, model=None))
        big = Watchlist.of(names)
        full_briefing(wide, wide, Watchlist.of(names[:1]), store, out)  # warm-up
        t_big, big_report = timed(lambda: full_briefing(wide, wide, big, store, out))
        t_big_numbers, _ = timed(lambda: full_briefing(None, wide, big, store, out))
        ok &= covered(big_report)
        n = len(names)
        print(
            f"{n} tickers: {t_big:.1f} s ({t_big / n:.3f} s per ticker); numbers only "
            f"{t_big_numbers:.1f} s ({t_big_numbers / n:.3f} s per ticker); ratio "
            f"{t_big / t_big_numbers:.2f}x"
        )

        last = date(2012, 12, 28)
        fridays = replay_dates(last - timedelta(weeks=args.weeks - 1), last, every="week")
        explained = replay(
            agent,
            agent.deps.context_for,
            watchlist=FOUR,
            dates=fridays,
            store=store,
            run_id="bench-explain",
        )
        bare = replay(
            None,
            agent.deps.context_for,
            watchlist=FOUR,
            dates=fridays,
            store=store,
            run_id="bench-numbers",
        )
        ok &= explained.failed == 0 == bare.failed
        print(
            f"replay, {len(fridays)} weeks x 4 tickers: {explained.seconds_per_call:.3f} s per "
            f"call with explanations, {bare.seconds_per_call:.3f} s numbers only "
            f"(ratio {explained.seconds_per_call / bare.seconds_per_call:.2f}x)"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
