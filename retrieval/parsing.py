"""10-K / 10-Q structure: item sections with offsets, fiscal period and period end.

**Sections.** Every line that looks like an item heading ("Item 1A. Risk Factors", "ITEM 7 -
MANAGEMENT'S ...", "PART II | Item 1. |", "Item 2." with the title on the next line) is a
candidate. A table of contents repeats the headings, so candidates are filtered and one
occurrence per item is chosen:

1. Candidates whose title ends in a page number and that head under 400 characters of text are
   table-of-contents lines and dropped (a body heading may end in a page number run into it from
   a page footer); so is every run of three or more consecutive candidates with (almost) no
   text between them (page numbers, "Table of Contents" and "PART II" lines aside): a contents
   list without numbers.
2. Each remaining candidate is weighted by the text it heads, up to the next candidate of a
   *different* item (so a page header repeating "ITEM 1. BUSINESS" does not cut the section):
   ``1 + log1p(characters)``.
3. The chosen headings are the chain of candidates in document order, items strictly in the
   form's canonical order, with the largest total weight (dynamic programming). A cross-reference
   that happens to start a line cannot break the chain without losing the real headings around it.

A section runs from its heading to the next chosen heading (the last to the end of the text);
the text before the first item is the section "Cover". 10-Q items are named "Part I, Item 2";
their part comes from a "PART II" line just above the heading (or on it), else from the title
("Legal Proceedings" is Part II, "Controls and Procedures" Part I), else the chain decides.

**Periods.** ``period_end`` is the date after "for the fiscal year ended" (10-K) or "for the
quarterly period ended" (10-Q) on the cover. A fiscal year is named by the calendar year in which
it ends, a period end in the first seven days of a month counting as the end of the month before
(52/53-week years): Apple's year ended 2010-09-25 is FY2010, a year ended 2010-01-02 is FY2009.
A 10-Q's fiscal quarter needs the fiscal-year-end month (EDGAR headers and the submissions API
give it); without it ``fiscal_period`` is None rather than a guess.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, timedelta

from retrieval.sources.common import MONTH_DAY_YEAR, parse_date
from retrieval.types import Section

TEN_K_ITEMS = (
    "1", "1A", "1B", "1C", "2", "3", "4", "5", "6", "7", "7A", "8",
    "9", "9A", "9B", "9C", "10", "11", "12", "13", "14", "15", "16",
)  # fmt: skip
TEN_Q_ITEMS = (
    ("I", "1"), ("I", "2"), ("I", "3"), ("I", "4"),
    ("II", "1"), ("II", "1A"), ("II", "2"), ("II", "3"), ("II", "4"), ("II", "5"), ("II", "6"),
)  # fmt: skip

_HEADING = re.compile(
    r"^[ \t|]*(?:PART[ \t]+(?P<part>IV|III|II|I)\b[ \t.,:\-\u2013\u2014|]*)?"
    r"I[ \t\n]?T[ \t\n]?E[ \t\n]?M[ \t\u00a0]*(?P<num>\d{1,2})(?P<letter>[A-C])?(?![\w,/])"
    r"[ \t]*(?P<sep>[.:\-\u2013\u2014|]?)[ \t]*(?P<title>[^\n]*)$",
    re.IGNORECASE | re.MULTILINE,
)
_PART = re.compile(r"^[ \t|]*PART[ \t]+(IV|III|II|I)\b", re.IGNORECASE | re.MULTILINE)
_PAGE_TAIL = re.compile(r"(?:[\s.]{2,}|\s*\|\s*)(?:\d{1,3}|[ivx]{1,5})$", re.IGNORECASE)
_NOISE_LINE = re.compile(
    r"^[ \t|]*(?:\d{1,3}|[ivx]{1,5}|page|index|table of contents|part[ \t]+(?:iv|iii|ii|i)\b[^\n]*)"
    r"[ \t|]*$",
    re.IGNORECASE | re.MULTILINE,
)
_FORM_ON_COVER = re.compile(r"FORM\s+10-?([KQ])\b", re.IGNORECASE)
_PART_REACH = 300  # characters between a "PART II" line and the item heading it governs
_PART_I_TITLES = ("financial statements", "management", "quantitative", "controls and")
_PART_II_TITLES = (
    "legal", "risk factors", "unregistered", "defaults", "mine safety", "submission of matters",
    "other information", "exhibits",
)  # fmt: skip
_TOC_SHORT = 12  # characters of text (page numbers and PART lines aside) a contents line carries
_TOC_RUN = 3
_TOC_BODY = 400  # characters a page-numbered heading must head to count as a body heading
_MAX_HEADING_LINE = 300


@dataclass(frozen=True)
class _Candidate:
    start: int
    heading_end: int
    part: str | None
    item: str
    title: str
    toc: bool


def is_quarterly(form: str | None, text: str = "") -> bool:
    """True for 10-Q forms, or, when the form is unknown, for a text whose cover says 10-Q."""
    if form:
        return form.upper().startswith("10-Q")
    match = _FORM_ON_COVER.search(text[:8000])
    return match is not None and match[1].upper() == "Q"


def parse_sections(text: str, *, form: str | None = None) -> tuple[Section, ...]:
    """Item sections of a 10-K/10-Q text, "Cover" first, in document order; () for other forms."""
    if form and not form.upper().startswith(("10-K", "10-Q")):
        return ()
    quarterly = is_quarterly(form, text)
    candidates = _filter_toc(text, _candidates(text))
    order = _order(quarterly)
    expanded = [(c, key) for c in candidates for key in _keys(c, quarterly) if key in order]
    chain = _best_chain(text, expanded, order)
    sections: list[Section] = []
    if chain and text[: chain[0][0].start].strip():
        sections.append(Section(name="Cover", title="", start=0, end=chain[0][0].start))
    for i, (cand, key) in enumerate(chain):
        end = chain[i + 1][0].start if i + 1 < len(chain) else len(text)
        sections.append(Section(name=_name(key), title=cand.title, start=cand.start, end=end))
    return tuple(sections)


def _candidates(text: str) -> list[_Candidate]:
    parts = [(m.start(), m[1].upper()) for m in _PART.finditer(text)]
    positions = [pos for pos, _ in parts]
    found: list[_Candidate] = []
    for m in _HEADING.finditer(text):
        if len(m[0]) > _MAX_HEADING_LINE or not 1 <= int(m["num"]) <= 16:
            continue
        title = m["title"].strip(" \t|")
        if not m["sep"] and (not title or not (title[0].isupper() or title[0] in "[(")):
            continue  # "Item 1" page headers, "Item 8 of this report ..."
        heading_end = m.end()
        rest = text[heading_end : heading_end + 400].lstrip("\n")
        next_line = rest.split("\n", 1)[0].strip()
        if not title and next_line and len(next_line) < 200 and not _HEADING.match(next_line):
            title = next_line.strip(" |")
            heading_end = text.index(next_line, heading_end) + len(next_line)
        toc = bool(_PAGE_TAIL.search(title))
        part = m["part"].upper() if m["part"] else _last_part(parts, positions, m.start())
        start = m.start() + len(m[0]) - len(m[0].lstrip(" \t|"))
        item = m["num"].lstrip("0") + (m["letter"] or "").upper()
        title = _PAGE_TAIL.sub("", title).strip(" .|") if toc else title
        found.append(_Candidate(start, heading_end, part, item, " ".join(title.split()), toc))
    return found


def _last_part(parts: list[tuple[int, str]], positions: list[int], offset: int) -> str | None:
    """The part of a "PART II" line right above ``offset`` (a table of contents' is not);
    ``positions`` are the parts' offsets, in order."""
    k = bisect_right(positions, offset) - 1
    if k < 0 or offset - parts[k][0] > _PART_REACH:
        return None
    return parts[k][1]


def _residual(text: str, start: int, end: int) -> int:
    """Characters of real text in text[start:end], page numbers and PART lines ignored."""
    if end - start > 4 * _TOC_SHORT + 400:
        return end - start
    body = _NOISE_LINE.sub("", text[start:end])
    return len(re.sub(r"[\s|.]+", "", body))


def _next_others(cands: list[_Candidate], end: int) -> list[int]:
    """For each candidate, the start of the next candidate of another item (else ``end``)."""
    found = [end] * len(cands)
    for i in range(len(cands) - 2, -1, -1):
        here, after = cands[i], cands[i + 1]
        same = (after.part, after.item) == (here.part, here.item)
        found[i] = found[i + 1] if same else after.start
    return found


def _filter_toc(text: str, cands: list[_Candidate]) -> list[_Candidate]:
    ends = _next_others(cands, len(text))
    short = [
        _residual(text, c.heading_end, stop) < _TOC_SHORT
        for c, stop in zip(cands, ends, strict=True)
    ]
    # A page-numbered line is a contents line unless it heads a real body of text: a body
    # heading can end in a page number too (a page footer run into it, as in a FY2005 10-K).
    drop = [
        c.toc and _residual(text, c.heading_end, stop) < _TOC_BODY
        for c, stop in zip(cands, ends, strict=True)
    ]
    tocish = [s or c.toc for s, c in zip(short, cands, strict=True)]
    i = 0
    while i < len(cands):
        j = i
        while j < len(cands) and tocish[j]:
            j += 1
        if j - i >= _TOC_RUN:
            drop[i:j] = [True] * (j - i)
        i = max(j, i + 1)
    return [c for c, d in zip(cands, drop, strict=True) if not d]


def _order(quarterly: bool) -> dict[object, int]:
    keys: tuple[object, ...] = TEN_Q_ITEMS if quarterly else TEN_K_ITEMS
    return {key: i for i, key in enumerate(keys)}


def _keys(cand: _Candidate, quarterly: bool) -> list[object]:
    if not quarterly:
        return [cand.item]
    if cand.part in ("I", "II"):
        return [(cand.part, cand.item)]
    title = cand.title.lower()
    if any(word in title for word in _PART_I_TITLES):
        return [("I", cand.item)]
    if any(word in title for word in _PART_II_TITLES):
        return [("II", cand.item)]
    return [("I", cand.item), ("II", cand.item)]  # unknown part: let the chain decide


def _best_chain(
    text: str, expanded: list[tuple[_Candidate, object]], order: dict[object, int]
) -> list[tuple[_Candidate, object]]:
    """The heaviest chain, in O(candidates x items): ``top[o]`` holds the best chain ending in
    an item of order ``o`` among candidates strictly before the current position (the earliest
    such candidate on ties, as a scan of every earlier candidate would choose)."""
    cands = [c for c, _ in expanded]
    weights = [
        1.0 + math.log1p(_residual(text, c.heading_end, stop))
        for c, stop in zip(cands, _next_others(cands, len(text)), strict=True)
    ]
    best = [0.0] * len(expanded)
    back = [-1] * len(expanded)
    top: list[tuple[float, int]] = [(-math.inf, -1)] * len(order)
    group: list[int] = []  # candidates at the current start, added to ``top`` once it is passed
    for i, (cand, key) in enumerate(expanded):
        if group and cands[group[0]].start < cand.start:
            _raise_tops(top, group, best, [order[expanded[g][1]] for g in group])
            group = []
        best[i] = weights[i]
        value, j = max(top[: order[key]], key=lambda t: (t[0], -t[1]), default=(-math.inf, -1))
        if j >= 0 and value + weights[i] > best[i]:
            best[i], back[i] = value + weights[i], j
        group.append(i)
    if not best:
        return []
    i = max(range(len(best)), key=best.__getitem__)
    chain = []
    while i >= 0:
        chain.append(expanded[i])
        i = back[i]
    return chain[::-1]


def _raise_tops(
    top: list[tuple[float, int]], group: list[int], best: list[float], orders: list[int]
) -> None:
    for i, o in zip(group, orders, strict=True):
        if best[i] > top[o][0]:
            top[o] = (best[i], i)


def _name(key: object) -> str:
    if isinstance(key, tuple):
        return f"Part {key[0]}, Item {key[1]}"
    return f"Item {key}"


# ---- periods ---------------------------------------------------------------------------------

_YEAR_ENDED = re.compile(
    r"for\s+the\s+(?:fiscal\s+)?year\s+ended\s*:?\s*" + MONTH_DAY_YEAR, re.IGNORECASE
)
_QUARTER_ENDED = re.compile(
    r"for\s+the\s+(?:quarterly\s+period|(?:fiscal\s+)?quarter)\s+ended\s*:?\s*" + MONTH_DAY_YEAR,
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Period:
    """The reporting period a filing covers."""

    period_end: date | None
    fiscal_period: str | None  # "FY2010", "2025Q3"


def _month_end_basis(day: date) -> date:
    """A 52/53-week period ending in the first week of a month counts as the month before."""
    return day - timedelta(days=day.day) if day.day <= 7 else day


def fiscal_year_label(period_end: date) -> str:
    """'FY2010' for a fiscal year ended 2010-09-25 (named by the calendar year it ends in)."""
    return f"FY{_month_end_basis(period_end).year}"


def fiscal_quarter_label(period_end: date, *, fiscal_year_end_month: int) -> str:
    """'2000Q2' for a quarter ended 2000-04-01 of a fiscal year ending in September (9)."""
    basis = _month_end_basis(period_end)
    quarter = ((basis.month - fiscal_year_end_month - 1) % 12) // 3 + 1
    year = basis.year if basis.month <= fiscal_year_end_month else basis.year + 1
    return f"{year}Q{quarter}"


def detect_period(
    text: str, *, form: str | None = None, fiscal_year_end_month: int | None = None
) -> Period:
    """Period end and fiscal period from a 10-K/10-Q cover page (the first 30,000 characters,
    else anywhere); nothing for other forms (an 8-K quoting a fiscal year is not about it)."""
    if form and not form.upper().startswith(("10-K", "10-Q")):
        return Period(None, None)
    head = text[:30000]
    quarterly = is_quarterly(form, text)
    pattern = _QUARTER_ENDED if quarterly else _YEAR_ENDED
    match = pattern.search(head) or pattern.search(text)
    end = parse_date(match[0][match[0].lower().find("ended") + 5 :]) if match else None
    if end is None:
        return Period(None, None)
    if not quarterly:
        return Period(end, fiscal_year_label(end))
    if fiscal_year_end_month is None:
        return Period(end, None)
    return Period(end, fiscal_quarter_label(end, fiscal_year_end_month=fiscal_year_end_month))
