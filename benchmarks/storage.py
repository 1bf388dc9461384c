"""Storage benchmark: bulk upsert and one-ticker-year reads of daily bars, against naive ORM code.

Run from the repository root::

    python -m benchmarks.storage                      # 1,000,000 rows, SQLite and PostgreSQL
    python -m benchmarks.storage --rows 100000 --postgres-url postgresql://me@db:5432/scratch

SQLite runs in a temporary folder; PostgreSQL in a throwaway schema (``sd_bench_<random>``)
that is dropped at the end, and is skipped with the reason when the server does not answer.
Exit status: 0 when every target is met, 1 when one is missed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import secrets
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session, select

from data.bars import RAW_COLUMNS
from data.store import (
    BarStore,
    DailyBar,
    StoreUnavailableError,
    UpsertResult,
    make_engine,
    upgrade,
)

BULK_TARGET_S = 5.0
READ_TARGET_MS = 10.0
SOURCE = "synthetic"
Frames = list[tuple[str, str, pd.DataFrame]]


@dataclass
class Result:
    """What one backend measured."""

    backend: str
    rows: int = 0
    bulk_s: float = float("nan")
    reload_s: float = float("nan")
    naive_rows_per_s: float = float("nan")
    naive_commit_rows_per_s: float = float("nan")
    read_ms: tuple[float, float] = (float("nan"), float("nan"))
    naive_read_ms: tuple[float, float] = (float("nan"), float("nan"))
    notes: list[str] = field(default_factory=list)


def synthetic_frames(rows: int, tickers: int, rng: np.random.Generator) -> Frames:
    """``rows`` valid raw daily bars spread over ``tickers`` symbols (business days from 2010)."""
    sizes = np.full(tickers, rows // tickers) + (np.arange(tickers) < rows % tickers)
    days = pd.DatetimeIndex(pd.bdate_range("2010-01-01", periods=int(sizes.max())), name="date")
    frames: Frames = []
    for i, n in enumerate(sizes.tolist()):
        close = 50 * np.exp(np.cumsum(rng.normal(0, 0.01, n)))
        spread = np.abs(rng.normal(0, 0.005, n))
        frame = pd.DataFrame(
            {
                "open": close * (1 + rng.normal(0, 0.002, n)),
                "high": close * (1 + spread + 0.003),
                "low": close * (1 - spread - 0.003),
                "close": close,
                "volume": rng.integers(10_000, 5_000_000, n).astype("float64"),
                "adj_close": np.where(rng.random(n) < 0.05, np.nan, close * 0.97),
            },
            index=days[:n],
        )
        frames.append((f"SYN{i:04d}", SOURCE, frame))
    return frames


def _timed_upsert(store: BarStore, frames: Frames) -> tuple[float, UpsertResult]:
    start = time.perf_counter()
    result = store.upsert_many(frames)
    return time.perf_counter() - start, result


def bench_bulk(engine: sa.Engine, frames: Frames, result: Result) -> None:
    """First load into an empty table, then the same data again (must change nothing)."""
    store = BarStore(engine)
    n = sum(len(f) for _, _, f in frames)
    result.rows = n
    result.bulk_s, first = _timed_upsert(store, frames)
    result.reload_s, second = _timed_upsert(store, frames)
    if first != UpsertResult(n, 0, 0) or second != UpsertResult(0, 0, n):
        raise RuntimeError(f"unexpected upsert counts: {first} then {second}")


def bench_naive_insert(engine: sa.Engine, rows: int, *, commit_each: bool) -> float:
    """Rows/s of the obvious ORM loop: ``session.add`` per row, one commit or one per row."""
    first = dt.date(1990, 1, 1)
    ticker = "NAIVEC" if commit_each else "NAIVE"
    start = time.perf_counter()
    with Session(engine) as session:
        for i in range(rows):
            day = first + dt.timedelta(days=i)
            session.add(
                DailyBar(
                    ticker=ticker,
                    source=SOURCE,
                    date=day,
                    open=1.0,
                    high=1.1,
                    low=0.9,
                    close=1.0,
                    volume=1e5,
                    adj_close=None,
                )
            )
            if commit_each:
                session.commit()
        session.commit()
    return rows / (time.perf_counter() - start)


def naive_read(engine: sa.Engine, ticker: str, start: dt.date, end: dt.date) -> pd.DataFrame:
    """The obvious ORM read: select the objects, then build the frame from them."""
    query = (
        select(DailyBar)
        .where(DailyBar.ticker == ticker, DailyBar.source == SOURCE)
        .where(DailyBar.date >= start, DailyBar.date <= end)
        .order_by(DailyBar.date)
    )
    with Session(engine) as session:
        bars = session.exec(query).all()
    frame = pd.DataFrame([b.model_dump() for b in bars]).set_index("date")
    frame.index = pd.DatetimeIndex(frame.index)
    return frame[list(RAW_COLUMNS)].astype("float64")


def _percentiles(seconds: list[float]) -> tuple[float, float]:
    ms = np.array(seconds) * 1000
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 95))


def bench_reads(
    engine: sa.Engine, frames: Frames, reads: int, rng: np.random.Generator, result: Result
) -> None:
    """Latency of one ticker-year reads, store vs naive, over the same random requests."""
    store = BarStore(engine)
    last_year = frames[0][2].index[-1].year - 1
    requests = [
        (frames[int(rng.integers(len(frames)))][0], int(rng.integers(2010, max(2011, last_year))))
        for _ in range(reads)
    ]
    fast, slow = [], []
    for ticker, year in requests:
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        t0 = time.perf_counter()
        got = store.read_bars(ticker=ticker, source=SOURCE, start=start, end=end)
        t1 = time.perf_counter()
        naive = naive_read(engine, ticker, start, end)
        t2 = time.perf_counter()
        fast.append(t1 - t0)
        slow.append(t2 - t1)
        if len(got) != len(naive) or got.index.max() > pd.Timestamp(end):
            raise RuntimeError(f"read mismatch for {ticker} {year}")
    result.read_ms, result.naive_read_ms = _percentiles(fast), _percentiles(slow)


def run_backend(url: str, result: Result, frames: Frames, args: argparse.Namespace) -> None:
    engine = make_engine(url)
    try:
        upgrade(engine)
        bench_bulk(engine, frames, result)
        result.naive_rows_per_s = bench_naive_insert(engine, args.baseline_rows, commit_each=False)
        result.naive_commit_rows_per_s = bench_naive_insert(
            engine, args.commit_rows, commit_each=True
        )
        bench_reads(engine, frames, args.reads, np.random.default_rng(args.seed + 1), result)
    finally:
        engine.dispose()


@contextmanager
def postgres_schema(url: str) -> Iterator[str]:
    """A throwaway schema; yields a URL whose search_path is it; drops it at the end."""
    admin = make_engine(url, connect_timeout=2)
    schema = f"sd_bench_{secrets.token_hex(4)}"
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        scoped = admin.url.update_query_dict({"options": f"-csearch_path={schema}"})
        yield scoped.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.dispose()


def _row(*cells: object) -> str:
    widths = (10, 44, 11, 9, 12, 9)
    return "  ".join(
        f"{c:<{w}}" if i < 2 else f"{c:>{w}}"
        for i, (c, w) in enumerate(zip(cells, widths, strict=True))
    )


def print_report(results: list[Result], args: argparse.Namespace) -> bool:
    print(_row("backend", "operation", "rows", "seconds", "rows/s", "vs naive"))
    for r in results:
        naive = r.naive_rows_per_s
        print(
            _row(
                r.backend,
                "bulk upsert, empty table",
                f"{r.rows:,}",
                f"{r.bulk_s:.2f}",
                f"{r.rows / r.bulk_s:,.0f}",
                f"x{r.rows / r.bulk_s / naive:.1f}",
            )
        )
        print(
            _row(
                r.backend,
                "bulk upsert, same data again (no change)",
                f"{r.rows:,}",
                f"{r.reload_s:.2f}",
                f"{r.rows / r.reload_s:,.0f}",
                f"x{r.rows / r.reload_s / naive:.1f}",
            )
        )
        print(
            _row(
                r.backend,
                "naive: ORM add per row, one commit",
                f"{args.baseline_rows:,}",
                f"{args.baseline_rows / naive:.2f}",
                f"{naive:,.0f}",
                "x1.0",
            )
        )
        commit = r.naive_commit_rows_per_s
        print(
            _row(
                r.backend,
                "naive: ORM add + commit per row",
                f"{args.commit_rows:,}",
                f"{args.commit_rows / commit:.2f}",
                f"{commit:,.0f}",
                f"x{commit / naive:.2f}",
            )
        )
    print(f"\none ticker-year read latency (ms), {args.reads} random reads")
    print(
        f"{'backend':<10}  {'store p50':>9}  {'p95':>6}  {'naive p50':>9}  {'p95':>6}  "
        f"{'speedup p50':>11}"
    )
    for r in results:
        (p50, p95), (n50, n95) = r.read_ms, r.naive_read_ms
        print(
            f"{r.backend:<10}  {p50:>9.2f}  {p95:>6.2f}  {n50:>9.2f}  {n95:>6.2f}  "
            f"{'x' + format(n50 / p50, '.1f'):>11}"
        )
    return _verdicts(results)


def _verdicts(results: list[Result]) -> bool:
    ok = True
    print()
    for r in results:
        for name, value, target, unit in (
            (f"bulk upsert of {r.rows:,} rows", r.bulk_s, BULK_TARGET_S, "s"),
            ("one ticker-year read p95", r.read_ms[1], READ_TARGET_MS, "ms"),
        ):
            passed = value < target
            ok &= passed
            verdict = "PASS" if passed else "FAIL"
            print(
                f"{verdict}  {r.backend:<10} {name}: {value:.2f} {unit} (target < {target} {unit})"
            )
    return ok


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="bars to load per backend")
    parser.add_argument("--tickers", type=int, default=400, help="symbols the rows spread over")
    parser.add_argument(
        "--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    parser.add_argument("--baseline-rows", type=int, default=20_000, help="naive sample size")
    parser.add_argument("--commit-rows", type=int, default=2_000, help="commit-per-row sample")
    parser.add_argument("--reads", type=int, default=200, help="random one ticker-year reads")
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    frames = synthetic_frames(args.rows, args.tickers, np.random.default_rng(args.seed))
    results = [Result("sqlite")]
    with tempfile.TemporaryDirectory(prefix="sd-bench-") as folder:
        run_backend(f"sqlite:///{Path(folder) / 'bench.db'}", results[0], frames, args)
    try:
        with postgres_schema(args.postgres_url) as url:
            results.append(Result("postgresql"))
            run_backend(url, results[1], frames, args)
    except StoreUnavailableError as err:
        print(f"PostgreSQL skipped: {err}\n")
    return 0 if print_report(results, args) else 1


if __name__ == "__main__":
    sys.exit(main())
