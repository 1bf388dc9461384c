"""Vector search benchmark: the embedded LanceDB store against brute-force numpy cosine.

Run from the repository root::

    python -m benchmarks.retrieval                       # 100,000 chunks x 384 dims
    python -m benchmarks.retrieval --chunks 20000 --queries 100 --json out/retrieval.json

Synthetic chunks (200 tickers, 3 forms, 4 sections, filing dates 2005-2024) carry unit vectors
drawn around 1,000 random topic centres, which gives the neighbourhood structure real
embeddings have (``--random`` draws plain random unit vectors instead: latency is the same,
ANN recall is not meaningful there). The store is loaded, the ANN index built, then each case
runs the same queries (top 10) through ``LanceStore.query`` and through numpy (one
matrix-vector product over the in-memory vectors, with the filter as a boolean mask computed
per query from metadata arrays); recall@10 is measured against numpy's exact answer.

Cases: unfiltered; a selective filter (2 tickers, as of 2015: ~0.5% of rows, answered by an
exact scan of the matching rows); a broad filter (10-K, as of 2020: ~26% of rows, answered
through the ANN index with a pre-filter). Target: p50 under 50 ms in each case. Exit status 0
when every target is met, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from retrieval.store import Filters, LanceStore
from retrieval.types import Chunk

P50_TARGET_MS = 50.0
TICKERS = np.array([f"T{i:03d}" for i in range(200)], dtype=object)
FORMS = np.array(["10-K", "10-Q", "8-K"], dtype=object)
SECTIONS = np.array(["Item 1A", "Item 7", "Item 8", "Body"], dtype=object)
EPOCH = date(2005, 1, 1)


@dataclass
class Case:
    name: str
    lance_ms: tuple[float, float]
    numpy_ms: tuple[float, float]
    recall_at_k: float

    @property
    def passed(self) -> bool:
        return self.lance_ms[0] < P50_TARGET_MS


def unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=-1, keepdims=True)).astype(np.float32)


def synthetic(
    n: int, dim: int, *, clustered: bool, rng: np.random.Generator
) -> tuple[list[Chunk], np.ndarray, dict[str, np.ndarray]]:
    """``n`` chunks, their unit vectors and their metadata as numpy columns."""
    if clustered:
        centres = unit(rng.normal(size=(1_000, dim)))
        vectors = unit(centres[rng.integers(0, 1_000, n)] + rng.normal(size=(n, dim)) * 0.06)
    else:
        vectors = unit(rng.normal(size=(n, dim)))
    meta = {
        "ticker": TICKERS[rng.integers(0, len(TICKERS), n)],
        "form": FORMS[rng.integers(0, len(FORMS), n)],
        "section": SECTIONS[rng.integers(0, len(SECTIONS), n)],
        "day": rng.integers(0, 20 * 365, n),
    }
    chunks = [
        Chunk(
            id=f"c{i:07d}",
            doc_id=f"d{i // 50:06d}",
            kind="filing",
            ticker=meta["ticker"][i],
            form=meta["form"][i],
            fiscal_period=None,
            available_on=EPOCH + timedelta(days=int(meta["day"][i])),
            section=meta["section"][i],
            source=f"synthetic://{i // 50}",
            char_start=0,
            char_end=200,
            text=f"synthetic chunk {i} " + "filler words for a realistic chunk length " * 5,
        )
        for i in range(n)
    ]
    return chunks, vectors, meta


def numpy_mask(meta: dict[str, np.ndarray], f: Filters) -> np.ndarray | None:
    if f.is_empty:
        return None
    mask = np.ones(len(meta["day"]), dtype=bool)
    if f.tickers is not None:
        mask &= np.isin(meta["ticker"], np.array(f.tickers, dtype=object))
    if f.forms is not None:
        mask &= np.isin(meta["form"], np.array(f.forms, dtype=object))
    if f.available_on_max is not None:
        mask &= meta["day"] <= (f.available_on_max - EPOCH).days
    return mask


def numpy_top(vectors: np.ndarray, q: np.ndarray, k: int, mask: np.ndarray | None) -> np.ndarray:
    scores = vectors @ q
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    top = np.argpartition(-scores, k)[:k]
    return top[np.argsort(-scores[top])]


def timed(fn: Callable[[np.ndarray], object], queries: np.ndarray) -> tuple[list, list[float]]:
    for q in queries[:5]:  # warm caches
        fn(q)
    results, times = [], []
    for q in queries:
        start = time.perf_counter()
        results.append(fn(q))
        times.append((time.perf_counter() - start) * 1e3)
    return results, times


def percentiles(times: list[float]) -> tuple[float, float]:
    p50, p95 = np.percentile(times, [50, 95])
    return round(float(p50), 2), round(float(p95), 2)


def run_case(
    name: str,
    store: LanceStore,
    vectors: np.ndarray,
    meta: dict,
    queries: np.ndarray,
    f: Filters,
    k: int,
) -> Case:
    mask_of = lambda: numpy_mask(meta, f)  # noqa: E731 (the mask is part of numpy's work)
    exact, numpy_times = timed(lambda q: numpy_top(vectors, q, k, mask_of()), queries)
    found, lance_times = timed(lambda q: store.query(q, k=k, filters=f), queries)
    recall = np.mean(
        [
            len({f"c{i:07d}" for i in e} & {c.id for c, _ in hits}) / k
            for e, hits in zip(exact, found, strict=True)
        ]
    )
    return Case(name, percentiles(lance_times), percentiles(numpy_times), round(float(recall), 4))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument(
        "--index-type", default="IVF_SQ", choices=["IVF_SQ", "IVF_PQ", "IVF_HNSW_SQ"]
    )
    parser.add_argument("--random", action="store_true", help="plain random unit vectors")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)

    rng = np.random.default_rng(args.seed)
    t0 = time.perf_counter()
    chunks, vectors, meta = synthetic(args.chunks, args.dim, clustered=not args.random, rng=rng)
    picks = rng.integers(0, args.chunks, args.queries)
    queries = unit(vectors[picks] + rng.normal(size=(args.queries, args.dim)) * 0.06)
    print(f"{args.chunks:,} synthetic chunks x {args.dim} dims in {time.perf_counter() - t0:.1f} s")

    with tempfile.TemporaryDirectory(prefix="sd_bench_") as tmp:
        store = LanceStore(
            tmp, dim=args.dim, ann_threshold=10**12, index_type=args.index_type
        )  # the index is built explicitly below, once
        t0 = time.perf_counter()
        for start in range(0, args.chunks, 10_000):
            store.upsert(chunks[start : start + 10_000], vectors[start : start + 10_000])
        load_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        store.create_ann_index()
        index_s = time.perf_counter() - t0
        print(
            f"upsert {load_s:.1f} s ({args.chunks / load_s:,.0f} chunks/s); "
            f"{args.index_type} + scalar indexes {index_s:.1f} s"
        )
        cases = [
            ("unfiltered", Filters()),
            (
                "selective filter",
                Filters(tickers=("T001", "T002"), available_on_max=date(2015, 1, 1)),
            ),
            ("broad filter", Filters(forms=("10-K",), available_on_max=date(2020, 1, 1))),
        ]
        results = []
        for name, f in cases:
            mask = numpy_mask(meta, f)
            rows = args.chunks if mask is None else int(mask.sum())
            results.append(run_case(name, store, vectors, meta, queries, f, args.k))
            print(f"  {name}: {rows:,} matching rows")

    print(
        f"\n{'case':<18}{'lance p50/p95 ms':>20}{'numpy p50/p95 ms':>20}{'numpy/lance':>13}"
        f"{'recall@' + str(args.k):>11}"
    )
    for c in results:
        ratio = c.numpy_ms[0] / c.lance_ms[0]
        print(
            f"{c.name:<18}{c.lance_ms[0]:>11.2f} / {c.lance_ms[1]:<6.2f}"
            f"{c.numpy_ms[0]:>12.2f} / {c.numpy_ms[1]:<6.2f}{ratio:>11.2f}x{c.recall_at_k:>11.3f}"
        )
    print()
    for c in results:
        verdict = "PASS" if c.passed else "FAIL"
        print(f"{verdict}  {c.name}: p50 {c.lance_ms[0]:.2f} ms (target < {P50_TARGET_MS:.0f} ms)")
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "chunks": args.chunks,
            "dim": args.dim,
            "index_type": args.index_type,
            "upsert_s": round(load_s, 2),
            "index_s": round(index_s, 2),
            "cases": [asdict(c) | {"passed": c.passed} for c in results],
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n")
    return 0 if all(c.passed for c in results) else 1


if __name__ == "__main__":
    sys.exit(main())
