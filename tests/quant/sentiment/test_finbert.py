"""The FinBERT code path on a tiny BERT classifier built and saved here; nothing is downloaded."""

from __future__ import annotations

import logging
import math
from pathlib import Path

import pytest

from quant.sentiment import (
    LEXICON_MODEL,
    FinBertScorer,
    LexiconScorer,
    ModelLabelError,
    ModelUnavailableError,
    label_columns,
    load_scorer,
    split_sentences,
)

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

WORDS = ["profit", "rose", "fell", "the", "shares", "loss", "record", "quarter", "apple", "weak"]
VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", ".", ",", "##s", *WORDS]
# permuted and mixed-case on purpose: labels must be read from id2label, not assumed by index
ID2LABEL = {0: "Neutral", 1: "POSITIVE", 2: "negative"}
BIAS = (1.0, 2.0, 0.0)  # logits for neutral, positive, negative when the weights are zero


def build_tiny_bert(directory: Path, *, forced: bool, seed: int = 0) -> Path:
    torch.manual_seed(seed)
    vocab_file = directory.parent / f"{directory.name}-vocab.txt"
    vocab_file.write_text("\n".join(VOCAB) + "\n", encoding="utf-8")
    tokenizer = transformers.BertTokenizer(vocab=str(vocab_file))  # `vocab=` in transformers 5
    config = transformers.BertConfig(
        vocab_size=len(VOCAB),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=37,
        max_position_embeddings=64,
        num_labels=3,
        id2label=ID2LABEL,
        label2id={v: k for k, v in ID2LABEL.items()},
    )
    model = transformers.BertForSequenceClassification(config)
    if forced:
        with torch.no_grad():
            model.classifier.weight.zero_()
            model.classifier.bias.copy_(torch.tensor(BIAS))
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory


@pytest.fixture(scope="module")
def forced_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_bert(tmp_path_factory.mktemp("tiny") / "forced", forced=True)


@pytest.fixture(scope="module")
def random_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_bert(tmp_path_factory.mktemp("tiny") / "random", forced=False, seed=7)


@pytest.fixture
def tiny_lexicon(tmp_path: Path) -> Path:
    path = tmp_path / "LM.csv"
    path.write_text("Word,Negative,Positive\nGOOD,0,2009\nLOSS,2009,0\n", encoding="utf-8")
    return path


def expected_forced() -> dict[str, float]:
    z = sum(math.exp(b) for b in BIAS)
    neutral, positive, negative = (math.exp(b) / z for b in BIAS)
    return {"positive": positive, "negative": negative, "neutral": neutral}


def test_labels_are_mapped_from_id2label_case_insensitively() -> None:
    assert label_columns(ID2LABEL) == {"positive": 1, "negative": 2, "neutral": 0}
    assert label_columns({"0": "positive", "1": "negative", "2": "neutral"})["neutral"] == 2
    with pytest.raises(ModelLabelError, match="LABEL_0"):
        label_columns({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"})


def test_forced_bias_gives_known_probabilities(forced_dir: Path) -> None:
    scorer = FinBertScorer.from_pretrained(str(forced_dir))
    assert scorer.model == f"finbert:{forced_dir}"
    want = expected_forced()  # positive 0.665, neutral 0.245, negative 0.090
    [one, two] = scorer.score(["Apple profit rose.", "The shares fell. Weak quarter, record loss."])
    for result in (one, two):
        assert result.probabilities == pytest.approx(want, abs=1e-9)
        assert sum(result.probabilities.values()) == pytest.approx(1.0)
        assert result.score == pytest.approx(want["positive"] - want["negative"])
        assert result.label == "positive"
        assert result.model == scorer.model
    assert (one.details, two.details) == ({"sentences": 1}, {"sentences": 2})


def test_batching_and_sentence_means_match_one_by_one(random_dir: Path) -> None:
    texts = [
        "Apple profit rose.",
        "The shares fell sharply after a weak quarter and a record loss, analysts said.",
        "Loss.",
        "Apple record quarter. The shares fell.",
    ]
    batched = FinBertScorer.from_pretrained(str(random_dir), batch_size=3).score(texts)
    single = FinBertScorer.from_pretrained(str(random_dir), batch_size=1)
    singles = [single.score([t])[0] for t in texts]
    for a, b in zip(batched, singles, strict=True):
        assert a.probabilities == pytest.approx(b.probabilities, abs=1e-6)
        assert a.label == b.label
    # the random weights do tell texts apart, so the comparison above is not vacuous
    assert batched[0].score != pytest.approx(batched[1].score, abs=1e-6)
    # a text's probabilities are the mean over its sentences
    halves = single.score(["Apple record quarter.", "The shares fell."])
    for label in ("positive", "negative", "neutral"):
        mean = (halves[0].probabilities[label] + halves[1].probabilities[label]) / 2
        assert batched[3].probabilities[label] == pytest.approx(mean, abs=1e-6)


def test_long_sentences_are_truncated(random_dir: Path) -> None:
    scorer = FinBertScorer.from_pretrained(str(random_dir), max_length=16)
    [result] = scorer.score([" ".join(["profit"] * 500)])  # past the 64 positions of the model
    assert sum(result.probabilities.values()) == pytest.approx(1.0)


def test_empty_text_is_neutral_without_the_model(forced_dir: Path) -> None:
    [result] = FinBertScorer.from_pretrained(str(forced_dir)).score(["   "])
    assert (result.label, result.score, result.neutral) == ("neutral", 0.0, 1.0)
    assert result.details == {"sentences": 0}


def test_split_sentences() -> None:
    assert split_sentences("Profit rose 3.5%. Shares fell!  Why? ") == [
        "Profit rose 3.5%.",
        "Shares fell!",
        "Why?",
    ]
    assert split_sentences("Revenue grew\nMargins fell.\n\n  Thank you") == [
        "Revenue grew",
        "Margins fell.",
        "Thank you",
    ]
    assert split_sentences("  ") == []


def test_missing_weights_raise_a_named_error_that_says_what_to_set(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailableError, match="pass model= a directory") as err:
        FinBertScorer.from_pretrained(str(tmp_path / "missing"))
    assert err.value.model == str(tmp_path / "missing")
    with pytest.raises(ModelUnavailableError, match="hf download no-such-org/no-such-model"):
        FinBertScorer.from_pretrained("no-such-org/no-such-model")  # cache only: no network


def test_factory_returns_finbert_when_it_loads(forced_dir: Path) -> None:
    scorer = load_scorer(model=str(forced_dir))
    assert isinstance(scorer, FinBertScorer)
    assert scorer.score(["profit"])[0].model == f"finbert:{forced_dir}"


def test_factory_falls_back_from_a_missing_finbert_and_says_so(
    tmp_path: Path, tiny_lexicon: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The chain below FinBERT (MiniLM head, then lexicon) is tested in test_factory.py."""
    missing = str(tmp_path / "no-model-here")
    with caplog.at_level(logging.WARNING, logger="quant.sentiment.factory"):
        scorer = load_scorer(model=missing, lexicon_path=tiny_lexicon, head_path=tmp_path / "no")
    assert isinstance(scorer, LexiconScorer)  # no head file either: the lexicon
    assert scorer.model == LEXICON_MODEL
    assert scorer.fallback_reason is not None
    assert "FinBERT unavailable" in scorer.fallback_reason
    assert missing in scorer.fallback_reason
    assert missing in caplog.text
    [result] = scorer.score(["good"])
    assert (result.model, result.score) == (LEXICON_MODEL, 1.0)

    with pytest.raises(ModelUnavailableError):
        load_scorer(model=missing, allow_fallback=False, lexicon_path=tiny_lexicon)

    explicit = load_scorer(model="lexicon", lexicon_path=tiny_lexicon)
    assert isinstance(explicit, LexiconScorer)
    assert explicit.fallback_reason is None
