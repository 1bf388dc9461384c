"""``python -m evals.sentiment.train`` and ``python -m evals.sentiment.evaluate`` end to end on
invented sets with the real bundled MiniLM, and the shipped head against its own record on the
shared data."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from evals.sentiment import evaluate, train
from evals.sentiment.cache import CachedEmbedder
from evals.sentiment.data import load_sets
from evals.sentiment.fit import Candidate, scores
from quant.sentiment import (
    EmbeddingScorer,
    LexiconScorer,
    ModelUnavailableError,
    load_embedding_scorer,
    load_head,
)


@pytest.fixture(scope="module")
def minilm() -> EmbeddingScorer:
    pytest.importorskip("sentence_transformers")
    try:
        return load_embedding_scorer()
    except ModelUnavailableError as err:
        pytest.skip(f"the bundled MiniLM cannot load here: {err}")


@pytest.mark.usefixtures("minilm")
def test_train_writes_a_head_and_card_that_check_and_evaluate_reproduce(
    invented_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "model" / "head.json"
    out.parent.mkdir()
    common = ["--data-dir", str(invented_data), "--cache-dir", str(tmp_path / "cache")]
    common += ["--jobs", "1"]
    assert train.main([*common, "--out", str(out), "--date", "2024-01-02"]) == 0
    head = load_head(out)
    assert head.name == train.HEAD_NAME and head.training["date"] == "2024-01-02"
    card = (out.parent / "MODEL_CARD.md").read_text()
    assert "## Results" in card and "Cross-set" in card and "2024-01-02" in card
    assert set(head.training["test"]) == {"fiqa2018", "semeval2017", "tweets"}

    assert train.main([*common, "--out", str(out), "--check"]) == 0
    assert "reproduces the shipped head" in capsys.readouterr().out

    report_file = tmp_path / "report.json"
    code = evaluate.main([*common, "--head", str(out), "--json", str(report_file)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "| set | n | majority acc / macro-F1 | lexicon acc / macro-F1 |" in printed
    for row in ("| fiqa2018 |", "| fiqa2018/post |", "| semeval2017 |", "| tweets |"):
        assert row in printed
    report = json.loads(report_file.read_text())
    assert report["model"] == "minilm:fin-sentiment-v1"
    for name, recorded in head.training["test"].items():  # the same cached embeddings
        assert report["per_set"][name]["model"] == pytest.approx(recorded, abs=1e-12)
    cross = report["cross_set"]["tweets"]
    assert cross["trained_on"] == ["fiqa2018", "semeval2017"]
    assert cross["n"] == 48 and cross["excluded_shared"] == 0


def test_commands_say_where_the_data_are_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert evaluate.main(["--data-dir", str(tmp_path)]) == 2
    assert train.main(["--data-dir", str(tmp_path), "--check"]) == 2
    err = capsys.readouterr().err
    assert err.count("error: labelled data not found") == 2


@pytest.fixture(scope="module")
def shared_embeddings(
    minilm: EmbeddingScorer, tmp_path_factory: pytest.TempPathFactory
) -> CachedEmbedder:
    """MiniLM behind a cache that the shared-data tests below fill once (about 4,100 texts)."""
    return evaluate.cached_minilm(tmp_path_factory.mktemp("embeddings"))


@pytest.mark.shared_data
@pytest.mark.slow
def test_training_reproduces_the_shipped_head(
    shared_sentiment_data: Path, shared_embeddings: CachedEmbedder
) -> None:
    """The shipped recipe on every text, from a cold embedding cache, with the shipped head's
    chosen candidate (the choice among all candidates is ``python -m evals.sentiment.train
    --check``): the same data and splits, the same weights (to 1e-3 of the largest) and the
    same test metrics. About 30 s on two idle cores, most of it embedding."""
    shipped = load_head()
    chosen = Candidate(**{
        k: v for k, v in shipped.training["selection"]["chosen"].items() if k != "label"
    })  # fmt: skip
    sets = load_sets(shared_sentiment_data)
    head = train.train(sets, shared_embeddings, trained_on=date(2024, 1, 2), grid=[chosen])
    assert train.differences(head, shipped) == []


@pytest.mark.shared_data
def test_the_shipped_head_reproduces_its_recorded_test_metrics(
    shared_sentiment_data: Path, shared_embeddings: CachedEmbedder
) -> None:
    """Through the product's scorer (``EmbeddingScorer``); beats the lexicon on macro-F1."""
    recorded = load_head().training["test"]
    scorer = EmbeddingScorer(load_head(), shared_embeddings)
    lexicon = LexiconScorer()
    for data in load_sets(shared_sentiment_data):
        test = data.split("test")
        gold = [e.label for e in test]
        texts = [e.text for e in test]
        got = scores(gold, [r.label for r in scorer.score(texts)])
        want = recorded[data.name]
        assert got["accuracy"] == pytest.approx(want["accuracy"], abs=1 / len(test) + 1e-9)
        assert got["macro_f1"] == pytest.approx(want["macro_f1"], abs=0.01)
        assert got["macro_f1"] > scores(gold, [r.label for r in lexicon.score(texts)])["macro_f1"]
