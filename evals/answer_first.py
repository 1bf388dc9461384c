"""The answer's first sentence, and the word checks the "answers the question" metric makes on it.

Answer-first (issue 14): the first sentence of an answer answers the question in its own terms:
the asked number, the yes/no, the which, bull/bear, or the decline. "First sentence" is the
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

_ABBREVIATIONS = frozenset(
    {"inc", "corp", "co", "ltd", "plc", "llc", "vs", "approx", "est", "fig", "mr", "mrs", "ms"}
    | {"dr", "st", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov"}
    | {"dec", "e.g", "i.e", "cf"}
)
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_BULLET = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+")
_QUOTE = re.compile(r"^\s*>\s?")
_RULE = re.compile(r"^\s*(?:[-*_]\s*){3,}$|^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(?<![\w*_])[*_]{1,3}(?=\S)|(?<=\S)[*_]{1,3}(?![\w*_])")
_END = re.compile(r"[.!?]+[\"')\]]*(?=\s+(?!\s)|$)")
_CITATION_NEXT = re.compile(r"\s*(?:\[E-[^\]]*\]\s*)+")
_DECLINE = re.compile(
    r"\b(?:can(?:no|')?t|can not|won't|will not|unable|not able|declin\w*|refus\w*|don't|"
    r"do not|does not|doesn't|isn't|is not|not covered|no data|not available|outside|"
    r"no|not|only|beyond|after the as-of)\b",
    re.IGNORECASE,
)


def _plain(line: str) -> str:
    """One line without its Markdown markup."""
    line = _QUOTE.sub("", line)
    line = _HEADING.sub("", line)
    line = _BULLET.sub("", line)
    line = _LINK.sub(r"\1", line)
    line = line.replace("`", "").replace("|", " ")
    line = _EMPHASIS.sub("", line)
    line = re.sub(r"\s+#+\s*$", "", line)  # closing hashes of a heading
    return " ".join(line.split())


def _first_block(markdown: str) -> tuple[str, bool]:
    """The first block of text (a heading, a bullet or a table row alone; plain lines joined into
    their paragraph) and whether it is a sentence by itself (a heading is)."""
    lines: list[str] = []
    for raw in markdown.splitlines():
        if not raw.strip() or _RULE.match(raw):
            if lines:
                break
            continue
        if _HEADING.match(raw) or _BULLET.match(raw) or raw.lstrip().startswith("|"):
            if lines:
                break
            return _plain(raw), bool(_HEADING.match(raw))
        lines.append(_plain(raw))
    return " ".join(lines), False


def _ends_sentence(text: str, stop: re.Match[str]) -> bool:
    if text[stop.start()] != ".":
        return True
    word = re.search(r"(\S+)$", text[: stop.start()])
    token = word.group(1).lower().lstrip("([\"'") if word else ""
    if token in _ABBREVIATIONS or re.fullmatch(r"(?:[a-z]\.)*[a-z]", token):
        return False  # "Inc.", "vs.", "U.S.", an initial
    rest = text[stop.end() :].lstrip()
    return not rest or not rest[0].islower()


def first_sentence(markdown: str) -> str:
    """The first sentence of ``markdown`` with its markup stripped ("" for an empty answer).

    >>> first_sentence("### MSFT: BUY (as of 2012-06-29)\\n\\nThe score is 0.61.")
    'MSFT: BUY (as of 2012-06-29)'
    >>> first_sentence("**IBM** is riskier: VaR 3.84% vs. 2.1% for U.S. peers. More below.")
    'IBM is riskier: VaR 3.84% vs. 2.1% for U.S. peers.'
    """
    block, alone = _first_block(markdown)
    if alone:
        return block
    for stop in _END.finditer(block):
        if _ends_sentence(block, stop):
            cited = _CITATION_NEXT.match(block, stop.end())
            end = cited.end() if cited else stop.end()
            return block[:end].strip()
    return block.strip()


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
