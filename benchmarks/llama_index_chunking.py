"""SignalDesk's chunker against LlamaIndex's ``SentenceSplitter``: retrieval quality and speed.

Run from the repository root (needs ../shared/data, which a fresh clone does not have)::

    python -m benchmarks.llama_index_chunking                  # both datasets, both sizes
    python -m benchmarks.llama_index_chunking --calls 495 --embedder hashing --modes bm25
    python -m benchmarks.llama_index_chunking --json out/llama_index_chunking.json

Both chunkers cut the same ``Document``s (SignalDesk's readers) inside the same sections, so
section metadata is identical and no chunk spans two sections; only the cutting inside a
section differs. ``SentenceSplitter`` counts tokens with SignalDesk's ``estimate_tokens`` (the
chunker's own count), so the budgets mean the same thing; its chunks are located in the
section text to get offsets, and duplicates are dropped as SignalDesk does. Sizes: "default"
is SignalDesk's (target 400, min 300, max 500, overlap 50 tokens) against
``SentenceSplitter(chunk_size=450, chunk_overlap=50)`` (it fills chunks up to the size, so
450 gives about the same mean chunk as SignalDesk's); "small" is 128/96/160/24 against
152/24.

Datasets, each chunked both ways and indexed in its own ``Index`` (MiniLM, or ``--embedder
hashing`` for a fast BM25-only run):

- ECTSum earnings calls (test split, the first ``--calls`` by name): each gold summary
  bullet carrying numbers that all occur in one transcript sentence is a query, searched
  inside its call (``doc_ids`` filter, as the agent searches one call). A hit is a passage
  containing all of the bullet's numbers.
- TAT-QA dev: each context (table rendered as text, then its paragraphs) is one document;
  questions answered by a text span; searched over all contexts, a hit is a passage of the
  question's context containing the answer span.

Metrics per (dataset, size, chunker, mode): R@1/3/5 and MRR@5 of the first hit, mean tokens
per chunk, chunking speed (chunks/s). Last, chunking speed on the 60 shared 10-Ks.
Exit status: 0, or 2 when the shared data is absent.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

from core.ids import content_hash
from retrieval.chunking import chunk_documents, estimate_tokens
from retrieval.embeddings import Embedder, HashingEmbedder, SentenceTransformerEmbedder
from retrieval.hygiene import flag_injection
from retrieval.index import Index
from retrieval.retriever import Mode
from retrieval.sources.folder import load_folder
from retrieval.sources.transcripts import load_transcripts
from retrieval.store.base import Filters
from retrieval.types import Chunk, Document, Section

DEFAULT_DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
SIZES = {  # name -> (SignalDesk target, min, max, overlap), (SentenceSplitter size, overlap)
    "default": ((400, 300, 500, 50), (450, 50)),
    "small": ((128, 96, 160, 24), (152, 24)),
}
CUTOFFS = (1, 3, 5)
_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*(?![\d])")
_YEAR = re.compile(r"(?:19|20)\d\d")
Chunker = Callable[[Sequence[Document]], list[Chunk]]


@dataclass(frozen=True)
class Query:
    text: str
    doc_id: str
    needles: tuple[str, ...]  # all must occur in a passage for a hit
    within_doc: bool  # search only the query's document
    numeric: bool  # needles are numbers: matched whole ("4.7" is not in "14.75")

    def answered_by(self, text: str) -> bool:
        if self.numeric:
            return all(_contains(text, n) for n in self.needles)
        return all(n in text for n in self.needles)


@dataclass
class Row:
    dataset: str
    size: str
    chunker: str
    mode: str
    queries: int
    recall: dict[str, float]
    mrr_at_5: float
    chunks: int
    tokens_per_chunk: float
    chunks_per_s: float


class _EstimateTokens:
    """``SentenceSplitter`` counts ``len(tokenizer(text))``: here SignalDesk's estimate."""

    def __call__(self, text: str) -> list[int]:
        return [0] * estimate_tokens(text)


def signaldesk_chunker(size: str) -> Chunker:
    target, minimum, maximum, overlap = SIZES[size][0]
    return lambda docs: chunk_documents(
        docs,
        target_tokens=target,
        min_tokens=minimum,
        max_tokens=maximum,
        overlap_tokens=overlap,
    )


def sentence_splitter_chunker(size: str) -> Chunker:
    """LlamaIndex's ``SentenceSplitter`` per section, as SignalDesk ``Chunk``s."""
    from llama_index.core.node_parser import SentenceSplitter

    chunk_size, overlap = SIZES[size][1]
    splitter = SentenceSplitter(
        chunk_size=chunk_size, chunk_overlap=overlap, tokenizer=_EstimateTokens()
    )
    splitter.split_text("Warm up. The sentence tokenizer loads on first use.")  # not timed

    unplaced = [0]

    def chunk(docs: Sequence[Document]) -> list[Chunk]:
        seen: set[str] = set()
        out: list[Chunk] = []
        for doc in sorted(docs, key=lambda d: d.available_on):
            for section in _segments(doc):
                body = doc.text[section.start : section.end]
                cursor = 0
                for piece in splitter.split_text(body):
                    at = body.find(piece, cursor)
                    at = at if at >= 0 else body.find(piece)
                    if at < 0:  # not verbatim: kept, unplaced (counted in the output)
                        start, end, text = section.start, section.start, piece
                        unplaced[0] += 1
                    else:
                        start, end = section.start + at, section.start + at + len(piece)
                        text, cursor = piece, at + 1
                    key = content_hash(" ".join(text.split()))
                    if key not in seen:
                        seen.add(key)
                        out.append(_chunk(doc, section, start, end, text))
        if unplaced[0]:
            print(f"  SentenceSplitter: {unplaced[0]} chunks not found verbatim in the text")
        return out

    return chunk


CHUNKERS: tuple[tuple[str, Callable[[str], Chunker]], ...] = (
    ("signaldesk", signaldesk_chunker),
    ("llama-sentence", sentence_splitter_chunker),
)


def _segments(doc: Document) -> list[Section]:
    """The document's sections in order without overlaps ("Body" when none), as the chunker."""
    if not doc.sections:
        return [Section(name="Body", start=0, end=len(doc.text))]
    found, cursor = [], 0
    for s in sorted(doc.sections, key=lambda s: (s.start, s.end)):
        start, end = max(s.start, cursor), min(s.end, len(doc.text))
        if end > start:
            found.append(s.model_copy(update={"start": start, "end": end}))
            cursor = end
    return found


def _chunk(doc: Document, section: Section, start: int, end: int, text: str) -> Chunk:
    return Chunk(
        id=content_hash(f"{doc.id}\x1f{section.name}\x1f{text}"),
        doc_id=doc.id,
        kind=doc.kind,
        ticker=doc.ticker,
        form=doc.form,
        fiscal_period=doc.fiscal_period,
        available_on=doc.available_on,
        section=section.name,
        section_title=section.title,
        source=doc.source,
        char_start=start,
        char_end=end,
        text=text,
        injection_suspected=bool(flag_injection(text)),
    )


def _contains(text: str, needle: str) -> bool:
    return re.search(rf"(?<![\w.]){re.escape(needle)}(?![\d])", text) is not None


def ectsum(data: Path, calls: int) -> tuple[list[Document], list[Query]]:
    """The first ``calls`` test calls and their answerable numeric bullets."""
    folder = data / "earnings_calls_ectsum" / "test"
    docs, _ = load_transcripts(folder / "ects")
    docs = sorted(docs, key=lambda d: Path(d.source).name)[:calls]
    queries = []
    for doc in docs:
        summary = folder / "gt_summaries" / Path(doc.source).name
        lines = doc.text.splitlines()
        for bullet in summary.read_text("utf-8").splitlines():
            needles = tuple(
                dict.fromkeys(n for n in _NUMBER.findall(bullet) if not _YEAR.fullmatch(n))
            )
            if needles and any(all(_contains(ln, n) for n in needles) for ln in lines):
                queries.append(
                    Query(bullet.strip(), doc.id, needles, within_doc=True, numeric=True)
                )
    return docs, queries


def tatqa(data: Path) -> tuple[list[Document], list[Query]]:
    """TAT-QA dev contexts as documents and their text-span questions."""
    contexts = json.loads((data / "qa_tatqa" / "tatqa_dataset_dev.json").read_text("utf-8"))
    docs, queries = [], []
    for context in contexts:
        uid = context["table"]["uid"]
        rows = [" | ".join(c.strip() for c in row) for row in context["table"]["table"]]
        table = "\n".join(r for r in rows if r.replace("|", "").strip())
        paragraphs = [p["text"].strip() for p in context["paragraphs"] if p["text"].strip()]
        text = "\n\n".join([table, *paragraphs])
        docs.append(
            Document(
                id=uid,
                kind="other",
                available_on=date(2019, 12, 31),
                source=f"tatqa-dev:{uid}",
                text=text,
            )
        )
        for q in context["questions"]:
            answer = q["answer"]
            if q["answer_from"] != "text" or q["answer_type"] != "span":
                continue
            span = str(answer[0] if isinstance(answer, list) else answer).strip()
            if len(span) >= 3 and any(span in p for p in paragraphs):
                queries.append(Query(q["question"], uid, (span,), within_doc=False, numeric=False))
    return docs, queries


def evaluate(index: Index, queries: Sequence[Query], mode: Mode) -> tuple[dict[str, float], float]:
    firsts: list[int | None] = []
    for q in queries:
        filters = Filters(doc_ids=(q.doc_id,)) if q.within_doc else None
        passages = index.search(q.text, k=max(CUTOFFS), filters=filters, mode=mode)
        hits = [
            p.rank for p in passages if p.chunk.doc_id == q.doc_id and q.answered_by(p.chunk.text)
        ]
        firsts.append(min(hits, default=None))
    n = len(queries)
    recall = {f"@{k}": round(sum(f is not None and f <= k for f in firsts) / n, 4) for k in CUTOFFS}
    mrr = round(sum(1 / f for f in firsts if f is not None) / n, 4)
    return recall, mrr


def run_dataset(
    name: str,
    docs: Sequence[Document],
    queries: Sequence[Query],
    *,
    sizes: Sequence[str],
    modes: Sequence[Mode],
    make_embedder: Callable[[], Embedder],
) -> list[Row]:
    rows = []
    for size in sizes:
        for chunker, make in CHUNKERS:
            cut = make(size)
            started = time.perf_counter()
            chunks = cut(docs)
            per_s = len(chunks) / (time.perf_counter() - started)
            with tempfile.TemporaryDirectory(prefix="sd_llama_chunk_") as tmp:
                index = Index(tmp, embedder=make_embedder())
                index.add(chunks)
                for mode in modes:
                    recall, mrr = evaluate(index, queries, mode)
                    row = Row(
                        dataset=name,
                        size=size,
                        chunker=chunker,
                        mode=mode,
                        queries=len(queries),
                        recall=recall,
                        mrr_at_5=mrr,
                        chunks=len(chunks),
                        tokens_per_chunk=round(
                            statistics.mean(estimate_tokens(c.text) for c in chunks), 1
                        ),
                        chunks_per_s=round(per_s, 1),
                    )
                    rows.append(row)
                    _print_row(row)
    return rows


def _print_row(r: Row) -> None:
    print(
        f"{r.dataset:8}{r.size:9}{r.chunker:16}{r.mode:8}{r.queries:>6}"
        f"{r.recall['@1']:>7.3f}{r.recall['@3']:>7.3f}{r.recall['@5']:>7.3f}{r.mrr_at_5:>7.3f}"
        f"{r.chunks:>8}{r.tokens_per_chunk:>8.0f}{r.chunks_per_s:>10,.0f}",
        flush=True,
    )


def tenk_speed(data: Path) -> dict[str, float]:
    """Chunks/s of both chunkers (default size) on the 60 shared 10-Ks, parsing excluded."""
    docs = load_folder(data / "sec_10k_text_aapl_msft_tsla_2006_2025", recursive=False).documents
    speeds = {}
    for name, make in CHUNKERS:
        cut = make("default")
        started = time.perf_counter()
        chunks = cut(docs)
        seconds = time.perf_counter() - started
        speeds[name] = round(len(chunks) / seconds, 1)
        print(f"10-K chunking  {name:15} {len(chunks):>7} chunks in {seconds:6.1f} s", flush=True)
    return speeds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder")
    parser.add_argument("--calls", type=int, default=80, help="ECTSum test calls (max 495)")
    parser.add_argument("--datasets", nargs="+", default=["ectsum", "tatqa", "10k"])
    parser.add_argument("--sizes", nargs="+", default=list(SIZES), choices=list(SIZES))
    parser.add_argument("--modes", nargs="+", default=["hybrid", "bm25", "dense"])
    parser.add_argument("--embedder", choices=["minilm", "hashing"], default="minilm")
    parser.add_argument("--json", type=Path, help="write the rows here")
    args = parser.parse_args(argv)
    if not (args.data / "earnings_calls_ectsum").is_dir():
        print(f"shared data not found at {args.data.resolve()}", file=sys.stderr)
        return 2
    shared: list[SentenceTransformerEmbedder] = []  # load MiniLM once

    def make_embedder() -> Embedder:
        if args.embedder == "hashing":
            return HashingEmbedder(256)
        if not shared:
            shared.append(SentenceTransformerEmbedder())
        return shared[0]

    head = f"{'dataset':8}{'size':9}{'chunker':16}{'mode':8}{'n':>6}"
    print(
        head
        + f"{'R@1':>7}{'R@3':>7}{'R@5':>7}{'MRR@5':>7}{'chunks':>8}{'tok/ch':>8}{'chunks/s':>10}"
    )
    rows: list[Row] = []
    for name in args.datasets:
        if name == "10k":
            continue
        docs, queries = ectsum(args.data, args.calls) if name == "ectsum" else tatqa(args.data)
        rows += run_dataset(
            name, docs, queries, sizes=args.sizes, modes=args.modes, make_embedder=make_embedder
        )
    speeds = tenk_speed(args.data) if "10k" in args.datasets else {}
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        payload = {"rows": [asdict(r) for r in rows], "tenk_chunks_per_s": speeds}
        args.json.write_text(json.dumps(payload, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
