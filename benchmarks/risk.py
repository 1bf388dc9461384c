"""Risk benchmark: Monte Carlo on 10,000 paths x 252 days, against naive Python loops.

Run from the repository root::

    python -m benchmarks.risk
    python -m benchmarks.risk --paths 10000 --days 252 --naive-paths 200 --repeats 9

Measured in one run, on seeded synthetic daily returns (Student-t, 3,000 days):

1. Bootstrap VaR: each path's terminal return from ``days`` resampled daily returns -- all
   paths x days draws are made (``monte_carlo_var(model="bootstrap")``) -- against a Python loop
   over paths and days (one ``rng.integers`` draw and one multiply per step).
2. GBM path risk: max drawdown and ruin from full daily GBM paths (``drawdown_distribution``),
   against a Python loop over paths and days (one ``rng.standard_normal()`` per step).
3. For reference, GBM VaR, which draws each terminal return exactly (one normal per path; no
   paths are needed), so it is not compared with a path loop.

The naive loops are timed on ``--naive-paths`` paths and extrapolated linearly to ``--paths``
(their cost is exactly proportional to the number of paths); the output says so. Vectorised
times are the median of ``--repeats`` runs after one warm-up. Extra memory is the peak traced
by ``tracemalloc`` during one separate run (tracing slows numpy, so it is not timed).
Targets per case: >= 40x the naive loop, < 50 ms, < 25 MB extra. Exit status 0 when all are
met, 1 otherwise.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from quant.risk import GBM, drawdown_distribution, monte_carlo_var

SPEEDUP_TARGET = 40.0
TIME_TARGET_MS = 50.0
MEMORY_TARGET_MB = 25.0


@dataclass(frozen=True)
class Case:
    name: str
    fast_ms: float
    naive_ms: float
    peak_mb: float
    checked: bool = True


def synthetic_returns(days: int, rng: np.random.Generator) -> np.ndarray:
    """Fat-tailed daily returns: Student-t with 4 degrees of freedom, 1.2% daily volatility."""
    return 0.0003 + 0.012 / np.sqrt(2.0) * rng.standard_t(4, size=days)


def naive_bootstrap_var(returns: list[float], *, paths: int, days: int, seed: int) -> list[float]:
    rng = np.random.default_rng(seed)
    n = len(returns)
    terminal = []
    for _ in range(paths):
        value = 1.0
        for _ in range(days):
            value *= 1.0 + returns[int(rng.integers(n))]
        terminal.append(value - 1.0)
    return terminal


def naive_gbm_drawdowns(
    mu: float, sigma: float, *, paths: int, days: int, seed: int
) -> list[tuple[float, float]]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(paths):
        x = peak = low = worst = 0.0
        for _ in range(days):
            x += mu + sigma * rng.standard_normal()
            peak = max(peak, x)
            low = min(low, x)
            worst = min(worst, x - peak)
        out.append((worst, low))
    return out


def median_ms(run: Callable[[], object], repeats: int) -> float:
    run()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def peak_mb(run: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        run()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return (peak - before) / 2**20


def naive_ms(run: Callable[[], object], *, sample_paths: int, paths: int) -> float:
    start = time.perf_counter()
    run()
    return (time.perf_counter() - start) * 1000 * paths / sample_paths


def measure(args: argparse.Namespace) -> list[Case]:
    returns = synthetic_returns(3000, np.random.default_rng(args.seed))
    gbm = GBM.fit(returns)
    paths, days, sample = args.paths, args.days, min(args.naive_paths, args.paths)

    def boot() -> object:
        rng = np.random.default_rng(args.seed)
        return monte_carlo_var(
            returns, rng=rng, level=0.99, horizon_days=days, model="bootstrap", n_paths=paths
        )

    def paths_risk() -> object:
        rng = np.random.default_rng(args.seed)
        return drawdown_distribution(gbm, rng=rng, horizon_days=days, n_paths=paths)

    def exact() -> object:
        rng = np.random.default_rng(args.seed)
        return monte_carlo_var(
            returns, rng=rng, level=0.99, horizon_days=days, model="gbm", n_paths=paths
        )

    history = returns.tolist()
    return [
        Case(
            "bootstrap VaR (terminal of paths x days draws)",
            median_ms(boot, args.repeats),
            naive_ms(
                lambda: naive_bootstrap_var(history, paths=sample, days=days, seed=args.seed),
                sample_paths=sample,
                paths=paths,
            ),
            peak_mb(boot),
        ),
        Case(
            "GBM path risk (max drawdown + ruin)",
            median_ms(paths_risk, args.repeats),
            naive_ms(
                lambda: naive_gbm_drawdowns(
                    gbm.mu, gbm.sigma, paths=sample, days=days, seed=args.seed
                ),
                sample_paths=sample,
                paths=paths,
            ),
            peak_mb(paths_risk),
        ),
        Case(
            "GBM VaR (exact terminal draw, reference)",
            median_ms(exact, args.repeats),
            float("nan"),
            peak_mb(exact),
            checked=False,
        ),
    ]


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def report(cases: list[Case], args: argparse.Namespace) -> bool:
    print(f"Monte Carlo risk: {args.paths:,} paths x {args.days} days, median of {args.repeats}")
    print(
        f"naive loops timed on {min(args.naive_paths, args.paths):,} paths, "
        f"extrapolated linearly to {args.paths:,}"
    )
    all_ok = True
    for case in cases:
        print(f"\n{case.name}")
        print(f"  vectorised  {case.fast_ms:9.1f} ms   extra peak memory {case.peak_mb:6.1f} MB")
        if not case.checked:
            print("  (not a path simulation: no naive baseline, no targets)")
            continue
        speedup = case.naive_ms / case.fast_ms
        checks = [
            (f"speedup {speedup:,.0f}x (naive {case.naive_ms:,.0f} ms)", speedup >= SPEEDUP_TARGET,
             f">= {SPEEDUP_TARGET:.0f}x"),
            (f"time {case.fast_ms:.1f} ms", case.fast_ms < TIME_TARGET_MS,
             f"< {TIME_TARGET_MS:.0f} ms"),
            (f"memory {case.peak_mb:.1f} MB", case.peak_mb < MEMORY_TARGET_MB,
             f"< {MEMORY_TARGET_MB:.0f} MB"),
        ]  # fmt: skip
        for text, ok, target in checks:
            print(f"  {verdict(ok)}  {text}  (target {target})")
            all_ok &= ok
    print(f"\noverall: {verdict(all_ok)}")
    return all_ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--paths", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=252)
    parser.add_argument("--naive-paths", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    return 0 if report(measure(args), args) else 1


if __name__ == "__main__":
    sys.exit(main())
