"""Subsections inside a filing's item: "Competition" inside Item 1, "Gross Margin" inside Item 7.

Parsing splits a 10-K at its items; the headings inside an item are plain lines. A line is a
subheading when it follows a blank line (or starts the range) and is followed by a blank line or
a line starting with a capital letter or a quote (a line wrapped mid-sentence, "No single" over
"customer accounted for ...", is not), holds 1 to 10 words and at most 80 characters, starts
with a capital letter, does not end like a sentence or a clause (. , ; :) or in a word such as
"and" or "of", and is not a number, a table line or "Table of Contents". A subsection runs from
its heading to the next subheading (or the end of the range).

``find_subsection`` matches the asked name case-insensitively, filler words ("the", "section")
aside: the heading equal to it first,
else the first heading containing all its words, else the first heading sharing its first word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Subsection", "find_subsection", "subheadings"]

_WORD = re.compile(r"[a-z0-9]+")
_FILLER = frozenset(("the", "a", "an", "its", "on", "about", "section", "subsection", "heading"))
_DANGLING = frozenset(("and", "or", "of", "the", "a", "an", "to", "in", "for", "with", "by"))
_NOT_HEADING = re.compile(r"^(?:table of contents|page \d+|\d+|part [ivx]+)$", re.IGNORECASE)


@dataclass(frozen=True)
class Subsection:
    """A heading as written and the character span it heads (heading line included)."""

    title: str
    start: int
    end: int


def _is_heading(line: str) -> bool:
    text = line.strip()
    if not 2 <= len(text) <= 80 or not text[0].isupper() or text[-1] in ".,;:":
        return False
    if re.search(r"\S {3,}\S|\|", text) or _NOT_HEADING.match(text):
        return False
    words = text.split()
    return 1 <= len(words) <= 10 and words[-1].lower() not in _DANGLING


def _lines(text: str, start: int, stop: int) -> list[tuple[int, int]]:
    """(start, end) of each line of ``text[start:stop]``."""
    spans, pos = [], start
    for line in text[start:stop].split("\n"):
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def subheadings(text: str, *, start: int = 0, end: int | None = None) -> list[Subsection]:
    """The subsections of ``text[start:end]`` in order, offsets into ``text``."""
    stop = len(text) if end is None else end
    lines = _lines(text, start, stop)
    heads: list[tuple[int, str]] = []
    for i, (s, e) in enumerate(lines):
        before_blank = i == 0 or not text[lines[i - 1][0] : lines[i - 1][1]].strip()
        after = text[lines[i + 1][0] : lines[i + 1][1]].strip() if i + 1 < len(lines) else "x"
        opens = not after or after[0].isupper() or after[0] in "\"'\u201c("
        if before_blank and opens and _is_heading(text[s:e]):
            heads.append((s + len(text[s:e]) - len(text[s:e].lstrip()), text[s:e].strip()))
    return [
        Subsection(title=title, start=s, end=heads[k + 1][0] if k + 1 < len(heads) else stop)
        for k, (s, title) in enumerate(heads)
    ]


def find_subsection(
    text: str, name: str, *, start: int = 0, end: int | None = None
) -> Subsection | None:
    """The subsection of ``text[start:end]`` headed ``name`` (see the module docstring)."""
    wanted = [w for w in _WORD.findall(name.lower()) if w not in _FILLER] or _WORD.findall(
        name.lower()
    )
    if not wanted:
        return None
    heads = subheadings(text, start=start, end=end)
    for test in (
        lambda words: words == wanted,
        lambda words: set(wanted) <= set(words),
        lambda words: bool(words) and words[0] == wanted[0],
    ):
        for head in heads:
            if test(_WORD.findall(head.title.lower())):
                return head
    return None
