"""The offline sentiment models against the labelled sets: the trained MiniLM head, the
Loughran-McDonald lexicon and the majority class.

Run from the repository root (it reads ``../shared/data``; embeddings are cached under
``<SIGNALDESK_HOME>/cache/sentiment-embeddings``, default ``.signaldesk/cache/...``)::

    python -m evals.sentiment.evaluate [--data-dir DIR] [--head FILE] [--json OUT]

Two tables, accuracy and macro-F1 over negative/neutral/positive:

- per set, on its held-out test split: the shipped head (or ``--head``), scored through the
  same ``EmbeddingScorer`` that the product uses;
- cross-set: a head chosen and fitted by the same recipe (``evals.sentiment.fit``) on the
  other two sets' train and validation splits, tested on every text of the third set that the
  other two do not also hold (FiQA and SemEval share most of their headlines).

The majority baseline is the most frequent class of the very texts it is scored on (an
optimistic baseline: it knows the test distribution).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from core.settings import load_settings
from evals.sentiment.cache import CachedEmbedder
from evals.sentiment.data import DEFAULT_DATA_DIR, Example, LabelledSet, load_sets
from evals.sentiment.features import part
from evals.sentiment.fit import CLASSES, SEED, refit, scores, select
from quant.sentiment import (
    MINILM_NAME,
    EmbeddingScorer,
    Label,
    LexiconScorer,
    ModelUnavailableError,
    SentimentHead,
    SentimentScorer,
    TextEmbedder,
    load_head,
    load_minilm,
)

MODELS = ("majority", "lexicon", "model")


def majority(labels: Sequence[Label]) -> Label:
    """The most frequent label (ties: negative, neutral, positive order)."""
    counts = Counter(labels)
    return max(CLASSES, key=lambda c: (counts[c], -CLASSES.index(c)))


def compare(
    examples: Sequence[Example], model: SentimentScorer, lexicon: SentimentScorer
) -> dict[str, Any]:
    """n, gold counts, and accuracy / macro-F1 of majority, lexicon and model on ``examples``."""
    gold = [e.label for e in examples]
    texts = [e.text for e in examples]
    top = majority(gold)
    counts = Counter(gold)
    return {
        "n": len(examples),
        "gold_counts": {c: counts.get(c, 0) for c in CLASSES},
        "majority_label": top,
        "majority": scores(gold, [top] * len(gold)),
        "lexicon": scores(gold, [r.label for r in lexicon.score(texts)]),
        "model": scores(gold, [r.label for r in model.score(texts)]),
        "model_name": model.model,
    }


def per_set(
    sets: Sequence[LabelledSet],
    head: SentimentHead,
    embedder: TextEmbedder,
    lexicon: SentimentScorer,
) -> dict[str, dict[str, Any]]:
    """Each set's test split: the head (through ``EmbeddingScorer``), the lexicon, the majority;
    a set of several kinds of text (FiQA: headlines and posts) also per kind, as ``set/kind``."""
    scorer = EmbeddingScorer(head, embedder)
    out: dict[str, dict[str, Any]] = {}
    for data in sets:
        test = data.split("test")
        out[data.name] = compare(test, scorer, lexicon)
        kinds = sorted({e.kind for e in test})
        for kind in kinds if len(kinds) > 1 else []:
            out[f"{data.name}/{kind}"] = compare(
                [e for e in test if e.kind == kind], scorer, lexicon
            )
    return out


def cross_set(
    sets: Sequence[LabelledSet],
    embedder: TextEmbedder,
    lexicon: SentimentScorer,
    *,
    max_words: int,
    n_jobs: int = 1,
    seed: int = SEED,
) -> dict[str, dict[str, Any]]:
    """For each set: trained on the other two (selection on their validation splits, refit on
    their train + validation), tested on the texts of this set that the other two lack."""
    out: dict[str, dict[str, Any]] = {}
    for held in sets:
        others = [s for s in sets if s.name != held.name]
        train = [part(s, ["train"], embedder, max_words=max_words) for s in others]
        validation = [part(s, ["validation"], embedder, max_words=max_words) for s in others]
        chosen, _ = select(train, validation, n_jobs=n_jobs, seed=seed)
        full = [part(s, ["train", "validation"], embedder, max_words=max_words) for s in others]
        fitted = refit(full, chosen, seed=seed)
        head = fitted.head(
            name=f"cross-{held.name}",
            embedding_model=embedder.name,
            max_words=max_words,
            training={},
        )
        seen = {e.text.casefold() for s in others for e in s.examples}
        unseen = [e for e in held.examples if e.text.casefold() not in seen]
        result = compare(unseen, EmbeddingScorer(head, embedder), lexicon)
        out[held.name] = {
            **result,
            "trained_on": [s.name for s in others],
            "candidate": chosen.label(),
            "excluded_shared": len(held.examples) - len(unseen),
        }
    return out


def _cells(entry: dict[str, Any]) -> str:
    cells = [f"{entry[m]['accuracy']:.3f} / {entry[m]['macro_f1']:.3f}" for m in MODELS]
    return " | ".join(cells)


def table(report: dict[str, Any]) -> str:
    """Markdown tables of ``run``'s report."""
    head = "| set | n | majority acc / macro-F1 | lexicon acc / macro-F1 | model acc / macro-F1 |"
    rule = "| --- | ---: | --- | --- | --- |"
    lines = [f"Per set, held-out test split (model: {report['model']})", "", head, rule]
    for name, entry in report["per_set"].items():
        lines.append(f"| {name} | {entry['n']} | {_cells(entry)} |")
    if report.get("cross_set"):
        lines += ["", "Cross-set: trained on the other two sets, tested on this one", "", head]
        lines.append(rule)
        for name, entry in report["cross_set"].items():
            lines.append(f"| {name} | {entry['n']} | {_cells(entry)} |")
        chosen = "; ".join(f"{k}: {v['candidate']}" for k, v in report["cross_set"].items())
        lines += ["", f"Cross-set heads: {chosen}."]
    return "\n".join(lines)


def run(
    sets: Sequence[LabelledSet],
    head: SentimentHead,
    embedder: TextEmbedder,
    *,
    lexicon: SentimentScorer | None = None,
    cross: bool = True,
    n_jobs: int = 1,
) -> dict[str, Any]:
    """Both comparisons as a JSON-ready report."""
    lexicon = lexicon or LexiconScorer()
    report: dict[str, Any] = {
        "model": EmbeddingScorer(head, embedder).model,
        "per_set": per_set(sets, head, embedder, lexicon),
    }
    if cross:
        report["cross_set"] = cross_set(
            sets, embedder, lexicon, max_words=head.max_words, n_jobs=n_jobs
        )
    return report


def cached_minilm(cache_dir: Path | None) -> CachedEmbedder:
    """The bundled MiniLM behind the embedding cache (loaded only on a cache miss)."""
    return CachedEmbedder(load_minilm, name=MINILM_NAME, cache_dir=cache_dir)


def cache_dir_of(args: argparse.Namespace) -> Path | None:
    """--cache-dir, else ``<home>/cache/sentiment-embeddings``; None with --no-cache."""
    if args.no_cache:
        return None
    return args.cache_dir or load_settings().cache_dir / "sentiment-embeddings"


def add_common_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument(
        "--cache-dir",
        type=Path,
        help="embedding cache (default: the settings' cache dir / sentiment-embeddings)",
    )
    parser.add_argument("--no-cache", action="store_true", help="embed everything, keep nothing")
    parser.add_argument("--jobs", type=int, default=2, help="parallel fits (default 2)")


def load_or_exit(data_dir: Path) -> list[LabelledSet] | None:
    """The sets, or None after printing one line on stderr."""
    try:
        return load_sets(data_dir)
    except FileNotFoundError as err:
        print(f"error: labelled data not found: {err.filename} (pass --data-dir)", file=sys.stderr)
        return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m evals.sentiment.evaluate", description=__doc__.split("\n")[0]
    )
    add_common_arguments(parser)
    parser.add_argument("--head", type=Path, help="a head file (default: the shipped head)")
    parser.add_argument("--no-cross-set", action="store_true", help="per-set table only")
    parser.add_argument("--json", type=Path, help="also write the report as JSON here")
    args = parser.parse_args(argv)
    sets = load_or_exit(args.data_dir)
    if sets is None:
        return 2
    try:
        head = load_head(args.head)
        report = run(
            sets,
            head,
            cached_minilm(cache_dir_of(args)),
            cross=not args.no_cross_set,
            n_jobs=args.jobs,
        )
    except ModelUnavailableError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(table(report))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
