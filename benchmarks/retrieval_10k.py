"""Ingest the 60 shared 10-Ks: parse, locate sections, chunk, flag; print counts and speed.

Run from the repository root (needs ../shared/data, which a fresh clone does not have)::

    python -m benchmarks.retrieval_10k
    python -m benchmarks.retrieval_10k --data /path/to/shared/data --show-flagged

Prints documents parsed and skipped, how many filings have Item 1A and Item 7, chunks produced,
chunks per second (chunking and injection flagging, parsing excluded and timed apart), and the
chunks flagged as possible prompt injection, with the rule that fired. Also flags the other
shared texts (large-cap 10-K/10-Q texts, ECTSum calls) to measure false positives there.
Exit status: 0, or 2 when the data folder is missing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

from retrieval.chunking import chunk_documents, estimate_tokens
from retrieval.hygiene import flag_injection
from retrieval.sources.folder import load_folder
from retrieval.sources.transcripts import load_transcripts

DEFAULT_DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder")
    parser.add_argument("--show-flagged", action="store_true", help="print each flagged chunk")
    args = parser.parse_args(argv)
    folder = args.data / "sec_10k_text_aapl_msft_tsla_2006_2025"
    if not folder.is_dir():
        print(f"no 10-K folder at {folder.resolve()}", file=sys.stderr)
        return 2

    t0 = time.perf_counter()
    load = load_folder(folder, recursive=False)
    parse_s = time.perf_counter() - t0
    docs = load.documents
    names = [{s.name for s in d.sections} for d in docs]
    print(
        f"documents parsed   {len(docs)} in {parse_s:.1f} s (skipped: "
        f"{', '.join(Path(s.path).name for s in load.skipped) or 'none'})"
    )
    print(f"forms              {dict(Counter(d.form for d in docs))}")
    print(
        f"sections/filing    median {statistics.median(len(n) for n in names):.0f}, "
        f"min {min(len(n) for n in names)}, max {max(len(n) for n in names)}"
    )
    print(f"with Item 1A       {sum('Item 1A' in n for n in names)}")
    print(f"with Item 7        {sum('Item 7' in n for n in names)}")
    print(f"with both          {sum({'Item 1A', 'Item 7'} <= n for n in names)}")
    for doc, found in zip(docs, names, strict=True):
        if not {"Item 1A", "Item 7"} <= found:
            print(f"  {Path(doc.source).name}: {sorted(found, key=_item_order)}")

    t0 = time.perf_counter()
    chunks = chunk_documents(docs)
    chunk_s = time.perf_counter() - t0
    tokens = [estimate_tokens(c.text) for c in chunks]
    print(
        f"chunks             {len(chunks)} in {chunk_s:.1f} s = {len(chunks) / chunk_s:,.0f} "
        f"chunks/s ({sum(len(d.text) for d in docs) / chunk_s / 1e6:.1f} MB/s)"
    )
    print(
        f"tokens/chunk       median {statistics.median(tokens):.0f}, min {min(tokens)}, "
        f"max {max(tokens)}"
    )
    flagged = [c for c in chunks if c.injection_suspected]
    print(f"flagged chunks     {len(flagged)} of {len(chunks)}")
    for chunk in flagged if args.show_flagged else []:
        print(f"  {chunk.doc_id} {chunk.section}: {flag_injection(chunk.text)}")
        print("    " + chunk.text[:300].replace("\n", " "))
    _other_corpora(args.data, args.show_flagged)
    return 0


def _other_corpora(data: Path, show: bool) -> None:
    large = data / "sec_10k_10q_largecap_2024_2025_edgartools" / "text"
    calls = [data / "earnings_calls_ectsum" / s / "ects" for s in ("test", "val", "train_selected")]
    corpora = {
        "large-cap 10-K/10-Q texts": load_folder(large).documents if large.is_dir() else [],
        "ECTSum calls": [d for c in calls if c.is_dir() for d in load_transcripts(c)[0]],
    }
    for label, docs in corpora.items():
        if not docs:
            continue
        chunks = chunk_documents(docs)
        flagged = [c for c in chunks if c.injection_suspected]
        print(f"{label:27} {len(docs)} documents, {len(chunks)} chunks, {len(flagged)} flagged")
        for chunk in flagged if show else []:
            print(f"  {chunk.doc_id} {chunk.section}: {flag_injection(chunk.text)}")


def _item_order(name: str) -> tuple[int, str]:
    number = name.removeprefix("Item ").rstrip("ABC")
    return (int(number), name) if number.isdigit() else (-1, name)


if __name__ == "__main__":
    sys.exit(main())
