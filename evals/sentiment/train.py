"""Train the offline sentiment head (MiniLM embeddings -> negative/neutral/positive) and write it.

Run from the repository root (reads ``../shared/data``, caches embeddings under
``<SIGNALDESK_HOME>/cache/sentiment-embeddings``; a cold cache embeds about 4,100 texts, under a
minute on two idle cores)::

    python -m evals.sentiment.train          # writes quant/sentiment/minilm_head.json + card
    python -m evals.sentiment.train --check  # retrains and compares with the shipped head

Recipe (see ``evals.sentiment.data`` and ``evals.sentiment.fit``): the three labelled sets,
cleaned, de-duplicated, mapped to classes (gold band 0.1) and split 70/15/15 by a hash of the
text; hyperparameters chosen on the validation splits (mean macro-F1 over the sets, simplest
within 0.01 of the best); the chosen candidate refitted on train + validation of all three sets;
test splits used only to report. Everything is seeded: the same embeddings give the same head.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from evals.sentiment.card import write_card
from evals.sentiment.data import (
    GOLD_BAND,
    SPLIT_FRACTIONS,
    SPLIT_SALT,
    LabelledSet,
    fingerprint,
)
from evals.sentiment.evaluate import (
    add_common_arguments,
    cache_dir_of,
    cached_minilm,
    load_or_exit,
    run,
)
from evals.sentiment.features import part
from evals.sentiment.fit import GRID, SEED, TOLERANCE, Candidate, refit, scores, select
from quant.sentiment import (
    SentimentHead,
    TextEmbedder,
    default_head_path,
    load_head,
    text_chunks,
    write_head,
)

HEAD_NAME = "fin-sentiment-v1"
MAX_WORDS = 48


def warm_up(sets: Sequence[LabelledSet], embedder: TextEmbedder, *, max_words: int) -> None:
    """Embed every distinct chunk in one call, sorted: a cold cache is then filled with the same
    batches (the same padding, so the same last bits) in every run."""
    chunks = {c for s in sets for e in s.examples for c in text_chunks(e.text, max_words=max_words)}
    embedder.embed(sorted(chunks))


def train(
    sets: Sequence[LabelledSet],
    embedder: TextEmbedder,
    *,
    trained_on: date,
    max_words: int = MAX_WORDS,
    grid: Sequence[Candidate] = GRID,
    n_jobs: int = 1,
    seed: int = SEED,
) -> SentimentHead:
    """Choose, refit and describe the head (its ``training`` holds the provenance).

    grid: the candidates (a one-candidate grid skips the choice, to re-make a known head).
    """
    warm_up(sets, embedder, max_words=max_words)
    train_parts = [part(s, ["train"], embedder, max_words=max_words) for s in sets]
    validation = [part(s, ["validation"], embedder, max_words=max_words) for s in sets]
    chosen, table = select(train_parts, validation, grid=grid, n_jobs=n_jobs, seed=seed)
    full = [part(s, ["train", "validation"], embedder, max_words=max_words) for s in sets]
    fitted = refit(full, chosen, seed=seed)
    tests = [part(s, ["test"], embedder, max_words=max_words) for s in sets]
    test_scores = {t.name: scores(t.labels, fitted.predict(t.x)) for t in tests}
    training: dict[str, Any] = {
        "date": trained_on.isoformat(),
        "command": "python -m evals.sentiment.train",
        "data": {
            s.name: {"mapping": s.mapping, "counts": s.counts(), "dropped": s.dropped} for s in sets
        },
        "fingerprint": fingerprint(sets),
        "gold_band": GOLD_BAND,
        "split": {
            "salt": SPLIT_SALT,
            "fractions": [*SPLIT_FRACTIONS, round(1 - sum(SPLIT_FRACTIONS), 10)],
            "by": "sha256(salt, case-folded cleaned text)",
        },
        "seed": seed,
        "selection": {
            "criterion": "mean over sets of validation macro-F1; first in grid order "
            f"within {TOLERANCE} of the best",
            "chosen": chosen.to_dict() | {"label": chosen.label()},
            "candidates": table,
        },
        "refit_on": ["train", "validation"],
        "test": test_scores,
    }
    return fitted.head(
        name=HEAD_NAME, embedding_model=embedder.name, max_words=max_words, training=training
    )


def differences(new: SentimentHead, shipped: SentimentHead, *, rtol: float = 1e-3) -> list[str]:
    """What differs between a retrained head and the shipped one (empty: it reproduces).

    Weights may differ by ``rtol`` of the largest weight (embeddings computed in other batches
    differ in their last bits), test accuracy by one text and test macro-F1 by 0.01 (one text
    can move it that much); the chosen candidate and the data must be the same.
    """
    out: list[str] = []
    old_chosen = shipped.training.get("selection", {}).get("chosen", {}).get("label")
    new_chosen = new.training["selection"]["chosen"]["label"]
    if old_chosen != new_chosen:
        out.append(f"chosen candidate {new_chosen!r}, shipped {old_chosen!r}")
    if shipped.training.get("fingerprint") != new.training["fingerprint"]:
        out.append("the data or the splits differ (fingerprint)")
    old_arrays = (*shipped.weights, *shipped.biases)
    new_arrays = (*new.weights, *new.biases)
    if [a.shape for a in old_arrays] != [a.shape for a in new_arrays]:
        out.append("layer shapes differ")
    else:
        scale = max(float(np.abs(a).max()) for a in old_arrays)
        gap = max(float(np.abs(a - b).max()) for a, b in zip(new_arrays, old_arrays, strict=True))
        if gap > rtol * scale:
            out.append(f"weights differ by up to {gap:.2e} (> {rtol:g} x {scale:.3g})")
    for name, result in new.training["test"].items():
        old = shipped.training.get("test", {}).get(name, {})
        n = sum(new.training["data"][name]["counts"]["test"].values())
        for metric, limit in (("accuracy", 1 / n + 1e-9), ("macro_f1", 0.01)):
            if metric not in old or abs(result[metric] - old[metric]) > limit:
                out.append(f"{name} test {metric} {result[metric]:.4f}, shipped {old.get(metric)}")
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m evals.sentiment.train", description=__doc__.split("\n")[0]
    )
    add_common_arguments(parser)
    parser.add_argument("--out", type=Path, default=default_head_path(), help="head file")
    parser.add_argument("--check", action="store_true", help="compare with --out, write nothing")
    parser.add_argument("--no-card", action="store_true", help="skip MODEL_CARD.md (and its eval)")
    parser.add_argument(
        "--date", type=date.fromisoformat, default=None, help="training date (default today)"
    )
    args = parser.parse_args(argv)
    sets = load_or_exit(args.data_dir)
    if sets is None:
        return 2
    embedder = cached_minilm(cache_dir_of(args))
    head = train(sets, embedder, trained_on=args.date or date.today(), n_jobs=args.jobs)
    chosen = head.training["selection"]["chosen"]["label"]
    print(f"chosen: {chosen}; test: {head.training['test']}")
    if args.check:
        problems = differences(head, load_head(args.out))
        for line in problems:
            print(f"differs: {line}", file=sys.stderr)
        print("reproduces the shipped head" if not problems else "does NOT reproduce")
        return 1 if problems else 0
    write_head(head, args.out)
    print(f"wrote {args.out}")
    if not args.no_card:
        report = run(sets, head, embedder, n_jobs=args.jobs)
        card = write_card(head, report, args.out.with_name("MODEL_CARD.md"))
        print(f"wrote {card}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
