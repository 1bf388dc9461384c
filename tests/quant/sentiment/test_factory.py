"""Which scorer ``load_scorer`` returns: FinBERT when it loads (see test_finbert.py), else the
MiniLM head, else the lexicon; each fallback says why. The embedder is a fake named like the
bundled model, so nothing heavy loads here."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

import quant.sentiment.factory as factory
from quant.sentiment import (
    LEXICON_MODEL,
    MINILM_NAME,
    EmbeddingScorer,
    FinBertScorer,
    LexiconScorer,
    ModelUnavailableError,
    load_scorer,
    write_head,
)
from tests.quant.sentiment._fakes import CountingEmbedder, word_head


@pytest.fixture
def tiny_lexicon(tmp_path: Path) -> Path:
    path = tmp_path / "LM.csv"
    path.write_text("Word,Negative,Positive\nGOOD,0,2009\nLOSS,2009,0\n", encoding="utf-8")
    return path


@pytest.fixture
def fake_minilm() -> CountingEmbedder:
    return CountingEmbedder(name=MINILM_NAME)  # 4 dims: usable only with a head written here


@pytest.fixture
def no_finbert(monkeypatch: pytest.MonkeyPatch) -> None:
    """FinBERT's weights are not on this machine, whatever its Hugging Face cache holds."""

    def missing(model: str, **_: object) -> FinBertScorer:
        raise ModelUnavailableError(f"FinBERT weights for {model!r} are not available", model=model)

    monkeypatch.setattr(FinBertScorer, "from_pretrained", missing)


@pytest.fixture
def words_head(tmp_path: Path) -> Path:
    return write_head(word_head(embedding_model=MINILM_NAME), tmp_path / "words.json")


@pytest.mark.usefixtures("no_finbert")
def test_without_finbert_the_default_is_the_minilm_head(
    words_head: Path, fake_minilm: CountingEmbedder, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="quant.sentiment.factory"):
        scorer = load_scorer(head_path=words_head, embedder=fake_minilm)
    assert isinstance(scorer, EmbeddingScorer)
    assert scorer.model == "minilm:words-v0"
    assert scorer.fallback_reason is not None and "FinBERT unavailable" in scorer.fallback_reason
    # the usual offline case is not a warning
    assert [r.levelno for r in caplog.records] == [logging.INFO]
    assert scorer.score(["good news"])[0].label == "positive"


@pytest.mark.usefixtures("no_finbert")
def test_a_configured_finbert_that_is_missing_warns_and_falls_back(
    words_head: Path, fake_minilm: CountingEmbedder, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="quant.sentiment.factory"):
        scorer = load_scorer(model="/models/finbert", head_path=words_head, embedder=fake_minilm)
    assert isinstance(scorer, EmbeddingScorer)
    assert "/models/finbert" in caplog.text
    with pytest.raises(ModelUnavailableError):
        load_scorer(model="/models/finbert", allow_fallback=False, embedder=fake_minilm)


@pytest.mark.usefixtures("no_finbert")
def test_the_lexicon_stands_in_when_the_embedding_model_cannot_load(
    monkeypatch: pytest.MonkeyPatch, tiny_lexicon: Path, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(**_: object) -> None:
        raise ModelUnavailableError("sentence-transformers is not installed", model=MINILM_NAME)

    monkeypatch.setattr(factory, "load_minilm", broken)
    with caplog.at_level(logging.WARNING, logger="quant.sentiment.factory"):
        scorer = load_scorer(lexicon_path=tiny_lexicon)
    assert isinstance(scorer, LexiconScorer)
    assert scorer.model == LEXICON_MODEL
    reason = scorer.fallback_reason or ""
    assert "FinBERT unavailable" in reason and "sentence-transformers is not installed" in reason
    assert "sentence-transformers is not installed" in caplog.text
    [result] = scorer.score(["good"])
    assert (result.model, result.score) == (LEXICON_MODEL, 1.0)
    with pytest.raises(ModelUnavailableError, match="sentence-transformers"):
        load_scorer(model="minilm", allow_fallback=False, lexicon_path=tiny_lexicon)


def test_minilm_by_name_or_file_skips_finbert(
    monkeypatch: pytest.MonkeyPatch,
    words_head: Path,
    fake_minilm: CountingEmbedder,
    tiny_lexicon: Path,
) -> None:
    def never(*_: object, **__: object) -> None:
        raise AssertionError("FinBERT must not be tried")

    monkeypatch.setattr(FinBertScorer, "from_pretrained", never)
    for model in ("minilm", "minilm:words-v0"):
        scorer = load_scorer(model=model, head_path=words_head, embedder=fake_minilm)
        assert isinstance(scorer, EmbeddingScorer) and scorer.fallback_reason is None
    by_file = load_scorer(model=str(words_head), embedder=fake_minilm)
    assert by_file.model == "minilm:words-v0"
    wrong = load_scorer(
        model="minilm:other-v9",
        head_path=words_head,
        embedder=fake_minilm,
        lexicon_path=tiny_lexicon,
    )
    assert isinstance(wrong, LexiconScorer) and "other-v9" in (wrong.fallback_reason or "")
    missing = load_scorer(
        model="minilm", head_path=words_head.parent / "gone.json", lexicon_path=tiny_lexicon
    )
    assert isinstance(missing, LexiconScorer)
    explicit = load_scorer(model="lexicon", lexicon_path=tiny_lexicon)
    assert isinstance(explicit, LexiconScorer) and explicit.fallback_reason is None
