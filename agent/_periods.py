"""Windows, horizons, confidence levels and money for the question parser.

Past windows become a :class:`agent.request.Period`: calendar periods ("in 2011", "Q3 2012",
"March 2010", "since 2010", "between 2009 and 2011") as absolute dates, relative ones ("the last
6 months", "YTD") kept relative (``lookback_days``, ``year_to_date``) so the tool resolves them
against the turn's as-of date. Forward horizons ("over the next month", "10-day", "tomorrow")
are trading days: a day 1, a week 5, a month 21, a quarter 63, a year 252.
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from typing import NamedTuple

from agent._dates import MONTH_PATTERN, MONTHS
from agent._grammar import FLAGS, NUM, WORD_NUMS, YEAR
from agent.request import Period

_QUARTER_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4}
_QUARTER_WORDS |= {"1st": 1, "2nd": 2, "3rd": 3, "4th": 4}
_AS_OF_CUE = r"(?<!as\sof\s)(?<!\bon\s)(?<!\bby\s)(?<!end\sof\s)(?<!close\sof\s)"


class Found(NamedTuple):
    """A window and where the text says it (so that span is not read again as an as-of date)."""

    period: Period
    start: int
    end: int


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _number(word: str) -> float:
    return float(word) if word[0].isdigit() else float(WORD_NUMS[word.lower()])


# fmt: off
# an end of a range: an ISO date or a year (not the year of an ISO date)
_END = r"((?:19|20)\d{2}-\d{2}-\d{2}|(?:19|20)\d{2}(?!\d|-\d\d-\d))"
_BETWEEN = re.compile(rf"(?<![\d-])(?:\b(?:between|from)\s+(?:the\s+start\s+of\s+)?{_END}\s*"
                      r"(?:and|to|through|thru|until|till|-|\u2013)\s*(?:the\s+end\s+of\s+)?"
                      rf"|\b{_END}\s*(?:-|\u2013|to|through|thru|until)\s*){_END}(?!-\d)", FLAGS)
# "10k in apple in jan 2009 ... by end of 2012": a month or year to another
_IN_TO = re.compile(rf"\b(?:in|at|from)\s+(?:the\s+start\s+of\s+)?(?:{MONTH_PATTERN}\s+)?{YEAR}\b"
                    r".{0,40}?\b(?:by|until|till|through|to)\s+(?:the\s+)?(?:end\s+of\s+)?"
                    rf"(?:{MONTH_PATTERN}\s+)?{YEAR}\b", FLAGS)
# "the 08 crash", "the 2008 crisis", "in '08": a year named by a two-digit or full year
_EVENT_YEAR = re.compile(r"\b(?:the\s+|in\s+)'?((?:19|20)?\d{2})\s+(?:crash|crisis|financial\s+"
                         r"crisis|sell-?off|meltdown|bear\s+market|recession|slump)\b"
                         r"|\bin\s+'(\d{2})\b", FLAGS)
_SINCE_DATE = re.compile(r"\b(?:since|from|starting(?:\s+(?:on|in))?)\s+"
                         r"((?:19|20)\d{2}-\d{2}-\d{2})\b(?!\s*(?:and|to|through|thru|until|till|-))",
                         FLAGS)
_SINCE_LISTING = re.compile(r"\bsince\s+(?:(?:its|the|their|it'?s)\s+)?(?:ipo|listing|inception"
                            r"|debut|flotation|founding|(?:it|they)\s+(?:went|was|were|came)\s+"
                            r"(?:public|listed)|going\s+public|(?:it|they)\s+(?:listed|(?:started"
                            r"|began)\s+trading)|(?:the\s+)?(?:first|1st)\s+day\s+of\s+trading)\b",
                            FLAGS)
EARLIEST = date(1900, 1, 1)  # "since its IPO": the tool clips the window to the first bar
_SINCE = re.compile(rf"\b(?:since|from|starting(?:\s+in)?)\s+(?:(?:the\s+)?start\s+of\s+)?"
                    rf"(?:{MONTH_PATTERN}\s+)?{YEAR}\b(?![\d-]\d)"
                    r"(?!\s*(?:to|and|through|thru|until|-)\s*(?:19|20)\d\d)"
                    r"(?!\s*(?:10-?[kq]|annual|form|filing))", FLAGS)
_QUARTER = re.compile(rf"\b(?:q([1-4])|(first|second|third|fourth|1st|2nd|3rd|4th)\s+quarter"
                      rf"(?:\s+of)?)\s*(?:fy\s*)?{YEAR}\b", FLAGS)
_MONTH_YEAR = re.compile(rf"{_AS_OF_CUE}\b(?:in\s+|during\s+|for\s+)?{MONTH_PATTERN},?\s+(?:of\s+)?"
                         rf"{YEAR}\b", FLAGS)
_YEAR_ONLY = re.compile(rf"{_AS_OF_CUE}\b(?:(?:in|during|for|over|throughout)\s+(?:(?:the\s+)?"
                        rf"(?:calendar\s+)?year\s+)?|calendar\s+(?:year\s+)?){YEAR}\b"
                        r"(?!\s*(?:10-?[kq]|annual|quarterly|form|filing|-\d|(?:to|through|thru|until)\s+\d))"
                        rf"|\b{YEAR}(?=\s+(?:(?:was\s+)?an?\s+\w+\s+year\b|return|performance|drawdown"
                        r"|volatility|high|low|range"
                        r"|gain|loss))", FLAGS)
_LOOKBACK = re.compile(rf"\b(?:last|past|previous|prior|trailing|recent)\s+(?:{NUM}\s+)?"
                       r"(day|week|month|year|quarter)s?\b", FLAGS)
_LOOKBACK_N = re.compile(rf"\b{NUM}[-\s](day|week|month|year)s?\s+(?:returns?|performances?"
                         r"|changes?|drawdowns?|volatility|high|low|range)\b", FLAGS)
_LATELY = re.compile(r"\b(?:lately|recently|of\s+late|these\s+days"
                     r"|in\s+recent\s+(?:weeks|months))\b(?!\s+(?:news|headlines))", FLAGS)
_YTD = re.compile(r"\b(?:ytd|year[-\s]to[-\s]date|this\s+year|so\s+far\s+this\s+year)\b", FLAGS)
_CAL_DAYS = {"day": 1, "week": 7, "month": 365 / 12, "quarter": 365 / 4, "year": 365}
# fmt: on


def _range_end(said: str, *, last: bool) -> date:
    """A range's end as said: an ISO date as is, a year from its first or to its last day."""
    if len(said) == 4:
        return date(int(said), 12, 31) if last else date(int(said), 1, 1)
    return date.fromisoformat(said)


def find_period(text: str) -> Found | None:
    """The first past window the text names, or None. "52-week high" is not a window (the
    snapshot's own 52 weeks), "the last 6 months" is 182 calendar days."""
    found: list[Found] = []
    for m in _BETWEEN.finditer(text):
        said = sorted(g for g in m.groups() if g)  # "from 2011 to 2009" is 2009-2011
        try:
            first, last = _range_end(said[0], last=False), _range_end(said[1], last=True)
        except ValueError:  # 2010-02-30 is not a date: no window rather than a wrong one
            continue
        label = "-".join(said) if all(len(g) == 4 for g in said) else " to ".join(said)
        found.append(Found(Period(start=first, end=last, label=label), m.start(), m.end()))
    for m in _IN_TO.finditer(text):
        m1, y1, m2, y2 = m.groups()
        first = date(int(y1), MONTHS.get((m1 or "").lower(), 1), 1)
        last = _month_end(int(y2), MONTHS.get((m2 or "").lower(), 12))
        if first <= last:
            label = (
                f"from {m1.title() + ' ' if m1 else ''}{y1} to {m2.title() + ' ' if m2 else ''}{y2}"
            )
            found.append(Found(Period(start=first, end=last, label=label), *m.span()))
    for m in _EVENT_YEAR.finditer(text):
        named = str(m.group(1) or m.group(2))
        year = int(named) if len(named) == 4 else 2000 + int(named)
        if 1990 <= year <= 2030:
            p = Period(start=date(year, 1, 1), end=date(year, 12, 31), label=str(year))
            found.append(Found(p, *m.span()))
    for m in _SINCE_DATE.finditer(text):
        try:
            day = _range_end(m.group(1), last=False)
        except ValueError:
            continue
        found.append(Found(Period(start=day, label=f"since {m.group(1)}"), *m.span()))
    for m in _SINCE_LISTING.finditer(text):
        found.append(Found(Period(start=EARLIEST, label="since its IPO"), *m.span()))
    for m in _SINCE.finditer(text):
        year, month = int(m.group(2)), MONTHS.get((m.group(1) or "").lower(), 1)
        label = f"since {m.group(1).title() + ' ' if m.group(1) else ''}{year}"
        found.append(Found(Period(start=date(year, month, 1), label=label), m.start(), m.end()))
    for m in _QUARTER.finditer(text):
        q = int(m.group(1)) if m.group(1) else _QUARTER_WORDS[m.group(2).lower()]
        year = int(m.group(3))
        p = Period(
            start=date(year, 3 * q - 2, 1), end=_month_end(year, 3 * q), label=f"Q{q} {year}"
        )
        found.append(Found(p, m.start(), m.end()))
    for m in _MONTH_YEAR.finditer(text):
        month, year = MONTHS[m.group(1).lower()], int(m.group(2))
        label = f"{calendar.month_name[month]} {year}"
        p = Period(start=date(year, month, 1), end=_month_end(year, month), label=label)
        found.append(Found(p, m.start(), m.end()))
    for m in _YEAR_ONLY.finditer(text):
        year = int(m.group(1) or m.group(2))
        p = Period(start=date(year, 1, 1), end=date(year, 12, 31), label=str(year))
        found.append(Found(p, m.start(), m.end()))
    for m in (*_LOOKBACK.finditer(text), *_LOOKBACK_N.finditer(text)):
        if re.match(r"52[-\s]week", m.group(0)):
            continue  # the 52-week high/low: the market snapshot's own window
        n = _number(m.group(1)) if m.group(1) else 1.0
        days = int(n * _CAL_DAYS[m.group(2).lower()])
        if days >= 1:
            label = " ".join(m.group(0).lower().split())
            found.append(Found(Period(lookback_days=min(days, 36500), label=label), *m.span()))
    for m in _LATELY.finditer(text):  # "how choppy has it been lately": the last 3 months
        found.append(Found(Period(lookback_days=91, label="the last three months"), *m.span()))
    for m in _YTD.finditer(text):
        found.append(Found(Period(year_to_date=True, label="year to date"), *m.span()))
    if not found:
        return None
    return min(found, key=lambda f: (f.start, -(f.end - f.start)))


# --- forward horizons --------------------------------------------------------------------------
_TRADING_DAYS = {"day": 1, "session": 1, "week": 5, "month": 21, "quarter": 63, "year": 252}
# fmt: off
_H_NUMBER = re.compile(rf"\b{NUM}[-\s](day|session|week|month|quarter|year)s?\b"
                       r"(?!\s+(?:moving|ma\b|sma|ema|rsi|high|low|average|return|performance"
                       r"|drawdown|volatility|range|change|window|lookback|history))", FLAGS)
_H_ARTICLE = re.compile(r"(?<!last\s)(?<!past\s)(?<!previous\s)(?<!trailing\s)"
                        r"\b(?:next|coming|(?:with)?in\s+a|over\s+a|per|a|one|single)\s+"
                        r"(?:(?:bad|typical|normal|given|single|rough|terrible|awful|horrible|"
                        r"really\s+bad|trading)\s+)?(day|session|week|month|quarter|year)\b",
                        FLAGS)
_H_WORD = re.compile(r"\b(daily|weekly|monthly|quarterly|annual|yearly|annually|overnight"
                     r"|tomorrow|intraday)\b", FLAGS)
_H_WORDS = {"daily": 1, "overnight": 1, "tomorrow": 1, "intraday": 1, "weekly": 5,
            "monthly": 21, "quarterly": 63, "annual": 252, "yearly": 252, "annually": 252}
# fmt: on


def horizon_days(text: str) -> int | None:
    """Trading days ahead the text names: "10-day" 10, "a month"/"monthly" 21, "a week" 5,
    "tomorrow" 1, "a bad day" 1, "10-year" 2520, "0-day" 0 (the caller declines what it cannot
    compute). Odds ("a 1-in-100-day loss") are a level, not a horizon."""
    text = _ODDS.sub(" ", text)
    if m := _H_NUMBER.search(text):
        return int(_number(m.group(1)) * _TRADING_DAYS[m.group(2).lower()])
    if m := _H_ARTICLE.search(text):
        return _TRADING_DAYS[m.group(1).lower()]
    if m := _H_WORD.search(text):
        return _H_WORDS[m.group(1).lower()]
    return None


# --- confidence levels ---------------------------------------------------------------------
_LEVEL = re.compile(r"(?<![\d.])(\d{1,3}(?:\.\d+)?)\s?(?:%|percent\b|per\s?cent\b)", FLAGS)
_LEVEL_BARE = re.compile(r"\b(?:level|confidence)\s+(?:of\s+)?(0?\.\d+|\d{1,3}(?:\.\d+)?)\b", FLAGS)
# a level said without a percent sign: "at 99", "at the 95 level", "99 confidence", "99th
# percentile"; only 50-99.x, so "at 10 days" or "at 150 dollars" are never read as one
_LEVEL_WORDLESS = re.compile(
    r"(?:\bat\s+(?:the\s+)?|(?<![\w.$])(?=[5-9]\d(?:\.\d+)?(?:th)?\s*(?:confidence|conf\b|level"
    r"|cl\b|percentile)))([5-9]\d(?:\.\d+)?)(?:th)?(?![\w.%$])"
    r"(?!\s*(?:-|\s)\s*(?:days?|sessions?|weeks?|months?|quarters?|years?|dollars?|bucks|usd)\b)",
    FLAGS,
)
_ODDS_N = {"ten": 10, "twenty": 20, "fifty": 50, "hundred": 100, "thousand": 1000}
_ODDS = re.compile(
    r"\b(?:1|one)[-\s]+in[-\s]+(?:a[-\s]+)?(\d{1,4}|ten|twenty|fifty|hundred|thousand)\b"
    r"(?:[-\s]+(?:days?|sessions?|weeks?|months?|years?|chance|event))?"
    r"|\bonce\s+(?:in|every)\s+(?:a\s+)?(\d{1,4}|ten|twenty|fifty|hundred|thousand)\s+"
    r"(?:days?|sessions?|weeks?|months?|years?)\b",
    FLAGS,
)


def confidence_level(text: str) -> tuple[float, str] | None:
    """The confidence a VaR/CVaR question states, as a fraction, with the text that said it.
    "99%" is 0.99; "1%"/"5%" (a tail, up to 10%) is read as 0.99/0.95; "0.99" as said; any other
    value is returned as is (150% -> 1.5) for the caller to decline. Without a percent sign,
    "at 99" or "99 confidence" is 0.99, and odds are 1 - 1/N: "1 in 100" 0.99, "1 in 20" 0.95."""
    m = _LEVEL.search(text) or _LEVEL_BARE.search(text)
    if m is None:
        if (m := _LEVEL_WORDLESS.search(text)) is not None:
            return round(float(m.group(1)) / 100, 4), m.group(0).strip()
        if (m := _ODDS.search(text)) is not None:
            said = m.group(1) or m.group(2)
            n = int(said) if said.isdigit() else _ODDS_N[said.lower()]
            return (round(1 - 1 / n, 4), m.group(0).strip()) if n > 0 else None
        return None
    raw = float(m.group(1))
    value = raw if raw < 1 and "%" not in m.group(0) and "per" not in m.group(0) else raw / 100
    if 0 < value <= 0.10:
        value = 1 - value
    return round(value, 4), m.group(0).strip()


# --- money -----------------------------------------------------------------------------------
_SIGNS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}
_CODES = {"usd": "USD", "dollar": "USD", "dollars": "USD", "bucks": "USD", "eur": "EUR"}
_CODES |= {"euro": "EUR", "euros": "EUR", "gbp": "GBP", "pound": "GBP", "pounds": "GBP"}
_SCALE = {"k": 1e3, "thousand": 1e3, "m": 1e6, "mm": 1e6, "million": 1e6, "mn": 1e6}
_SCALE |= {"b": 1e9, "bn": 1e9, "billion": 1e9, "grand": 1e3}
_MONEY = re.compile(
    r"(?P<sign>[$€£¥])?\s?(?P<code1>usd|eur|gbp)?\s?(?P<num>\d{1,3}(?:[,\s]\d{3})+|\d+(?:\.\d+)?)"
    r"\s?(?P<scale>k|thousand|mm|m|million|mn|bn|b|billion|grand)?\b\s?"
    r"(?P<code2>usd|eur|gbp|dollars?|euros?|pounds?|bucks)?\b",
    re.IGNORECASE,
)
_ACCOUNT_CUE = re.compile(
    r"\b(?:account|portfolio|capital|savings|to\s+invest|invest|have|with|bankroll|budget"
    r"|to\s+put\s+to\s+work|to\s+deploy|got|worth|put|invested)\b",
    re.IGNORECASE,
)


def money(text: str) -> tuple[float, str | None] | None:
    """An amount of money ("$50,000", "$50k", "50,000 dollars", "€20,000", "1.5 million") and
    its currency (None when the text names none). A bare number counts only with a scale word
    and an account cue ("a 1.5 million portfolio"); years and percentages never count."""
    for m in _MONEY.finditer(text):
        sign, scale = m.group("sign"), (m.group("scale") or "").lower()
        code = (m.group("code1") or m.group("code2") or "").lower()
        after = text[m.end() : m.end() + 1]
        if after == "%" or (not sign and not code and not (scale and _ACCOUNT_CUE.search(text))):
            continue
        if not sign and not code and scale in ("m", "b", "k") and not m.group("num")[0].isdigit():
            continue
        value = float(re.sub(r"[,\s]", "", m.group("num"))) * _SCALE.get(scale, 1.0)
        if value <= 0:
            continue
        currency = _SIGNS.get(sign or "") or _CODES.get(code) or ("USD" if code else None)
        return value, currency
    return None
