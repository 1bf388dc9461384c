"""Regex flags and number words shared by the question parser's modules."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TypeVar

_T = TypeVar("_T")

FLAGS = re.IGNORECASE | re.ASCII  # no Unicode case folding: "ſept" is not "sept"
WORD_NUMS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}
WORD_NUMS |= {"eight": 8, "nine": 9, "ten": 10, "twenty": 20}
NUM = r"(\d{1,3}|" + "|".join(WORD_NUMS) + ")"
YEAR = r"((?:19|20)\d{2})"
# "10-K" the form, not "10k euros" or "$10k": a form is never an amount of money
# (group "form": k or q)
FORM_K = (
    r"(?<![$€£\d.,])(?<!\bwould\s)(?<!\bhad\s)(?<!\bput\s)(?<!\binvest\s)(?<!\binvested\s)"
    r"(?<!\bputting\s)(?<!\bwith\s)(?<!\bgot\s)10-?(?P<form>[kq])\b"
    r"(?!\s*(?:euros?|dollars?|usd|eur|gbp|pounds?|bucks|cash|to\s+invest|to\s+put|invested))"
)


def unique(items: Iterable[_T]) -> tuple[_T, ...]:
    """The items in order, duplicates dropped."""
    return tuple(dict.fromkeys(items))


def near(word: str, term: str) -> bool:
    """``word`` is ``term`` with one typo: a letter dropped, added, changed, or two adjacent
    letters swapped (optimal string alignment distance 1)."""
    if word == term or abs(len(word) - len(term)) > 1:
        return False
    if len(word) == len(term):
        diff = [i for i, (a, b) in enumerate(zip(word, term, strict=True)) if a != b]
        if len(diff) == 1:
            return True
        i = diff[0]
        return (
            len(diff) == 2
            and diff[1] == i + 1
            and word[i] == term[i + 1]
            and word[i + 1] == term[i]
        )
    short, long_ = sorted((word, term), key=len)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


# the words the ask rules key on, spelled right: a one-typo word of five letters or more is
# read as the term ("overbougt", "drawdwon", "expeted", "shoud"); shorter words are left alone
_TERMS_TEXT = (
    "overbought oversold drawdown drawdowns volatility volatile expected shortfall sentiment "
    "headlines backtest strategy forecast probability position regime moving average bollinger "
    "revenue should outlook momentum riskier compare crossover confluence annual quarterly "
    "earnings transcript dividend highest lowest trading return returns price target exactly "
    "tomorrow capabilities analyses indicator uptrend downtrend stretched performance"
)
TERMS = frozenset(_TERMS_TEXT.split())
_WORD = re.compile(r"[A-Za-z]{5,}")
# short words are too close to other words for the one-typo rule ("nws" is one edit from "new"),
# so only these common misspellings of short product words are corrected, as whole words not
# in capitals
SHORT_TYPOS = {"newz": "news", "nws": "news", "nwes": "news", "neews": "news", "wich": "which"}
_SHORT = re.compile(r"\b(?:" + "|".join(SHORT_TYPOS) + r")\b", re.IGNORECASE)


def fix_typos(text: str) -> str:
    """``text`` with one-typo spellings of the rule vocabulary (TERMS) and the listed short
    misspellings (SHORT_TYPOS) corrected; every other word, and the text's length in words,
    unchanged."""

    def fix(m: re.Match[str]) -> str:
        word = m.group(0)
        low = word.lower()
        if low in TERMS:
            return word
        return next((t for t in sorted(TERMS) if near(low, t)), word)

    def fix_short(m: re.Match[str]) -> str:
        word = m.group(0)
        return word if word.isupper() else SHORT_TYPOS[word.lower()]  # "NWS" may be a ticker

    text = _SHORT.sub(fix_short, text)
    return _WORD.sub(fix, text)
