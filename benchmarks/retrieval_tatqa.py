"""Retrieval quality on TAT-QA dev: BM25 alone, dense alone and hybrid (best-rank and RRF fusion).

Run from the repository root::

    python -m benchmarks.retrieval_tatqa [results.json] [--data-dir ../shared/data]
        [--reranker DIR] [--index-dir DIR]

Corpus: every paragraph of the 278 dev contexts is one passage, and each context's table,
rendered as text (one line per row, cells joined by " | ", empty rows dropped), is one more;
all are indexed together (about 1,630 passages), so a question competes against every report,
not only its own. Questions: those whose gold evidence includes text paragraphs
(``answer_from`` "text" or "table-text", with ``rel_paragraphs`` given): 896 of 1,668.
Metrics per mode: recall@1/5/10 (a gold paragraph of the question's own context among the
top k), MRR@10 (1 / rank of the first gold paragraph, 0 beyond rank 10) and mean latency per
query (after 5 untimed warm-up queries). "hybrid" is the retriever's default fusion (best rank
on either side, agreement breaking ties), "hybrid-rrf" plain reciprocal-rank fusion. TAT-QA has no
dates or tickers: passages get kind "other" and one fixed date.

Embedder: the bundled all-MiniLM-L6-v2 (offline). ``--reranker DIR`` adds a "rerank" row with
a local cross-encoder. Results go to ``results.json`` (default ``out/retrieval_tatqa.json``).
Exit status: 0 on success, 2 when the shared data is absent.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from core.ids import content_hash
from retrieval.index import Index
from retrieval.retriever import load_cross_encoder
from retrieval.types import Chunk

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data"
DATASET = Path("qa_tatqa") / "tatqa_dataset_dev.json"
PLACEHOLDER_DATE = date(2019, 12, 31)  # TAT-QA reports are mostly 2018-2020; no dates given
CUTOFFS = (1, 5, 10)


@dataclass(frozen=True)
class Question:
    uid: str
    text: str
    gold: frozenset[str]  # chunk ids of the gold paragraphs


@dataclass
class Scores:
    mode: str
    questions: int
    recall: dict[str, float]
    mrr_at_10: float
    mean_ms: float


def render_table(rows: list[list[str]]) -> str:
    """A table as text: one line per non-empty row, stripped cells joined by " | "."""
    lines = [" | ".join(cell.strip() for cell in row) for row in rows]
    return "\n".join(line for line in lines if line.replace("|", "").strip())


def _chunk(doc_id: str, section: str, text: str) -> Chunk:
    return Chunk(
        id=content_hash(f"{doc_id}|{section}|{text}"),
        doc_id=doc_id,
        kind="other",
        ticker=None,
        form=None,
        fiscal_period=None,
        available_on=PLACEHOLDER_DATE,
        section=section,
        source=f"tatqa-dev:{doc_id}#{section.lower().replace(' ', '-')}",
        char_start=0,
        char_end=len(text),
        text=text,
    )


def build(contexts: list[dict[str, Any]]) -> tuple[list[Chunk], list[Question]]:
    """The passages of every context and the questions whose gold includes paragraphs."""
    chunks: list[Chunk] = []
    questions: list[Question] = []
    for context in contexts:
        doc_id = context["table"]["uid"]
        table = render_table(context["table"]["table"])
        if table:
            chunks.append(_chunk(doc_id, "Table", table))
        by_order: dict[str, str] = {}
        for paragraph in context["paragraphs"]:
            if paragraph["text"].strip():
                chunk = _chunk(doc_id, f"Paragraph {paragraph['order']}", paragraph["text"])
                chunks.append(chunk)
                by_order[str(paragraph["order"])] = chunk.id
        for q in context["questions"]:
            gold = frozenset(by_order[o] for o in q["rel_paragraphs"] if str(o) in by_order)
            if q["answer_from"] in ("text", "table-text") and gold:
                questions.append(Question(q["uid"], q["question"], gold))
    return chunks, questions


def evaluate(index: Index, questions: list[Question], mode: str) -> Scores:
    for q in questions[:5]:  # warm up (model threads, caches); not timed
        index.search(q.text, k=max(CUTOFFS), mode=mode)  # type: ignore[arg-type]
    hits = {k: 0 for k in CUTOFFS}
    reciprocal, times = [], []
    for q in questions:
        start = time.perf_counter()
        passages = index.search(q.text, k=max(CUTOFFS), mode=mode)  # type: ignore[arg-type]
        times.append((time.perf_counter() - start) * 1e3)
        ranks = [p.rank for p in passages if p.chunk.id in q.gold]
        first = min(ranks, default=None)
        for k in CUTOFFS:
            hits[k] += first is not None and first <= k
        reciprocal.append(0.0 if first is None else 1.0 / first)
    n = len(questions)
    if index.retriever.reranker is not None:
        mode = "rerank"
    elif mode == "hybrid" and index.retriever.fusion == "rrf":
        mode = "hybrid-rrf"
    return Scores(
        mode=mode,
        questions=n,
        recall={f"@{k}": round(hits[k] / n, 4) for k in CUTOFFS},
        mrr_at_10=round(float(np.mean(reciprocal)), 4),
        mean_ms=round(float(np.mean(times)), 2),
    )


def print_table(rows: list[Scores]) -> None:
    print(f"\n{'mode':<11}{'questions':>10}{'R@1':>8}{'R@5':>8}{'R@10':>8}{'MRR@10':>9}{'ms/q':>8}")
    for r in rows:
        print(
            f"{r.mode:<11}{r.questions:>10}{r.recall['@1']:>8.3f}{r.recall['@5']:>8.3f}"
            f"{r.recall['@10']:>8.3f}{r.mrr_at_10:>9.3f}{r.mean_ms:>8.1f}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("results", nargs="?", type=Path, default=Path("out/retrieval_tatqa.json"))
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--reranker", type=Path, help="local cross-encoder directory")
    parser.add_argument("--index-dir", type=Path, help="keep the index here (default: temporary)")
    args = parser.parse_args(argv)

    path = args.data_dir / DATASET
    if not path.is_file():
        print(
            f"TAT-QA dev not found at {path.resolve()}: it lives in ../shared/data, which a "
            "fresh clone does not have; pass --data-dir",
            file=sys.stderr,
        )
        return 2
    chunks, questions = build(json.loads(path.read_text("utf-8")))
    print(f"{len(chunks):,} passages; {len(questions):,} questions with gold text paragraphs")

    with tempfile.TemporaryDirectory(prefix="sd_tatqa_") as tmp:
        index = Index(args.index_dir or Path(tmp))
        start = time.perf_counter()
        added = index.add(chunks)
        print(f"indexed in {time.perf_counter() - start:.1f} s ({added.embedded:,} embedded)")
        rows = [evaluate(index, questions, mode) for mode in ("bm25", "dense", "hybrid")]
        index.retriever.fusion = "rrf"
        rows.append(evaluate(index, questions, "hybrid"))
        index.retriever.fusion = "best-rank"
        if args.reranker is not None:
            index.retriever.reranker = load_cross_encoder(args.reranker)
            rows.append(evaluate(index, questions, "hybrid"))
        stats = index.stats()

    print_table(rows)
    args.results.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "dataset": str(DATASET),
        "passages": len(chunks),
        "questions": len(questions),
        "embedder": stats.embedder,
        "results": [asdict(r) for r in rows],
    }
    args.results.write_text(json.dumps(payload, indent=2) + "\n")
    print(f"\nwrote {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
