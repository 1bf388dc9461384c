"""The MiniLM head scorer: cleaning and chunking, the scoring mechanics on a fake embedder, and
the shipped head on the real bundled model."""

from __future__ import annotations

import pytest

from quant.sentiment import (
    EmbeddingScorer,
    ModelUnavailableError,
    SentimentScorer,
    clean_text,
    load_embedding_scorer,
    load_minilm,
    text_chunks,
)
from tests.quant.sentiment._fakes import CountingEmbedder, word_head


def test_clean_text_drops_urls_and_extra_white_space() -> None:
    text = "$ALLY - Ally pulls outlook https://t.co/G9Zdi1boy5  see\n www.example.com/x now"
    assert clean_text(text) == "$ALLY - Ally pulls outlook see now"
    assert clean_text("  \n ") == ""


def test_short_texts_are_one_chunk_and_long_ones_pack_sentences() -> None:
    assert text_chunks("Shares  rose. Profit fell.", max_words=6) == ["Shares rose. Profit fell."]
    assert text_chunks(" https://t.co/x ", max_words=6) == []
    long = "One two three. Four five six seven. Eight.\nNine ten eleven twelve thirteen."
    assert text_chunks(long, max_words=8) == [
        "One two three. Four five six seven. Eight.",
        "Nine ten eleven twelve thirteen.",
    ]
    # a sentence longer than max_words is cut at word boundaries
    words = " ".join(f"w{i}" for i in range(10))
    assert text_chunks(f"Start here. {words}", max_words=4) == [
        "Start here.", "w0 w1 w2 w3", "w4 w5 w6 w7", "w8 w9",
    ]  # fmt: skip
    with pytest.raises(ValueError):
        text_chunks("x", max_words=0)


def test_scores_are_means_over_chunks_and_each_distinct_chunk_is_embedded_once() -> None:
    embedder = CountingEmbedder()
    scorer = EmbeddingScorer(word_head(max_words=3), embedder)
    assert isinstance(scorer, SentimentScorer)
    assert scorer.model == "minilm:words-v0"
    texts = ["good results", "bad bad news", "good results", "good one. bad one. good one.", ""]
    good, bad, again, mixed, empty = scorer.score(texts)
    assert (good.label, bad.label) == ("positive", "negative")
    assert again == good
    assert good.score == pytest.approx(good.positive - good.negative)
    assert sum(good.probabilities.values()) == pytest.approx(1.0)
    assert mixed.details == {"chunks": 3}
    [one_good] = scorer.score(["good one."])
    [one_bad] = scorer.score(["bad one."])
    for label in ("positive", "negative", "neutral"):
        want = (2 * one_good.probabilities[label] + one_bad.probabilities[label]) / 3
        assert mixed.probabilities[label] == pytest.approx(want)
    assert (empty.label, empty.score, empty.neutral, empty.details) == (
        "neutral", 0.0, 1.0, {"chunks": 0},
    )  # fmt: skip
    first_call = embedder.batches[0]
    assert sorted(first_call) == sorted({"good results", "bad bad news", "good one.", "bad one."})
    assert {r.model for r in (good, bad, mixed, empty)} == {"minilm:words-v0"}


def test_batches_give_the_same_scores_as_one_by_one() -> None:
    texts = ["good", "bad", "good good bad", "nothing here", "bad. good. bad."]
    batched = EmbeddingScorer(word_head(), CountingEmbedder(), batch_size=2).score(texts)
    single = EmbeddingScorer(word_head(), CountingEmbedder(), batch_size=1)
    assert batched == [single.score([t])[0] for t in texts]


def test_an_embedder_of_another_model_is_refused() -> None:
    with pytest.raises(ModelUnavailableError, match="trained on fake-embedder"):
        EmbeddingScorer(word_head(), CountingEmbedder(name="other-model"))


# --- the shipped head on the bundled all-MiniLM-L6-v2 ------------------------------------


@pytest.fixture(scope="module")
def minilm() -> EmbeddingScorer:
    pytest.importorskip("sentence_transformers")
    try:
        return load_embedding_scorer()
    except ModelUnavailableError as err:
        pytest.skip(f"the bundled MiniLM cannot load here: {err}")


def test_shipped_head_reads_obvious_sentences(minilm: EmbeddingScorer) -> None:
    pos, neg, neutral = minilm.score(
        [
            "Revenue beat estimates and margins expanded",
            "The company issued a profit warning and cut its dividend",
            "The company will hold its annual shareholder meeting on Tuesday in Cupertino.",
        ]
    )
    assert (pos.label, neg.label) == ("positive", "negative")
    assert pos.score > 0.4 and neg.score < -0.4
    assert neutral.label == "neutral" and abs(neutral.score) < 0.3
    assert pos.model == neg.model == minilm.model == "minilm:fin-sentiment-v1"


def test_shipped_head_is_deterministic_and_loaded_once(minilm: EmbeddingScorer) -> None:
    texts = [
        "Shares slumped after the regulator opened an investigation",
        "Quarterly dividend raised 10%",
        "Apple to report results on Thursday",
    ]
    first = minilm.score(texts)
    assert minilm.score(texts) == first
    again = load_embedding_scorer()
    assert again.embedder is minilm.embedder is load_minilm()  # one load per process
    assert again.score(texts) == first
    singles = [minilm.score([t])[0] for t in texts]
    for a, b in zip(first, singles, strict=True):  # padding in a batch moves only the last bits
        assert a.probabilities == pytest.approx(b.probabilities, abs=1e-5)
        assert a.label == b.label
