"""As-of dates for the question parser: "as of June 2012", "end of 2011", "Q3 2012", ...

Relative words ("now", "today", "currently", "at the moment") are not dates: they mean the
turn's as-of date, so the parser leaves ``as_of`` None for them and never reads the clock."""

from __future__ import annotations

import calendar
import re
from datetime import date

from agent._grammar import FLAGS, YEAR

_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_MONTHS |= {m.lower(): i for i, m in enumerate(calendar.month_abbr) if m} | {"sept": 9}
_MONTH = r"(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
MONTHS, MONTH_PATTERN = _MONTHS, _MONTH
_QWORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}
_NOT_FORM = r"(?!\s*(?:10-?[kq]|annual|quarterly|form|filing))"
# fmt: off
_DATES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, FLAGS))
    for kind, pattern in (
        ("iso", r"(?<![\d-])" + YEAR + r"-(\d{2})-(\d{2})(?![\d-])"),
        ("mdy", rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+{YEAR}\b"),
        ("dmy", rf"\b(\d{{1,2}})\s+{_MONTH},?\s+{YEAR}\b"),
        ("my", rf"\b{_MONTH},?\s+(?:of\s+)?{YEAR}\b"),
        ("q", rf"\b(?:q([1-4])|([1-4])q)\s*(?:of\s+)?(?:fy\s*)?{YEAR}\b"),
        ("qw", rf"\b(first|second|third|fourth|1st|2nd|3rd|4th)\s+quarter\s+(?:of\s+)?{YEAR}\b"),
        ("mid", rf"\b(?:mid-?\s*|middle\s+of\s+){YEAR}\b"),
        ("ye", rf"\b(?:(?:at\s+)?(?:the\s+)?(?:end|close)\s+of\s+(?:(?:the\s+)?year\s+)?"
               rf"|year[-\s]?end\s+|end-){YEAR}\b|\b{YEAR}\s+year[-\s]?end\b"),
        ("in", rf"\b(?:in|during)\s+{YEAR}\b{_NOT_FORM}"),
    )
)
# fmt: on


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _to_date(kind: str, g: tuple[str | None, ...], today: date) -> date | None:
    try:
        if kind == "iso":
            return date(int(g[0] or 0), int(g[1] or 0), int(g[2] or 0))
        if kind == "mdy":
            return date(int(g[2] or 0), _MONTHS[(g[0] or "").lower()], int(g[1] or 0))
        if kind == "dmy":
            return date(int(g[2] or 0), _MONTHS[(g[1] or "").lower()], int(g[0] or 0))
    except ValueError:  # 2012-02-30 is not a date: read no date rather than a wrong one
        return None
    if kind == "my":
        return _month_end(int(g[1] or 0), _MONTHS[(g[0] or "").lower()])
    if kind in ("q", "qw"):
        q = _QWORDS[(g[0] or "").lower()] if kind == "qw" else int(g[0] or g[1] or 0)
        return _month_end(int(g[-1] or 0), 3 * q)
    if kind == "mid":
        return date(int(g[0] or 0), 6, 30)
    return date(int(next(y for y in g if y)), 12, 31)  # year-end, "in 2010"


def _parse_as_of(text: str, today: date, *, skip: tuple[int, int] | None = None) -> date | None:
    """The earliest date the text states; at one position the longest reading wins. A date
    inside ``skip`` (the span of a period the question asks about) is not an as-of date."""
    best: tuple[int, int, date] | None = None
    for kind, pattern in _DATES:
        for m in pattern.finditer(text):
            if skip is not None and m.start() < skip[1] and m.end() > skip[0]:
                continue
            day = _to_date(kind, m.groups(), today)
            if day is not None and (best is None or (m.start(), -m.end()) < best[:2]):
                best = (m.start(), -m.end(), day)
    return best[2] if best else None
