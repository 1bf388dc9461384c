"""Sentiment models against labelled financial headlines and tweets.

Run from the repository root::

    python -m benchmarks.sentiment_accuracy [results.json] [--data-dir ../shared/data] \
        [--gold-band 0.1]

Sets (read from ``../shared/data``; a missing set is skipped with the reason):

- FiQA-2018 task 1 headlines (train + test, 436): a headline's gold score is the mean of its
  targets' scores (12 headlines have targets of different signs).
- SemEval-2017 task 5 headlines (training file, 1,142 rows): rows sharing a title (the same
  headline scored for several companies) are merged into one headline with the mean score (960).
- Twitter financial news, validation split (2,388): 0 bearish -> negative, 1 bullish -> positive,
  2 neutral.

Continuous gold scores map to classes with a neutral band: > +band positive, < -band negative,
otherwise neutral (band 0.1 by default). Each model gets accuracy, macro-F1 over the three
classes, the confusion matrix, and (continuous sets) the Spearman correlation of its score with
the gold score, beside the majority-class baseline of the set (the most frequent gold class of the
set itself: an optimistic baseline). FinBERT is evaluated only where its weights load from the
local cache; otherwise the output says so. The trained MiniLM head is not measured here: these
sets are its training data; ``python -m evals.sentiment.evaluate`` scores it on held-out splits.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy.stats import spearmanr
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score

from quant.sentiment import (
    DEFAULT_MODEL,
    LABELS,
    LexiconScorer,
    ModelUnavailableError,
    SentimentScorer,
    load_scorer,
)

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@dataclass(frozen=True)
class LabelledSet:
    name: str
    texts: list[str]
    labels: list[str]
    gold_scores: list[float] | None  # continuous gold, where the set has it
    mapping: str


def to_class(score: float, band: float) -> str:
    return "positive" if score > band else "negative" if score < -band else "neutral"


def load_fiqa(data_dir: Path, band: float) -> LabelledSet:
    folder = data_dir / "sentiment_fiqa2018_task1"
    texts, scores = [], []
    for split in ("train", "test"):
        rows = json.loads((folder / f"task1_headline_ABSA_{split}.json").read_text("utf-8"))
        for row in rows.values():
            texts.append(row["sentence"])
            targets = [float(info["sentiment_score"]) for info in row["info"]]
            scores.append(float(np.mean(targets)))
    return LabelledSet(
        "fiqa2018_headlines",
        texts,
        [to_class(s, band) for s in scores],
        scores,
        f"mean target score; > +{band} positive, < -{band} negative, else neutral",
    )


def load_semeval(data_dir: Path, band: float) -> LabelledSet:
    path = data_dir / "sentiment_semeval2017_task5_headlines" / "Headline_Trainingdata.json"
    by_title: dict[str, list[float]] = {}
    for row in json.loads(path.read_text("utf-8")):
        by_title.setdefault(row["title"], []).append(float(row["sentiment"]))
    texts = list(by_title)
    scores = [float(np.mean(by_title[t])) for t in texts]
    return LabelledSet(
        "semeval2017_headlines",
        texts,
        [to_class(s, band) for s in scores],
        scores,
        f"mean score per distinct title; > +{band} positive, < -{band} negative, else neutral",
    )


def load_tweets(data_dir: Path, band: float) -> LabelledSet:
    import csv

    path = data_dir / "sentiment_twitter_financial_news_valid" / "sent_valid.csv"
    names = {"0": "negative", "1": "positive", "2": "neutral"}
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return LabelledSet(
        "twitter_financial_news_valid",
        [r["text"] for r in rows],
        [names[r["label"].strip()] for r in rows],
        None,
        "label 0 bearish -> negative, 1 bullish -> positive, 2 neutral",
    )


LOADERS: dict[str, Callable[[Path, float], LabelledSet]] = {
    "fiqa2018_headlines": load_fiqa,
    "semeval2017_headlines": load_semeval,
    "twitter_financial_news_valid": load_tweets,
}


def metrics(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, Any]:
    labels = list(LABELS)
    return {
        "accuracy": float(accuracy_score(gold, predicted)),
        "macro_f1": float(
            f1_score(gold, predicted, labels=labels, average="macro", zero_division=0)
        ),
        "confusion": {
            "labels": labels,
            "rows_gold_cols_predicted": confusion_matrix(gold, predicted, labels=labels).tolist(),
        },
    }


def evaluate(scorer: SentimentScorer, data: LabelledSet) -> dict[str, Any]:
    results = scorer.score(data.texts)
    out = metrics(data.labels, [r.label for r in results])
    out["model"] = scorer.model
    out["predicted_counts"] = dict(Counter(r.label for r in results))
    if data.gold_scores is not None:
        rho = spearmanr([r.score for r in results], data.gold_scores).statistic
        out["spearman"] = float(rho)
    if isinstance(scorer, LexiconScorer):
        hits = [r.details["positive"] + r.details["negative"] > 0 for r in results]
        out["coverage"] = float(np.mean(hits))  # share of texts with any LM sentiment word
    return out


def baseline(data: LabelledSet) -> dict[str, Any]:
    majority = Counter(data.labels).most_common(1)[0][0]
    out = metrics(data.labels, [majority] * len(data.labels))
    out["model"] = f"majority:{majority}"
    return out


def run(data_dir: Path, *, band: float, finbert_model: str) -> dict[str, Any]:
    scorers: list[SentimentScorer] = [LexiconScorer()]
    notes: list[str] = []
    try:
        scorers.append(load_scorer(model=finbert_model, allow_fallback=False))
    except ModelUnavailableError as err:
        notes.append(f"FinBERT not evaluated (set --finbert-model to a local dir): {err}")
    report: dict[str, Any] = {"data_dir": str(data_dir), "gold_band": band, "notes": notes}
    report["sets"] = {}
    for name, loader in LOADERS.items():
        try:
            data = loader(data_dir, band)
        except FileNotFoundError as err:
            report["sets"][name] = {"skipped": f"not found: {err.filename}"}
            continue
        report["sets"][name] = {
            "n": len(data.labels),
            "gold_counts": dict(Counter(data.labels)),
            "mapping": data.mapping,
            "models": [baseline(data)] + [evaluate(s, data) for s in scorers],
        }
    return report


def table(report: dict[str, Any]) -> str:
    head = (
        f"{'set':<30} {'n':>5} {'neg/neu/pos':>13}  {'model':<28} "
        f"{'acc':>6} {'macroF1':>8} {'rho':>6} {'cover':>6}"
    )
    lines = [head, "-" * len(head)]
    for name, entry in report["sets"].items():
        if "skipped" in entry:
            lines.append(f"{name:<30} skipped: {entry['skipped']}")
            continue
        c = entry["gold_counts"]
        counts = f"{c.get('negative', 0)}/{c.get('neutral', 0)}/{c.get('positive', 0)}"
        for m in entry["models"]:
            rho = f"{m['spearman']:.3f}" if "spearman" in m else "-"
            cover = f"{m['coverage']:.3f}" if "coverage" in m else "-"
            lines.append(
                f"{name:<30} {entry['n']:>5} {counts:>13}  {m['model']:<28} "
                f"{m['accuracy']:>6.3f} {m['macro_f1']:>8.3f} {rho:>6} {cover:>6}"
            )
    lines.append("rho: Spearman of model score vs gold score; cover: texts with an LM word")
    lines.extend(report["notes"])
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.sentiment_accuracy", description=__doc__.split("\n")[0]
    )
    parser.add_argument("out", nargs="?", type=Path, help="write the JSON report here")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--gold-band", type=float, default=0.1, help="neutral band for gold scores")
    parser.add_argument("--finbert-model", default=DEFAULT_MODEL, help="model id or local dir")
    args = parser.parse_args(argv)
    if not args.data_dir.is_dir():
        print(f"error: no labelled data at {args.data_dir} (pass --data-dir)", file=sys.stderr)
        return 2
    try:
        report = run(args.data_dir, band=args.gold_band, finbert_model=args.finbert_model)
    except ModelUnavailableError as err:  # the lexicon itself is missing
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(table(report))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
