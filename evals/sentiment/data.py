"""The labelled financial sentiment sets, mapped to negative/neutral/positive and split.

Read from ``../shared/data`` (never copied into the repository):

- ``fiqa2018``: FiQA-2018 task 1, headlines and microblog posts (train and test files together,
  1,111 texts). A text's gold score is the mean of its targets' scores (in [-1, 1]).
- ``semeval2017``: SemEval-2017 task 5 headlines, the scored training file (1,142 rows). Rows
  that share a title (one headline scored for several companies) are one text, with the mean.
- ``tweets``: Twitter financial news, validation split (2,388): 0 bearish -> negative,
  1 bullish -> positive, 2 neutral.

Every text is cleaned as the scorer cleans it (``quant.sentiment.clean_text``: URLs removed,
white space collapsed) and de-duplicated within its set on the case-folded cleaned text:
continuous scores are averaged, discrete labels must agree (texts whose copies disagree are
dropped and counted). Continuous gold scores map to classes with a neutral band fixed before any
training: > +0.1 positive, < -0.1 negative, otherwise neutral (``GOLD_BAND``, the convention of
``benchmarks/sentiment_accuracy.py``; no threshold is tuned on any split).

Splits are deterministic and independent of file order: a text goes to train / validation /
test (70 / 15 / 15) by the SHA-256 of ``SPLIT_SALT`` and its case-folded cleaned text, so the
same text lands in the same split in every set and every run.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from quant.sentiment import Label, clean_text

Split = Literal["train", "validation", "test"]
SPLITS: tuple[Split, ...] = ("train", "validation", "test")
SET_NAMES: tuple[str, ...] = ("fiqa2018", "semeval2017", "tweets")
GOLD_BAND = 0.1
SPLIT_SALT = "signaldesk-sentiment-v1"
SPLIT_FRACTIONS = (0.70, 0.15)  # train, validation; the rest is test
DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "data"
_TWEET_LABELS: dict[str, Label] = {"0": "negative", "1": "positive", "2": "neutral"}


@dataclass(frozen=True, slots=True)
class Example:
    """One de-duplicated text: ``text`` is cleaned (what is embedded)."""

    text: str
    label: Label
    split: Split
    kind: str  # headline, post, tweet
    gold: float | None = None  # the mean continuous score, where the set has one


@dataclass(frozen=True)
class LabelledSet:
    name: str
    examples: tuple[Example, ...]
    mapping: str
    dropped: int = 0  # texts whose duplicates disagree on the label, or with no words left

    def split(self, *names: Split) -> list[Example]:
        return [e for e in self.examples if e.split in names]

    def counts(self) -> dict[str, dict[str, int]]:
        """Class counts per split (and ``all``), in negative/neutral/positive order."""
        out: dict[str, dict[str, int]] = {}
        for name in (*SPLITS, "all"):
            labels = Counter(e.label for e in self.examples if name in ("all", e.split))
            out[name] = {c: labels.get(c, 0) for c in ("negative", "neutral", "positive")}
        return out


def gold_label(score: float, *, band: float = GOLD_BAND) -> Label:
    """> +band positive, < -band negative, else neutral."""
    return "positive" if score > band else "negative" if score < -band else "neutral"


def split_of(text: str) -> Split:
    """train / validation / test by the hash of the case-folded cleaned text (70/15/15)."""
    digest = hashlib.sha256(f"{SPLIT_SALT}\x00{_key(text)}".encode()).digest()
    u = int.from_bytes(digest[:8], "big") / 2**64
    train, validation = SPLIT_FRACTIONS
    return "train" if u < train else "validation" if u < train + validation else "test"


def _key(text: str) -> str:
    return clean_text(text).casefold()


Row = tuple[str, str, float | Label]  # (text, kind, continuous score or label)


def build_set(name: str, rows: Iterable[Row], *, mapping: str, band: float) -> LabelledSet:
    """De-duplicate ``rows`` (first text and kind of each key kept), merge, map, split."""
    first: dict[str, tuple[str, str]] = {}
    values: dict[str, list[float | Label]] = {}
    for text, kind, value in rows:
        key = _key(text)
        if not key:
            continue
        first.setdefault(key, (clean_text(text), kind))
        values.setdefault(key, []).append(value)
    examples: list[Example] = []
    dropped = 0
    for key, (text, kind) in first.items():
        vals = values[key]
        if all(isinstance(v, float) for v in vals):
            gold = sum(float(v) for v in vals) / len(vals)
            examples.append(Example(text, gold_label(gold, band=band), split_of(text), kind, gold))
        elif len(set(vals)) == 1 and isinstance(vals[0], str):
            examples.append(Example(text, _as_label(vals[0]), split_of(text), kind))
        else:
            dropped += 1
    return LabelledSet(name, tuple(examples), mapping, dropped)


def _as_label(value: str) -> Label:
    for label in ("negative", "neutral", "positive"):
        if value == label:
            return label
    raise ValueError(f"not a label: {value!r}")


def load_fiqa(data_dir: Path, *, band: float = GOLD_BAND) -> LabelledSet:
    folder = data_dir / "sentiment_fiqa2018_task1"
    rows: list[Row] = []
    for kind in ("headline", "post"):
        for part in ("train", "test"):
            path = folder / f"task1_{kind}_ABSA_{part}.json"
            for row in json.loads(path.read_text("utf-8")).values():
                scores = [float(info["sentiment_score"]) for info in row["info"]]
                rows.append((row["sentence"], kind, sum(scores) / len(scores)))
    mapping = f"mean target score; > +{band} positive, < -{band} negative, else neutral"
    return build_set("fiqa2018", rows, mapping=mapping, band=band)


def load_semeval(data_dir: Path, *, band: float = GOLD_BAND) -> LabelledSet:
    path = data_dir / "sentiment_semeval2017_task5_headlines" / "Headline_Trainingdata.json"
    rows: list[Row] = [
        (row["title"], "headline", float(row["sentiment"]))
        for row in json.loads(path.read_text("utf-8"))
    ]
    mapping = f"mean score per title; > +{band} positive, < -{band} negative, else neutral"
    return build_set("semeval2017", rows, mapping=mapping, band=band)


def load_tweets(data_dir: Path, *, band: float = GOLD_BAND) -> LabelledSet:
    path = data_dir / "sentiment_twitter_financial_news_valid" / "sent_valid.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows: list[Row] = [
            (r["text"], "tweet", _TWEET_LABELS[r["label"].strip()]) for r in csv.DictReader(handle)
        ]
    mapping = "label 0 bearish -> negative, 1 bullish -> positive, 2 neutral"
    return build_set("tweets", rows, mapping=mapping, band=band)


LOADERS: dict[str, Callable[..., LabelledSet]] = {
    "fiqa2018": load_fiqa,
    "semeval2017": load_semeval,
    "tweets": load_tweets,
}


def load_sets(data_dir: Path = DEFAULT_DATA_DIR, *, band: float = GOLD_BAND) -> list[LabelledSet]:
    """The three sets, in ``SET_NAMES`` order; FileNotFoundError names a missing file."""
    return [LOADERS[name](data_dir, band=band) for name in SET_NAMES]


def fingerprint(sets: Iterable[LabelledSet]) -> str:
    """SHA-256 over every (set, split, label, text): equal iff the data and splits are."""
    digest = hashlib.sha256()
    for data in sets:
        for e in sorted(data.examples, key=lambda e: (e.split, e.text)):
            digest.update(f"{data.name}\x00{e.split}\x00{e.label}\x00{e.text}\x01".encode())
    return digest.hexdigest()
