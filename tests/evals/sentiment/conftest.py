"""Invented labelled sets in the three file formats of ``../shared/data`` (no real text), and the
real shared data where this machine has it."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from evals.sentiment.data import DEFAULT_DATA_DIR

COMPANIES = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne", "Wonka"]
PHRASES: dict[str, dict[Any, str]] = {
    "fiqa": {
        0.6: "{} beats estimates and raises its outlook",
        -0.6: "{} misses forecasts and cuts guidance",
        0.0: "{} to publish its annual report next month",
    },
    "semeval": {
        0.5: "{} shares surge after record quarterly profit",
        -0.5: "{} shares plunge on profit warning",
        0.05: "{} names a new chief financial officer",
    },
    "tweets": {
        "1": "${} upgraded to buy, target raised https://t.co/abc{}",
        "0": "${} downgraded as sales slump https://t.co/def{}",
        "2": "${} schedules its earnings call https://t.co/ghi{}",
    },
}


def write_invented_data(root: Path) -> Path:
    fiqa = root / "sentiment_fiqa2018_task1"
    fiqa.mkdir(parents=True)
    rows = [(p.format(c), s) for c in COMPANIES for s, p in PHRASES["fiqa"].items()]
    for kind, part, chunk in (
        ("headline", "train", 0),
        ("headline", "test", 1),
        ("post", "train", 2),
        ("post", "test", 3),
    ):
        picked = rows[chunk::4]
        data = {
            str(i): {"sentence": text, "info": [{"sentiment_score": str(score), "target": "x"}]}
            for i, (text, score) in enumerate(picked)
        }
        (fiqa / f"task1_{kind}_ABSA_{part}.json").write_text(json.dumps(data), encoding="utf-8")
    semeval = root / "sentiment_semeval2017_task5_headlines"
    semeval.mkdir()
    items = [
        {"id": i, "company": c, "title": p.format(c), "sentiment": s}
        for i, (c, (s, p)) in enumerate(
            (c, sp) for c in COMPANIES for sp in PHRASES["semeval"].items()
        )
    ]
    (semeval / "Headline_Trainingdata.json").write_text(json.dumps(items), encoding="utf-8")
    tweets = root / "sentiment_twitter_financial_news_valid"
    tweets.mkdir()
    with (tweets / "sent_valid.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        for i, c in enumerate(COMPANIES * 2):
            for label, p in PHRASES["tweets"].items():
                writer.writerow(
                    [p.format(c.upper() + ("X" if i >= len(COMPANIES) else ""), i), label]
                )
    return root


@pytest.fixture
def invented_data(tmp_path: Path) -> Path:
    return write_invented_data(tmp_path / "data")


@pytest.fixture(scope="session")
def shared_sentiment_data() -> Path:
    """../shared/data with the three labelled sets; the test skips where it is absent."""
    needed = [
        "sentiment_fiqa2018_task1",
        "sentiment_semeval2017_task5_headlines",
        "sentiment_twitter_financial_news_valid",
    ]
    if not all((DEFAULT_DATA_DIR / n).is_dir() for n in needed):
        pytest.skip(
            f"labelled sentiment data not found under {DEFAULT_DATA_DIR} (absent in a fresh clone)"
        )
    return DEFAULT_DATA_DIR
