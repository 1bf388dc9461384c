"""An answer's first sentence: the sentence the answer-first rule (issue 14) holds to the
question, for the agent's verifier (``agent.answer_first``) and the "answers the question" eval
metric alike.

"First sentence" is the first sentence of the answer's Markdown once the markup is stripped
(headings ``#``, emphasis ``**``/``_``, code ticks, table pipes, bullets, quote marks, link
targets; evidence citations ``[E-...]`` stay, and a citation right after the full stop belongs
to the sentence); a heading line is a sentence by itself; a bullet or a table row is a block of
its own. Inside a paragraph a sentence ends at ``.``, ``!`` or ``?`` followed by a space and a
word that does not start in lower case, except after an abbreviation (``Inc.``, ``vs.``,
``U.S.``, ...); a decimal point (``3.84%``) is never followed by a space, so it never ends one.
"""

from __future__ import annotations

import re

__all__ = ["first_sentence"]

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
