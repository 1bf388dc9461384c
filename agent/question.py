"""Understand a research question without a model: tickers, as-of date, intents and the few numbers
the offline planner needs. Pure and deterministic: ``today`` and ``known_tickers`` are passed in."""

from __future__ import annotations

import calendar
import re
from collections.abc import Collection, Iterable
from datetime import date
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict

Intent = Literal[
    "signal",
    "technicals",
    "risk",
    "backtest",
    "forecast",
    "filings",
    "calls",
    "sentiment",
    "news",
    "compare",
    "price",
    "why",
]
Form = Literal["10-K", "10-Q"]


class ParsedQuestion(BaseModel):
    """What a question asks for. ``tickers`` keep the order of mention; ``unknown_tickers`` are
    symbol-looking words the data layer does not know (the planner refuses them plainly)."""

    model_config = ConfigDict(frozen=True)

    text: str
    normalized: str
    tickers: tuple[str, ...] = ()
    unknown_tickers: tuple[str, ...] = ()
    as_of: date | None = None
    future_date: bool = False  # as_of is after `today`: the planner refuses to predict
    intents: frozenset[Intent] = frozenset()
    advice_request: bool = False  # personal advice or guarantees: answered with a refusal
    unsupported: bool = False  # nothing recognised
    var_level: float | None = None
    horizon_days: int | None = None
    forms: tuple[Form, ...] = ()
    fiscal_year: int | None = None
    k: int | None = None  # "top 5", "3 risk factors": how many items to return
    is_follow_up: bool = False


_I = re.IGNORECASE | re.ASCII  # no Unicode case folding: "ſept" is not "sept"
_T = TypeVar("_T")
_WORD_NUMS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}
_WORD_NUMS |= {"eight": 8, "nine": 9, "ten": 10, "twenty": 20}
_NUM = r"(\d{1,3}|" + "|".join(_WORD_NUMS) + ")"

# --- tickers ---------------------------------------------------------------------------------
# fmt: off
_ALIASES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(rf"(?<![\w&])(?:{pattern})(?![\w&-])", _I), ticker)
    for pattern, ticker in (
        (r"international\s+business\s+machines(?:\s+corp(?:oration)?)?", "IBM"),
        (r"apple(?:\s+inc\b\.?|\s+computer)?", "AAPL"),
        (r"microsoft(?:\s+corp(?:oration)?)?", "MSFT"),
        (r"google|alphabet", "GOOG"),
        (r"facebook|meta(?:\s+platforms)?", "FB"),
        (r"s\s?&\s?p(?:\s?500)?|s\s+and\s+p(?:\s+500)?|sp500|the\s+index"
         r"|the\s+(?:broad\s+|stock\s+)?market(?!\s+(?:price|value|cap|close|open|data))", "^GSPC"),
    )
)
# fmt: on
# words the symbol scan must not see: forms, MD&A, dates' letters
_MASK = re.compile(r"\b10-?[KQ]\b|\bMD\s?&\s?A\b|\b\d{4}-\d{2}-\d{2}\b|\bU\.S\.(?:A\.)?", _I)
_SYMBOL = re.compile(r"(?<![\w&'’.$^-])(?P<pre>[$^]?)(?P<sym>[A-Za-z]{1,5})(?![\w&-]|['’](?!s\b))")
_NOT_SYMBOLS_TEXT = (
    "I A U AN AM PM OK NO YES THE AND OR VS IS IT TO OF IN ON AT BY FOR MY ME WE US USA UK "
    "EU VAR CVAR CEO CFO CTO EPS PE ROE ROI RSI MACD SMA EMA ATR ETF ETFS USD EUR FY YTD QTD "
    "MTD SEC GDP CPI FED FOMC IPO AI ML LLM API NYSE NAV CAGR OHLC EBIT MDA TLDR FAQ EOD EOY "
    "EST WHY WHAT HOW WHO WHEN BUY SELL HOLD LONG SHORT NOT ALL NOW"
)
_NOT_SYMBOLS = frozenset(_NOT_SYMBOLS_TEXT.split())
# lower-case words that must not be read as a known ticker ("it", "all", "now", ...)
_COMMON_WORDS_TEXT = (
    "a an and or the is it to of in on at by for my me we us all now are be go so do low key "
    "big one two new old buy sell hold long short up down out can may will has was"
)
_COMMON_WORDS = frozenset(_COMMON_WORDS_TEXT.split())


def _resolve_tickers(text: str, known: frozenset[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    found: list[tuple[int, str]] = []
    masked = text
    for pattern, ticker in _ALIASES:
        for m in pattern.finditer(masked):
            found.append((m.start(), ticker))
            masked = masked[: m.start()] + " " * len(m.group()) + masked[m.end() :]
    masked = _MASK.sub(lambda m: " " * len(m.group()), masked)
    shouting = not any(c.islower() for c in text)  # "SHOULD I BUY APPLE": no symbols by case
    for m in _SYMBOL.finditer(masked):
        pre, sym = m.group("pre"), m.group("sym")
        symbol = ("^" if pre == "^" else "") + sym.upper()
        if _is_symbol(pre, sym, known, shouting=shouting):
            found.append((m.start(), symbol))
    ordered = _unique(ticker for _, ticker in sorted(found, key=lambda f: f[0]))
    return (
        tuple(t for t in ordered if t in known),
        tuple(t for t in ordered if t not in known),
    )


def _is_symbol(pre: str, sym: str, known: frozenset[str], *, shouting: bool) -> bool:
    """``$X``/``^X`` always; a known ticker in any case unless it is a common word ("it");
    another ALL-CAPS word unless the whole text shouts or it is a common abbreviation."""
    symbol = ("^" if pre == "^" else "") + sym.upper()
    if pre or (symbol in known and (sym.isupper() or sym.lower() not in _COMMON_WORDS)):
        return True
    return sym.isupper() and not shouting and symbol not in known and symbol not in _NOT_SYMBOLS


# --- dates -----------------------------------------------------------------------------------
_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_MONTHS |= {m.lower(): i for i, m in enumerate(calendar.month_abbr) if m} | {"sept": 9}
_MONTH = r"(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_YEAR = r"((?:19|20)\d{2})"
_QWORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}
_NOT_FORM = r"(?!\s*(?:10-?[kq]|annual|quarterly|form|filing))"
# fmt: off
_DATES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, _I))
    for kind, pattern in (
        ("iso", r"(?<![\d-])" + _YEAR + r"-(\d{2})-(\d{2})(?![\d-])"),
        ("mdy", rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+{_YEAR}\b"),
        ("dmy", rf"\b(\d{{1,2}})\s+{_MONTH},?\s+{_YEAR}\b"),
        ("my", rf"\b{_MONTH},?\s+(?:of\s+)?{_YEAR}\b"),
        ("q", rf"\b(?:q([1-4])|([1-4])q)\s*(?:of\s+)?(?:fy\s*)?{_YEAR}\b"),
        ("qw", rf"\b(first|second|third|fourth|1st|2nd|3rd|4th)\s+quarter\s+(?:of\s+)?{_YEAR}\b"),
        ("mid", rf"\b(?:mid-?\s*|middle\s+of\s+){_YEAR}\b"),
        ("ye", rf"\b(?:(?:at\s+)?(?:the\s+)?(?:end|close)\s+of\s+(?:(?:the\s+)?year\s+)?"
               rf"|year[-\s]?end\s+|end-){_YEAR}\b|\b{_YEAR}\s+year[-\s]?end\b"),
        ("in", rf"\b(?:in|during)\s+{_YEAR}\b{_NOT_FORM}"),
        ("today", r"\b(?:today|now)\b"),
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
    if kind == "today":
        return today
    return date(int(next(y for y in g if y)), 12, 31)  # year-end, "in 2010"


def _parse_as_of(text: str, today: date) -> date | None:
    """The earliest date the text states; at one position the longest reading wins."""
    best: tuple[int, int, date] | None = None
    for kind, pattern in _DATES:
        for m in pattern.finditer(text):
            day = _to_date(kind, m.groups(), today)
            if day is not None and (best is None or (m.start(), -m.end()) < best[:2]):
                best = (m.start(), -m.end(), day)
    return best[2] if best else None


# --- intents ---------------------------------------------------------------------------------
# fmt: off
_INTENTS: tuple[tuple[Intent, re.Pattern[str]], ...] = tuple(
    (intent, re.compile(pattern, _I))
    for intent, pattern in (
        ("backtest", r"\bback-?test\w*|\btrack\s+record\b|\bstrategy\s+perform"
                     r"|\bhow\s+did\s+the\s+(?:strategy|signals?|model)\s+(?:do|perform)"),
        ("signal", r"\bshould\s+i\s+(?:buy|sell|hold|short|invest|put|get\s+into|own)\b"
                   r"|\b(?:buy|sell|outlook|recommend\w*|bullish|bearish|signal|rating)\b"
                   r"|\bworth\s+(?:buying|owning|it)\b|\bgo(?:ing)?\s+(?:up|down)\b"),
        ("technicals", r"\b(?:rsi|macd|sma|ema|bollinger|momentum|trend\w*|indicators?"
                       r"|technicals?|overbought|oversold)\b|\bmoving\s+averages?\b"),
        ("risk", r"\b(?:c?var|value\s+at\s+risk|expected\s+shortfall|drawdowns?|volatil\w*"
                 r"|risk(?:y|iness|ier)?)\b(?!\s+factors?)"),
        ("forecast", r"\b(?:models?|predict\w*|forecast\w*|probabilit\w*|ml)\b"
                     r"|\bmachine\s+learning\b"),
        ("filings", r"\b(?:10-?[kq]|filings?|filed|md\s?&\s?a|risk\s+factors?)\b"
                    r"|\b(?:annual|quarterly)\s+report|management'?s\s+discussion"),
        ("calls", r"\b(?:earnings|conference)\s+calls?\b|\btranscripts?\b|\bon\s+the\s+call\b"
                  r"|\b(?:management|ceo|cfo|executives)\s+(?:say|says|said|think|thinks)\b"),
        ("sentiment", r"\b(?:sentiment|tone|mood)\b"),
        ("news", r"\b(?:news|headlines?)\b"),
        ("compare", r"\b(?:compar\w*|versus|vs\.?|which\s+(?:is|was|one\s+is)\s+better)(?!\w)"),
        ("price", r"\b(?:prices?|priced|close[ds]?|closing|move[ds]?|returns?|returned"
                  r"|perform(?:ance|ed)?|gain(?:ed|s)?|rose|fell|trading\s+at)\b|\bhow\s+much\b"),
        ("why", r"\b(?:why|explain\w*|reason\w*|how\s+come)\b"),
    )
)
# fmt: on
_HOW_DID_DO = re.compile(r"\bhow\s+(?:did|does|has|is)\b.*\b(?:do|doing|done)\b", _I)
_COMPARATIVE = re.compile(
    r"\b(?:better|worse|stronger|weaker|riskier|safer|cheaper|than|which|or|against|"
    r"outperform\w*|underperform\w*)\b",
    _I,
)
_ADVICE = re.compile(
    r"\bguarantee\w*|\bcan(?:'|’|no)?t\s+lose\b|\bcannot\s+lose\b|\bsure\s+thing\b|"
    r"\ball\s+(?:of\s+)?my\s+(?:savings|money|cash)\b|\blife\s+savings\b|\bretirement\b|"
    r"\b401\s?\(?k\)?|\bmy\s+(?:kids'?|children'?s)\s+college|\bmortgage\s+my\b",
    _I,
)


def _parse_intents(text: str, n_tickers: int) -> frozenset[Intent]:
    intents = {intent for intent, pattern in _INTENTS if pattern.search(text)}
    if "backtest" not in intents and _HOW_DID_DO.search(text):
        intents.add("price")
    if n_tickers >= 2 and _COMPARATIVE.search(text):
        intents.add("compare")
    return frozenset(intents)


# --- numbers ---------------------------------------------------------------------------------
_VAR_LEVEL = re.compile(r"\b(9\d(?:\.\d+)?)\s?(?:%|percent\b)", _I)
_HORIZON_UNIT = {"day": 1, "week": 5, "month": 21}
_HORIZON = re.compile(
    rf"\b{_NUM}[-\s](day|week|month)s?\b(?!\s+(?:moving|ma|sma|ema|rsi|high|low|average))", _I
)
_HORIZON_WORD = re.compile(r"\b(daily|weekly|monthly)\b", _I)
_FORMS = re.compile(r"\b10-?([kq])\b|\b(annual|quarterly)\s+report", _I)
_FISCAL_YEAR = re.compile(
    rf"\b{_YEAR}\s+(?:10-?[kq]|annual\s+report|form|filing)|"
    rf"\b(?:10-?[kq]|annual\s+report|filing)\s+(?:for|from|of)\s+(?:fiscal\s+)?(?:year\s+)?{_YEAR}|"
    rf"\bfiscal\s+(?:year\s+)?{_YEAR}|\bfy\s?'?((?:19|20)?\d{{2}})\b",
    _I,
)
_K = re.compile(
    rf"\b(?:top|first|last)\s+{_NUM}\b|\b{_NUM}\s+(?:biggest\s+|main\s+|key\s+)?"
    r"(?:risk\s+factors|risks|passages|excerpts|quotes|results|sources|headlines|stories)\b",
    _I,
)


def _number(word: str) -> int:
    return int(word) if word.isdigit() else _WORD_NUMS[word.lower()]


def _var_level(text: str) -> float | None:
    m = _VAR_LEVEL.search(text)
    return round(float(m.group(1)) / 100, 4) if m else None


def _horizon_days(text: str) -> int | None:
    if m := _HORIZON.search(text):
        return _number(m.group(1)) * _HORIZON_UNIT[m.group(2).lower()]
    if m := _HORIZON_WORD.search(text):
        return {"daily": 1, "weekly": 5, "monthly": 21}[m.group(1).lower()]
    return None


def _forms(text: str) -> tuple[Form, ...]:
    forms: list[Form] = []
    for m in _FORMS.finditer(text):
        quarterly = (m.group(1) or "").lower() == "q" or (m.group(2) or "").lower() == "quarterly"
        forms.append("10-Q" if quarterly else "10-K")
    return _unique(forms)


def _fiscal_year(text: str) -> int | None:
    if m := _FISCAL_YEAR.search(text):
        year = next(g for g in m.groups() if g)
        return int(year) if len(year) == 4 else 2000 + int(year)
    return None


def _k(text: str) -> int | None:
    m = _K.search(text)
    return _number(next(g for g in m.groups() if g)) if m else None


def _unique(items: Iterable[_T]) -> tuple[_T, ...]:
    return tuple(dict.fromkeys(items))


# --- the parser ------------------------------------------------------------------------------
_FOLLOW_UP_CUE = re.compile(
    r"^\s*(?:and|what\s+about|how\s+about|what\s+of|same\s+for|also|then|so|ok(?:ay)?|why)\b", _I
)


def parse_question(
    text: str,
    *,
    today: date,
    history: ParsedQuestion | None = None,
    known_tickers: Collection[str],
) -> ParsedQuestion:
    """Parse ``text`` into a :class:`ParsedQuestion`. With ``history`` (the previous parsed
    question), a follow-up inherits what it does not restate: tickers, as_of, intents, numbers."""
    tickers, unknown = _resolve_tickers(text, frozenset(t.upper() for t in known_tickers))
    q = ParsedQuestion(
        text=text,
        normalized=" ".join(text.lower().split()),
        tickers=tickers,
        unknown_tickers=unknown,
        as_of=_parse_as_of(text, today),
        intents=_parse_intents(text, len(tickers) + len(unknown)),
        advice_request=bool(_ADVICE.search(text)),
        horizon_days=_horizon_days(text),
        forms=_forms(text),
        fiscal_year=_fiscal_year(text),
        k=_k(text),
    )
    if history is not None and _is_follow_up(q):
        q = _inherit(q, history)
    level = _var_level(text) if "risk" in q.intents else None
    return q.model_copy(
        update={
            "var_level": q.var_level if level is None else level,
            "future_date": q.as_of is not None and q.as_of > today,
            "unsupported": not (q.intents or q.tickers or q.unknown_tickers or q.advice_request),
        }
    )


def _is_follow_up(q: ParsedQuestion) -> bool:
    """A cue ("and ...", "what about ...", "why"), a question that names no company but asks
    something, one that names a company but asks nothing, or a comparison with one company."""
    if _FOLLOW_UP_CUE.search(q.text):
        return True
    if n := len(q.tickers) + len(q.unknown_tickers):
        return not q.intents or ("compare" in q.intents and n == 1)  # "compare it with MSFT"
    return bool(q.intents or q.as_of or q.horizon_days or q.forms or q.fiscal_year or q.k)


def _inherit(q: ParsedQuestion, history: ParsedQuestion) -> ParsedQuestion:
    update: dict[str, object] = {"is_follow_up": True, "var_level": history.var_level}
    if not (q.tickers or q.unknown_tickers):
        update |= {"tickers": history.tickers, "unknown_tickers": history.unknown_tickers}
    elif "compare" in q.intents:  # "compare it with Microsoft": the earlier tickers stay
        update["tickers"] = _unique((*history.tickers, *q.tickers))
    if q.as_of is None:
        update["as_of"] = history.as_of
    if q.intents <= {"why"}:  # "why?", "what about Microsoft?": the same question again
        update["intents"] = history.intents | q.intents
    for name in ("horizon_days", "forms", "fiscal_year", "k"):
        if not getattr(q, name):
            update[name] = getattr(history, name)
    return q.model_copy(update=update)
