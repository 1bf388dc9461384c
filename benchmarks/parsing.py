"""Parsing speed on hostile shapes: 20,000 <p> tags, deeply nested divs, a 50 MB text file.

Run from the repository root::

    python -m benchmarks.parsing            # the sizes of issue 23
    python -m benchmarks.parsing --scale 0.1

Each case writes its file, reads it with ``read_document`` (limits off) and chunks it, and prints
the seconds for each step beside a linear baseline on the same input, ``len(raw.split())``
(one pass of C over the bytes), and their ratio. Work linear in size keeps the ratio about
constant when ``--scale`` changes; quadratic work multiplies it by the scale. "peak RSS" is the
process's peak resident memory after the case's parsing and chunking (before its baseline, whose
list of words is itself large); the text case runs last, so its figure is its own.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from retrieval.chunking import chunk_documents
from retrieval.sources.folder import read_document
from retrieval.sources.limits import ParseLimits

_NO_LIMITS = ParseLimits(max_bytes=None, max_seconds=None)
_WORDS = ("revenue", "grew", "margin", "the", "Company", "net", "income", "12.5%", "risk")


def paragraphs(n: int) -> str:
    """n <p> tags, about 16 bytes each (issue 23: 20,000 tags, 312 KB, took 209 s)."""
    return "<html><body>" + "".join(f"<p>Line {i:06d}</p>" for i in range(n)) + "</body></html>"


def nested_divs(n: int) -> str:
    """n divs nested in one another, 13 bytes a level (issue 23: 1.1 MB did not finish)."""
    return "<html><body>" + "<div>x " * n + "</div>" * n + "</body></html>"


def filing_text(n_bytes: int) -> str:
    """A 10-K-like text of about ``n_bytes``: prose paragraphs, an Item heading now and then."""
    parts: list[str] = []
    size, i = 0, 0
    while size < n_bytes:
        words = " ".join(_WORDS[(i * 7 + k) % len(_WORDS)] for k in range(12))
        block = "".join(f"In {i}.{j} {words}. " for j in range(6)) + "\n\n"
        if i % 400 == 0:
            block = f"Item {i // 400 % 15 + 1}. Heading {i}\n\n" + block
        parts.append(block)
        size += len(block)
        i += 1
    return "FORM 10-K\n\nFor the fiscal year ended December 31, 2020\n\n" + "".join(parts)


def _timed(work: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def _per_call(work: Callable[[], object]) -> float:
    """Seconds per call of ``work``, repeated until 50 ms have passed (small inputs)."""
    runs, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < 0.05 or runs == 0:
        work()
        runs += 1
    return elapsed / runs


def run_case(name: str, filename: str, raw: str, folder: Path) -> None:
    path = folder / filename
    path.write_text(raw, encoding="utf-8")
    parse_s, doc = _timed(lambda: read_document(path, limits=_NO_LIMITS))
    chunk_s, chunks = _timed(lambda: chunk_documents([doc]))  # type: ignore[list-item]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    baseline = _per_call(lambda: len(raw.split()))
    ratio = (parse_s + chunk_s) / baseline if baseline > 0 else float("nan")
    print(
        f"{name:<22} {len(raw) / 1e6:6.2f} MB  parse {parse_s:6.2f} s  chunk {chunk_s:6.2f} s  "
        f"baseline {baseline * 1000:7.1f} ms  ratio {ratio:6.0f}  "
        f"chunks {len(chunks):>6}  peak RSS {peak_mb:5.0f} MB",  # type: ignore[arg-type]
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every size by this")
    args = parser.parse_args(argv)
    scale = args.scale
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        run_case(
            f"{int(20_000 * scale)} <p> tags",
            "ACME_other_2021-01-01_p.html",
            paragraphs(int(20_000 * scale)),
            folder,
        )
        run_case(
            f"{int(85_000 * scale)} nested divs",
            "ACME_other_2021-01-01_divs.html",
            nested_divs(int(85_000 * scale)),
            folder,
        )
        run_case(
            "10-K-like text",
            "ACME_10-K_2021-03-01_big.txt",
            filing_text(int(50_000_000 * scale)),
            folder,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
