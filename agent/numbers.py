"""The number and date grammar shared by the ledger (reading evidence) and the verifier (reading
answers): ``extract`` finds every number and date a text states, with its span."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from agent.answer import CITATION_GROUP, EVIDENCE_ID

_NOT_NUMBERS = re.compile(
    "|".join(
        (
            CITATION_GROUP.pattern,  # citations are checked as citations
            EVIDENCE_ID.pattern,
            r"https?://\S+",  # locators, not claims
            r"^[ \t]*(?:#{1,6}[ \t]+)?\d+[.)](?=\s)",  # Markdown ordered-list markers: syntax
            r"\b(?:10-K|10-Q|8-K|20-F|40-F|6-K|S-1|S-3|S-4|F-1|DEF ?14A|13F)(?:/A|405)?\b",
            r"S&P ?500\b",  # the benchmark's name (^GSPC)
        )
    ),
    re.MULTILINE,
)

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_TOKEN = re.compile(
    rf"""
    (?P<iso>(?<![\w-])(?P<iso_y>\d{{4}})-(?P<iso_m>\d{{2}})-(?P<iso_d>\d{{2}})(?![\d-]))
  | (?P<mdy>(?<![A-Za-z])(?P<mdy_m>{_MONTH})\s+(?P<mdy_d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+
        (?P<mdy_y>\d{{4}})(?!\d))
  | (?P<dmy>(?<![\w.])(?P<dmy_d>\d{{1,2}})\s+(?P<dmy_m>{_MONTH}),?\s+(?P<dmy_y>\d{{4}})(?!\d))
  | (?P<us>(?<![\w/])(?P<us_m>\d{{1,2}})/(?P<us_d>\d{{1,2}})/(?P<us_y>\d{{4}})(?!\d))
  | (?P<my>(?<![A-Za-z])(?P<my_m>{_MONTH}),?\s+(?P<my_y>\d{{4}})(?!\d))
  | (?P<qtr>(?<!\w)(?:Q(?P<q_n>[1-4])|(?P<q_n2>[1-4])Q)\s?['’]?\s?(?:FY\s?)?
        (?P<q_y>\d{{4}}|\d{{2}})(?!\d))
  | (?P<qword>(?i:\b(?P<qw_n>first|second|third|fourth)\s+quarter\s+(?:of\s+)?
        (?:fiscal\s+(?:year\s+)?)?)(?P<qw_y>\d{{4}})(?!\d))
  | (?P<fy>(?<!\w)(?:FY\s?['’]?(?P<fy_y>\d{{4}}|\d{{2}})|(?i:fiscal\s+(?:year\s+)?)
        (?P<fy_y2>\d{{4}}))(?!\d))
  | (?P<num>(?<![\w.])(?P<sign>[+\-−])?(?P<cur>US\$|\$)?
        (?P<digits>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)
        (?:\s?(?P<pct>%|(?i:percent|per\s?cent)\b)
          |\s?(?P<bp>(?i:bps?|basis\s+points?)\b)
          |(?P<mag>\s?(?i:thousand|million|billion|trillion|bn|mn|tn)|[kKmMbB])\b
          |(?:st|nd|rd|th)\b(?P<pctl>\s+percentile)?
          |x\b
        )?(?!\w)(?!\.\d))
    """,
    re.VERBOSE,
)
_SCALES = {"thousand": 1e3, "k": 1e3, "million": 1e6, "mn": 1e6, "m": 1e6, "billion": 1e9}
_SCALES |= {"bn": 1e9, "b": 1e9, "trillion": 1e12, "tn": 1e12}
UNIT_FACTOR = {"": 1.0, "%": 0.01, "bp": 1e-4}  # written unit -> plain fraction
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_QUARTER_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4}


@dataclass(frozen=True, slots=True)
class Period:
    """A day, a month, a calendar or fiscal quarter, a fiscal year, or a bare year."""

    year: int
    month: int | None = None
    day: int | None = None
    quarter: int | None = None
    fiscal: bool = False

    @property
    def label(self) -> str:
        if self.day is not None:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month is not None:
            return f"{self.year:04d}-{self.month:02d}"
        if self.quarter is not None:
            return f"{'FY' if self.fiscal else ''}{self.year}-Q{self.quarter}"
        return f"FY{self.year}" if self.fiscal else str(self.year)


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number or date as written in a text, at ``span`` (start, end) of that text.

    literal: the signed number as written, before unit and magnitude (12.3 for "12.3%", 1.2 for
    "$1.2 billion"); None for dates other than a bare year. decimals: digits written after the
    point. period: the date it names (a bare year is both a number and a period); None for
    numbers and for impossible dates like 2013-02-30.
    """

    text: str
    span: tuple[int, int]
    literal: float | None = None
    decimals: int = 0
    unit: Literal["", "%", "bp"] = ""
    scale: float = 1.0
    signed: bool = False
    period: Period | None = None
    is_date: bool = False

    @property
    def value(self) -> float | str:
        """What the text states: the amount (percent kept as written), or the date's label."""
        if self.is_date:
            return self.period.label if self.period else self.text
        return (self.literal or 0.0) * self.scale


def _year(text: str) -> int:
    y = int(text)
    return y if len(text) == 4 else (2000 + y if y < 70 else 1900 + y)


def _month(text: str) -> int:
    return _MONTHS.index(text[:3].lower()) + 1


def _day(y: str, m: int, d: str) -> Period | None:
    try:
        return Period(*date(int(y), m, int(d)).timetuple()[:3])
    except ValueError:
        return None


def _period(m: re.Match[str]) -> Period | None:
    if m["iso"]:
        return _day(m["iso_y"], int(m["iso_m"]), m["iso_d"])
    if m["mdy"]:
        return _day(m["mdy_y"], _month(m["mdy_m"]), m["mdy_d"])
    if m["dmy"]:
        return _day(m["dmy_y"], _month(m["dmy_m"]), m["dmy_d"])
    if m["us"]:
        return _day(m["us_y"], int(m["us_m"]), m["us_d"])
    if m["my"]:
        return Period(int(m["my_y"]), month=_month(m["my_m"]))
    if m["qtr"]:
        fiscal = "FY" in m["qtr"]
        return Period(_year(m["q_y"]), quarter=int(m["q_n"] or m["q_n2"]), fiscal=fiscal)
    if m["qword"]:
        fiscal = "fiscal" in m["qword"].lower()
        quarter = _QUARTER_WORDS[m["qw_n"].lower()]
        return Period(int(m["qw_y"]), quarter=quarter, fiscal=fiscal)
    return Period(_year(m["fy_y"] or m["fy_y2"]), fiscal=True)


def _number(m: re.Match[str], text: str) -> Quantity:
    digits = m["digits"].replace(",", "")
    literal = float(digits) * (-1.0 if m["sign"] in ("-", "−") else 1.0)
    unit: Literal["", "%", "bp"] = "%" if (m["pct"] or m["pctl"]) else "bp" if m["bp"] else ""
    scale = _SCALES[m["mag"].strip().lower()] if m["mag"] else 1.0
    plain = not (m["sign"] or m["cur"] or unit or m["mag"]) and m["digits"].isdigit()
    year = int(digits) if plain and len(digits) == 4 and 1900 <= int(digits) <= 2099 else None
    return Quantity(
        text=text,
        span=m.span(),
        literal=literal,
        decimals=len(digits.partition(".")[2]),
        unit=unit,
        scale=scale,
        signed=bool(m["sign"]),
        period=Period(year) if year else None,
        is_date=year is not None,
    )


def extract(text: str) -> list[Quantity]:
    """Every number and date written in ``text``, in order, with spans into ``text``.

    Not numbers: evidence ids and citation brackets, URLs, Markdown ordered-list markers, SEC form
    names (10-K...), "S&P 500", and digits glued to letters (SMA50, a hash like 4090c9cb).
    """
    masked = _NOT_NUMBERS.sub(lambda m: " " * len(m.group()), text)
    found = []
    for m in _TOKEN.finditer(masked):
        piece = text[m.start() : m.end()]
        if m["num"]:
            found.append(_number(m, piece))
        else:
            found.append(Quantity(text=piece, span=m.span(), period=_period(m), is_date=True))
    return found
