"""Earnings-call transcripts, one file per call, to ``Document``s (kind "call").

Ticker, quarter and year come from the file name ``TICKER_qQ_YEAR.txt`` (ECTSum's naming), else
from the first lines of the text ("Q3 2021", "third quarter 2021", "fiscal 2021 third
quarter"), else from the arguments; explicit arguments always win. ``fiscal_period`` is
``"2021Q3"``; ``period_end`` stays None because the fiscal calendar of the company is unknown.

**available_on** (the date from which the call may be used), in order:

1. the ``available_on=`` argument;
2. a call date written in the header of the transcript: within the first 15 lines, a line
   ``Date: ...`` / ``Call date: ...`` / ``Event date: ...``, or a line that is only a date
   (optionally with a time, e.g. "October 27, 2021, 8:30 a.m. ET"), not before the calendar
   quarter began (a fiscal quarter's call never precedes it);
3. otherwise an **estimate that is never earlier than the call**: take the end of calendar
   quarter Q of YEAR, add the SEC filing deadline for that report (45 days for Q1-Q3, 10-Q;
   90 days for Q4, 10-K of non-accelerated filers) and round up to the end of that month:
   Q1 -> May 31, Q2 -> Aug 31, Q3 -> Nov 30, Q4 -> Mar 31 of YEAR+1. Calls are held with the
   earnings release, before the report is due; the month-end rounding also covers fiscal
   quarters that end up to two months after the calendar quarter (retailers' January/February
   years, 52/53-week calendars). Estimated dates are marked in the title
   ("... (call date estimated)"), since ``Document`` has no field for it.

Sections: "Prepared remarks" and "Q&A" when a line after the first fifth of the call announces
the question-and-answer session (operator instructions, "first question", "begin the
question-and-answer session"), else one "Body".
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from core.ids import content_hash
from retrieval.sources.common import (
    MONTH_DAY_YEAR,
    MalformedFileError,
    SkippedFile,
    decode_text,
    load_each,
    parse_date,
)
from retrieval.types import Document, Section

_NAME = re.compile(
    r"^(?P<ticker>[A-Za-z][A-Za-z0-9.\-]{0,9})_q(?P<q>[1-4])_(?P<year>(?:19|20)\d{2})$"
)
_ORDINAL = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "1st": 1,
    "2nd": 2,
    "3rd": 3,
    "4th": 4,
}
_CONTENT_QUARTER = re.compile(
    r"\bQ(?P<q1>[1-4])\s*(?:FY\s*|fiscal\s*)?'?(?P<y1>(?:19|20)?\d{2})\b|"
    r"\b(?P<ord>first|second|third|fourth|1st|2nd|3rd|4th)[\s-]+quarter\s+(?:of\s+)?(?:fiscal\s+)?"
    r"(?:year\s+)?(?P<y2>(?:19|20)\d{2})\b|"
    r"\bfiscal\s+(?:year\s+)?(?P<y3>(?:19|20)\d{2})\s+(?P<ord3>first|second|third|fourth)\s+quarter\b",
    re.IGNORECASE,
)
_DATE_LINE = re.compile(
    r"^\s*(?:(?:call|event|conference)?\s*date\s*[:\-]\s*)?"
    rf"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s*)?(?P<date>{MONTH_DAY_YEAR}|\d{{4}}-\d{{2}}-\d{{2}})"
    r"(?:,?\s*(?:at\s+)?\d{1,2}(?::\d{2})?\s*(?:a\.?m\.?|p\.?m\.?)?\s*(?:[A-Z]{2,4})?)?\s*$",
    re.IGNORECASE,
)
_QA_START = re.compile(
    r"\[?operator instructions\]?|\b(?:our|the)\s+first question\b|"
    r"\b(?:begin|open|start|now)\b[^.\n]{0,40}\bquestion[- ]and[- ]answer",
    re.IGNORECASE,
)
_DEADLINE_DAYS = {1: 45, 2: 45, 3: 45, 4: 90}


@dataclass(frozen=True)
class CallDate:
    """When a call's content may be used, and whether that date is an estimate."""

    value: date
    estimated: bool


def estimated_call_date(quarter: int, year: int) -> date:
    """The conservative estimate of rule 3 (module docstring): on or after the call."""
    end_month = quarter * 3
    quarter_end = date(year, end_month, calendar.monthrange(year, end_month)[1])
    due = date.fromordinal(quarter_end.toordinal() + _DEADLINE_DAYS[quarter])
    return date(due.year, due.month, calendar.monthrange(due.year, due.month)[1])


def call_date(text: str, *, quarter: int, year: int) -> CallDate:
    """A call date from the transcript header, else the conservative estimate.

    A header date before calendar quarter Q of YEAR began cannot be the call's and is ignored."""
    quarter_start = date(year, quarter * 3 - 2, 1)
    for line in text.splitlines()[:15]:
        match = _DATE_LINE.match(line)
        if match:
            found = parse_date(match["date"])
            if found is not None and found >= quarter_start:
                return CallDate(found, estimated=False)
    return CallDate(estimated_call_date(quarter, year), estimated=True)


def is_transcript_name(path: Path | str) -> bool:
    """True for names like ``AAN_q3_2021.txt``."""
    return bool(_NAME.match(Path(path).stem))


def _quarter_from_text(text: str) -> tuple[int, int] | None:
    match = _CONTENT_QUARTER.search(text[:3000])
    if not match:
        return None
    if match["q1"]:
        year = int(match["y1"])
        return int(match["q1"]), year + 2000 if year < 100 else year
    if match["ord"]:
        return _ORDINAL[match["ord"].lower()], int(match["y2"])
    return _ORDINAL[match["ord3"].lower()], int(match["y3"])


def _sections(text: str) -> tuple[Section, ...]:
    match = _QA_START.search(text, len(text) // 5)  # not the agenda at the start of the call
    if match is None:
        return (Section(name="Body", start=0, end=len(text)),)
    cut = text.rfind("\n", 0, match.start()) + 1  # the start of the announcing line
    if cut == 0:
        return (Section(name="Body", start=0, end=len(text)),)
    return (
        Section(name="Prepared remarks", start=0, end=cut),
        Section(name="Q&A", start=cut, end=len(text)),
    )


def read_transcript(
    path: Path | str,
    *,
    ticker: str | None = None,
    quarter: int | None = None,
    year: int | None = None,
    available_on: date | None = None,
) -> Document:
    """One transcript file as a Document; MalformedFileError when it cannot be placed in time."""
    path = Path(path)
    text = decode_text(path.read_bytes())
    named = _NAME.match(path.stem)
    found = _quarter_from_text(text)
    ticker = ticker or (named["ticker"].upper() if named else None)
    quarter = quarter or (int(named["q"]) if named else (found[0] if found else None))
    year = year or (int(named["year"]) if named else (found[1] if found else None))
    if quarter is None or year is None:
        raise MalformedFileError(
            "no quarter/year: name it TICKER_qQ_YEAR.txt or pass quarter= and year="
        )
    when = (
        CallDate(available_on, False)
        if available_on
        else call_date(text, quarter=quarter, year=year)
    )
    title = f"{ticker or 'Unknown'} Q{quarter} {year} earnings call"
    return Document(
        id=f"call-{ticker or 'UNKNOWN'}-{year}Q{quarter}-{content_hash(text)}",
        kind="call",
        ticker=ticker,
        title=title + (" (call date estimated)" if when.estimated else ""),
        fiscal_period=f"{year}Q{quarter}",
        available_on=when.value,
        source=str(path),
        text=text,
        sections=_sections(text),
    )


def load_transcripts(
    folder: Path | str, *, pattern: str = "*.txt"
) -> tuple[list[Document], list[SkippedFile]]:
    """Every transcript under ``folder`` (recursively); unreadable files are skipped, reported."""
    return load_each(folder, read_transcript, pattern=pattern)
