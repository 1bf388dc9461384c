"""Loading, cleaning, de-duplicating, labelling and splitting the labelled sentiment sets."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest

from evals.sentiment.data import (
    SET_NAMES,
    build_set,
    fingerprint,
    gold_label,
    load_sets,
    split_of,
)
from quant.sentiment import load_head


def test_gold_scores_map_with_a_strict_neutral_band() -> None:
    assert [gold_label(s) for s in (0.11, 0.1, 0.0, -0.1, -0.11)] == [
        "positive", "neutral", "neutral", "neutral", "negative",
    ]  # fmt: skip
    assert gold_label(0.2, band=0.25) == "neutral"


def test_split_is_a_pure_function_of_the_cleaned_case_folded_text() -> None:
    assert split_of("Acme beats estimates") == split_of("  ACME beats   estimates https://t.co/x")
    texts = [f"headline number {i}" for i in range(4000)]
    counts = Counter(split_of(t) for t in texts)
    assert counts["train"] / 4000 == pytest.approx(0.70, abs=0.03)
    assert counts["validation"] / 4000 == pytest.approx(0.15, abs=0.03)
    assert counts["test"] / 4000 == pytest.approx(0.15, abs=0.03)


def test_duplicates_merge_and_disagreeing_labels_are_dropped() -> None:
    rows = [
        ("Acme  beats https://t.co/1", "headline", 0.4),
        ("acme beats", "post", 0.0),  # the same text: mean 0.2 -> positive
        ("Globex slumps", "headline", -0.5),
        ("https://t.co/only-a-link", "headline", 0.9),  # no words left: skipped
    ]
    data = build_set("s", rows, mapping="m", band=0.1)
    assert [(e.text, e.label, e.kind, e.gold) for e in data.examples] == [
        ("Acme beats", "positive", "headline", pytest.approx(0.2)),
        ("Globex slumps", "negative", "headline", -0.5),
    ]
    tweets = build_set(
        "t",
        [("up", "tweet", "positive"), ("UP", "tweet", "positive"), ("x", "tweet", "positive"),
         ("X", "tweet", "negative")],
        mapping="m",
        band=0.1,
    )  # fmt: skip
    assert [(e.text, e.label) for e in tweets.examples] == [("up", "positive")]
    assert tweets.dropped == 1


def test_loaders_read_the_three_formats_independently_of_row_order(invented_data: Path) -> None:
    sets = load_sets(invented_data)
    assert [s.name for s in sets] == list(SET_NAMES)
    fiqa, semeval, tweets = sets
    assert {e.kind for e in fiqa.examples} == {"headline", "post"}
    assert len(fiqa.examples) == len(semeval.examples) == 24 and len(tweets.examples) == 48
    assert all("http" not in e.text for e in tweets.examples)
    assert Counter(e.label for e in semeval.examples) == {
        "positive": 8,
        "negative": 8,
        "neutral": 8,
    }
    assert sum(sum(c.values()) for k, c in fiqa.counts().items() if k != "all") == 24
    shuffled = list(semeval.examples)
    random.Random(3).shuffle(shuffled)
    again = build_set(
        "semeval2017",
        [(e.text, e.kind, e.gold or 0.0) for e in shuffled],
        mapping=semeval.mapping,
        band=0.1,
    )
    assert {(e.text, e.split) for e in again.examples} == {
        (e.text, e.split) for e in semeval.examples
    }
    assert fingerprint(sets) == fingerprint(load_sets(invented_data))
    assert fingerprint(sets) != fingerprint(load_sets(invented_data, band=0.7))


def test_missing_files_are_named(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError) as err:
        load_sets(tmp_path)
    assert "sentiment_fiqa2018_task1" in str(err.value.filename)


@pytest.mark.shared_data
def test_the_shared_data_still_give_the_shipped_heads_data(shared_sentiment_data: Path) -> None:
    sets = load_sets(shared_sentiment_data)
    training = load_head().training
    assert {s.name: s.counts() for s in sets} == {
        name: info["counts"] for name, info in training["data"].items()
    }
    assert fingerprint(sets) == training["fingerprint"]
