"""Backtest benchmark: the vectorised engine on 500 tickers x 3,270 days against a plain reference.

Run from the repository root::

    python -m benchmarks.backtest                    # 500 tickers x 3,270 days, 7 runs
    python -m benchmarks.backtest --tickers 100 --repeats 3

``reference_backtest`` below is the obviously-correct version of ``quant.backtest.engine``: a
Python loop over tickers and days applying the timing and cost rules one bar at a time. The tests
check the engine against it to 1e-12; here it is the baseline, timed in the same run on the same
data. Also shown, for information: the engine called once per ticker. Times are medians of wall
clock (with process CPU time beside them: on a shared machine wall time includes waiting for a
CPU). Targets: the vectorised run no slower than the reference (ratio <= 1.0x) and under 50 ms
wall for 500 tickers. Exit status: 0 when both are met and the results agree, 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from quant.arrays import FloatArray
from quant.backtest.engine import DEFAULT_COSTS, run_many, simulate

TIME_TARGET_MS = 50.0
RATIO_TARGET = 1.0


def reference_backtest(
    open_: FloatArray,
    close: FloatArray,
    targets: FloatArray,
    *,
    lag: int = 1,
    cost: float = DEFAULT_COSTS.per_side,
) -> dict[str, FloatArray]:
    """Loop over tickers and days: the engine's rules written one bar at a time.

    Arrays are (n_days, n_tickers); ``targets[t]`` is decided at the close of t (NaN is flat)
    and executed at the open of t + lag (at the close of t when lag is 0).
    """
    n_days, n_assets = close.shape
    out = {k: np.zeros((n_days, n_assets)) for k in ("returns", "gross", "held", "turnover")}
    out["equity"] = np.zeros((n_days, n_assets))
    for j in range(n_assets):
        held, equity = 0.0, 1.0
        for t in range(n_days):
            target = float(targets[t - lag, j]) if t >= lag else 0.0
            target = 0.0 if np.isnan(target) else target
            trade = abs(target - held)
            if lag == 0:
                move = close[t, j] / close[t - 1, j] - 1.0 if t > 0 else 0.0
                before = 1.0 + held * move  # the old position up to the close, then trade
                gross, net = before - 1.0, before * (1.0 - cost * trade) - 1.0
            elif trade == 0.0:
                gross = held * (close[t, j] / close[t - 1, j] - 1.0) if t > 0 else 0.0
                net = gross
            else:  # t >= lag >= 1: old position overnight, trade at the open, new one after
                overnight = 1.0 + held * (open_[t, j] / close[t - 1, j] - 1.0)
                session = 1.0 + target * (close[t, j] / open_[t, j] - 1.0)
                gross = overnight * session - 1.0
                net = overnight * (1.0 - cost * trade) * session - 1.0
            held = target
            equity *= 1.0 + net
            out["returns"][t, j], out["gross"][t, j] = net, gross
            out["held"][t, j], out["turnover"][t, j], out["equity"][t, j] = held, trade, equity
    out["costs"] = cost * out["turnover"]
    return out


def synthetic_panel(
    n_days: int, n_tickers: int, rng: np.random.Generator, *, switch: float = 0.05
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Open and close prices (random walks with gaps) and targets in {-1, -0.5, 0, 0.5, 1}
    that change on about ``switch`` of the days."""
    dates = pd.bdate_range("2000-01-03", periods=n_days, name="date")
    tickers = [f"T{i:03d}" for i in range(n_tickers)]
    overnight = rng.normal(0.0, 0.006, (n_days, n_tickers))
    session = rng.normal(0.0003, 0.012, (n_days, n_tickers))
    close = 50.0 * np.exp(np.cumsum(overnight + session, axis=0))
    open_ = close * np.exp(-session)
    levels = rng.choice([-1.0, -0.5, 0.0, 0.5, 1.0], size=(n_days, n_tickers))
    keep = rng.random((n_days, n_tickers)) >= switch
    keep[0] = False
    rows = np.where(keep, 0, np.arange(n_days)[:, None])
    targets = np.take_along_axis(levels, np.maximum.accumulate(rows, axis=0), axis=0)

    def frame(values: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(values, index=dates, columns=tickers)

    return frame(open_), frame(close), frame(targets)


@dataclass(frozen=True)
class Timing:
    wall_ms: list[float]
    cpu_ms: list[float]

    def line(self, label: str) -> str:
        wall, cpu = statistics.median(self.wall_ms), statistics.median(self.cpu_ms)
        return (
            f"  {label:24s} median {wall:9.1f} ms wall, {cpu:9.1f} ms CPU  "
            f"({len(self.wall_ms)} runs, wall min {min(self.wall_ms):.1f} max "
            f"{max(self.wall_ms):.1f})"
        )


def timed(fn: Callable[[], object], repeats: int) -> Timing:
    """Wall-clock and process CPU time of ``repeats`` calls, in milliseconds."""
    wall, cpu = [], []
    for _ in range(repeats):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        cpu.append((time.process_time() - c0) * 1e3)
        wall.append((time.perf_counter() - w0) * 1e3)
    return Timing(wall, cpu)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickers", type=int, default=500)
    parser.add_argument("--days", type=int, default=3270)
    parser.add_argument("--repeats", type=int, default=7, help="vectorised runs (median)")
    parser.add_argument("--reference-repeats", type=int, default=3)
    parser.add_argument("--lag", type=int, default=1)
    parser.add_argument("--seed", type=int, default=20130228)
    args = parser.parse_args(argv)

    load = os.getloadavg()[0]
    rng = np.random.default_rng(args.seed)
    open_, close, targets = synthetic_panel(args.days, args.tickers, rng)
    o, c, w = open_.to_numpy(), close.to_numpy(), targets.to_numpy()
    traded = float(np.mean(np.abs(np.diff(w, axis=0)) > 0))
    print(
        f"backtest: {args.tickers} tickers x {args.days} days, lag {args.lag}, "
        f"targets change on {traded:.1%} of days"
    )

    result = run_many(open_, close, targets, lag=args.lag)  # warm-up, and checked below
    ref = reference_backtest(o, c, w, lag=args.lag)
    diff = float(np.max(np.abs(result.returns.to_numpy() - ref["returns"])))
    eq = float(np.max(np.abs(result.equity.to_numpy() / ref["equity"] - 1.0)))
    print(
        f"  agreement with the reference: max |net return diff| {diff:.1e}, "
        f"max equity rel. diff {eq:.1e}"
    )

    fast = timed(lambda: run_many(open_, close, targets, lag=args.lag), args.repeats)
    per_ticker = timed(
        lambda: [
            simulate(o[:, [j]], c[:, [j]], w[:, [j]], lag=args.lag) for j in range(o.shape[1])
        ],
        max(1, args.repeats // 2),
    )
    slow = timed(lambda: reference_backtest(o, c, w, lag=args.lag), args.reference_repeats)
    fast_ms, slow_ms = statistics.median(fast.wall_ms), statistics.median(slow.wall_ms)
    ratio = fast_ms / slow_ms
    print(fast.line("vectorised run_many"))
    print(per_ticker.line("engine, ticker by ticker"))
    print(slow.line("reference (day loop)"))
    print(
        f"  load average before/after: {load:.2f} / {os.getloadavg()[0]:.2f} "
        f"on {os.cpu_count()} CPUs (wall > CPU time means other work shared them)"
    )
    print(f"  ratio vectorised / reference (wall medians): {ratio:.4f}x")
    ok_ratio, ok_time = ratio <= RATIO_TARGET, fast_ms < TIME_TARGET_MS
    ok_same = diff <= 1e-12
    print(f"{'PASS' if ok_ratio else 'FAIL'}  ratio {ratio:.4f}x <= {RATIO_TARGET:.1f}x")
    print(
        f"{'PASS' if ok_time else 'FAIL'}  vectorised {fast_ms:.1f} ms < {TIME_TARGET_MS:.0f} ms "
        f"for {args.tickers} tickers"
    )
    print(f"{'PASS' if ok_same else 'FAIL'}  same returns as the reference (<= 1e-12)")
    return 0 if ok_ratio and ok_time and ok_same else 1


if __name__ == "__main__":
    sys.exit(main())
