"""The answer's first sentence, and the word checks the "answers the question" metric makes on it.

Answer-first (issue 14): the first sentence of an answer answers the question in its own terms:
the asked number, the yes/no, the which, bull/bear, or the decline. "First sentence" is
``agent.answer_first.first_sentence`` (the same rule the agent's verifier holds drafts to): the
first sentence of the answer's Markdown once the markup is stripped (headings ``#``, emphasis
``**``/``_``, code ticks, table pipes, bullets, quote marks, link targets; evidence citations
``[E-...]`` stay); a heading line is a sentence by itself; a bullet or a table row is a block
of its own (its first sentence is the first sentence).
Inside a paragraph a sentence ends at ``.``, ``!`` or ``?`` followed by a space and a word that
does not start in lower case, except after an abbreviation (``Inc.``, ``vs.``, ``U.S.``, ...);
a decimal point (``3.84%``) is never followed by a space, so it never ends one.
"""

from __future__ import annotations

import re

from agent.answer_first import first_sentence

__all__ = ["NAMES", "first_sentence", "first_named", "is_decline", "says"]

# The names the bundled tickers go by in prose (the first sentence may say either).
NAMES: dict[str, tuple[str, ...]] = {
    "AAPL": ("AAPL", "Apple"),
    "MSFT": ("MSFT", "Microsoft"),
    "IBM": ("IBM", "International Business Machines"),
    "GOOG": ("GOOG", "GOOGL", "Google", "Alphabet"),
    "FB": ("FB", "Facebook"),
    "^GSPC": ("^GSPC", "GSPC", "S&P 500", "S&P"),
}

_DECLINE = re.compile(
    r"\b(?:can(?:no|')?t|can not|won't|will not|unable|not able|declin\w*|refus\w*|don't|"
    r"do not|does not|doesn't|isn't|is not|not covered|no data|not available|outside|"
    r"no|not|only|beyond|after the as-of)\b",
    re.IGNORECASE,
)


def _phrase(text: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in re.split(r"[\s_]+", text.strip()) if w]
    return re.compile(r"(?<![A-Za-z0-9])" + r"[\s_-]+".join(words) + r"(?![A-Za-z0-9])", re.I)


def says(sentence: str, phrase: str) -> bool:
    """``phrase`` appears in ``sentence`` as a whole word or phrase, case-insensitive (spaces,
    underscores and hyphens between its words are one: "STRONG_BUY" says "strong buy")."""
    return bool(phrase.strip()) and _phrase(phrase).search(sentence) is not None


def first_named(sentence: str, tickers: list[str]) -> str | None:
    """Which of ``tickers`` the sentence names first (by symbol or name), None when none."""
    seen: list[tuple[int, str]] = []
    for ticker in tickers:
        for name in NAMES.get(ticker, (ticker,)):
            match = _phrase(name).search(sentence) if name[0].isalnum() else None
            if name[0] == "^" and name in sentence:
                seen.append((sentence.index(name), ticker))
            elif match is not None:
                seen.append((match.start(), ticker))
    return min(seen)[1] if seen else None


def is_decline(sentence: str, *, reason: str | None) -> bool:
    """The sentence declines: it says it cannot or will not (a negation or refusal cue), or it
    is the first sentence of the refusal reason the agent gave."""
    if not sentence:
        return False
    if _DECLINE.search(sentence):
        return True
    return bool(reason) and first_sentence(reason or "").lower() == sentence.lower()
