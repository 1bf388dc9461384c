"""Ticker resolution for the question parser: symbols ($MSFT, ^GSPC, msft) and company names.

A word is a ticker when it is a known instrument (the market data's tickers, or a company name
that maps to one) or clearly marked: ``$XYZ``, ``^XYZ``, "ticker XYZ", "symbol XYZ". Any other
ALL-CAPS word is only a *candidate* (``unmarked``): never a ticker, but named when a question
has no ticker at all ("Should I buy XYZQ?" -> "I have no data for XYZQ"). Financial vocabulary
(COGS, EPS, EBITDA, GAAP, CEO, VaR, FY, Q1-Q4, ...) is never either.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from agent._companies import COMPANIES, COMPANY_TICKERS
from agent._grammar import FLAGS, near, unique

# --- tickers ---------------------------------------------------------------------------------
# fmt: off
_ALIASES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(rf"(?<![\w&])(?:{pattern})(?:s(?![\w&'-]))?(?![\w&-])", FLAGS), ticker)
    for pattern, ticker in (
        (r"international\s+business\s+machines(?:\s+corp(?:oration)?)?", "IBM"),
        (r"(?:apple|aple|appel|appl)(?:\s+inc\b\.?|\s+computer)?", "AAPL"),  # with typos
        (r"microsoft(?:\s+corp(?:oration)?)?", "MSFT"),
        (r"google|alphabet", "GOOG"),
        (r"facebook|meta(?:\s+platforms)?", "FB"),
        (r"s\s?&\s?p(?:\s?500)?|s\s+and\s+p(?:\s+500)?|sp500|the\s+index"
         r"|the\s+(?:broad\s+|stock\s+)?market(?!\s+(?:price|value|cap|close|open|data))", "^GSPC"),
        *COMPANIES,
    )
)
# fmt: on
# one-word names of six letters or more, matched with one typo ("googel", "microsft", "facebok")
_FUZZY: dict[str, str] = {"google": "GOOG", "microsoft": "MSFT", "facebook": "FB"}
_FUZZY |= {p: t for p, t in COMPANIES if re.fullmatch(r"[a-z]{6,}", p)}
_FUZZY_WORD = re.compile(r"(?<![\w$^&'-])[A-Za-z]{5,}(?:'s)?(?![\w&-])")
# well-known symbols that are no English word, recognised in any case ("nvda", "tsla")
_LOWER_SYMBOLS = frozenset(
    t for t in COMPANY_TICKERS if len(t) >= 4 and t.lower() not in {"shop", "spot", "cost", "uber"}
)
# every stock the data covers, named as a group
_UNIVERSE = re.compile(
    r"\b(?:big|large|mega)[-\s]?(?:tech|cap)s?\b(?:\s+(?:names|stocks|companies))?"
    r"|\ball\s+(?:of\s+)?(?:the\s+|your\s+)?(?:stocks|names|tickers|companies)\b"
    r"|\bevery(?:thing|\s+stock|\s+ticker)\s+you\s+(?:cover|have|track)\b"
    r"|\b(?:the\s+)?(?:stocks|names|tickers|companies)\s+you\s+(?:cover|have|track)\b",
    FLAGS,
)
# words the symbol scan must not see: forms, MD&A, dates' letters
_MASK = re.compile(r"\b10-?[KQ]\b|\bMD\s?&\s?A\b|\b\d{4}-\d{2}-\d{2}\b|\bU\.S\.(?:A\.)?", FLAGS)
_SYMBOL = re.compile(
    r"(?<![\w&'’.$^-])(?P<pre>[$^]|\b(?:ticker|symbol)s?:?\s+)?(?P<sym>[A-Za-z]{1,5})"
    r"(?![\w&-]|['’](?!s\b))",
    re.IGNORECASE,
)
_NOT_SYMBOLS_TEXT = (
    "I A U AN AM PM OK NO YES THE AND OR VS IS IT TO OF IN ON AT BY FOR MY ME WE US USA UK "
    "EU VAR CVAR CEO CFO CTO EPS PE ROE ROI RSI MACD SMA EMA ATR ETF ETFS USD EUR FY YTD QTD "
    "MTD SEC GDP CPI FED FOMC IPO AI ML LLM API NYSE NAV CAGR OHLC EBIT MDA TLDR FAQ EOD EOY "
    "EST WHY WHAT HOW WHO WHEN BUY SELL HOLD LONG SHORT NOT ALL NOW "
    # financial vocabulary: statements, ratios, accounting, filings, roles, markets
    "COGS SGA SGNA EBITDA EBITA EBT NOPAT GAAP IFRS FASB PCAOB OCI AOCI PPE PPNE CAPEX OPEX FCF "
    "FCFE FCFF DCF NPV IRR WACC CAPM ROA ROIC ROCE ROTC ROTE RONA ASP ARPU ARR MRR LTV CAC DAU "
    "MAU TAM SAM GMV AUM NII NIM CET TSR DPS BVPS PEG EV EVS PB PS CF TTM LTM NTM YOY QOQ MOM "
    "BPS FX OTC ADR ADRS REIT REITS SPAC SPACS MA LBO DD IR PR COO CIO CMO CHRO CAO VP SVP EVP "
    "HR RD IP SEO KPI KPIS OKR ESG CSR DEI GHG CEOS CFOS IPOS MDNA NOTE ITEM PART FORM KQ ANNUAL "
    "Q QI QII QIII QIV H HI HII TAX VAT IRS DOJ FTC FDA EPA FINRA OCC FDIC CFTC ECB BOE BOJ PBOC "
    "IMF OECD NBER PMI ISM PPI PCE GNP NFP JOLTS LIBOR SOFR FFR OIS CDS CDO MBS ABS CLO HY IG "
    "BBB AAA AA BB CCC DR CR YE YTM BP BPS DV VIX WTI LNG EV EVS SAAS IAAS PAAS API SDK GPU CPU "
    "AR AP DSO DPO DIO WC NWC LIFO FIFO SKU SKUS OEM ODM USDT BTC ETH GBP JPY CNY CHF CAD AUD "
    "INR KRW MXN BRL HKD SGD ETFS ETN ETNS NAVS SMA EMA DMA WMA VWAP TWAP ADX OBV CCI MFI ATR "
    "STD DEV BETA ALPHA SHARPE CAGR MDD IV HV VAR CVAR ES PNL PL YR YRS MO QTR QTRS TTM"
)
_NOT_SYMBOLS = frozenset(_NOT_SYMBOLS_TEXT.split())
# lower-case words that must not be read as a known ticker ("it", "all", "now", ...)
_COMMON_WORDS_TEXT = (
    "a an and or the is it to of in on at by for my me we us all now are be go so do low key "
    "big one two new old buy sell hold long short up down out can may will has was"
)
_COMMON_WORDS = frozenset(_COMMON_WORDS_TEXT.split())


_QUARTER = re.compile(r"[QH][1-4]|FY\d{0,4}|CY\d{0,4}|\d+[KQ]", re.IGNORECASE)


def strip_names(text: str, by: str) -> str:
    """``text`` with company names (exact or with one typo) replaced ``by`` a word."""
    for pattern, _ in _ALIASES:
        text = pattern.sub(by, text)

    def fuzzy(m: re.Match[str]) -> str:
        word = m.group().lower().removesuffix("'s")
        hit = not m.group().isupper() and any(near(word, name) for name in _FUZZY)
        return by if hit else m.group()

    return _FUZZY_WORD.sub(fuzzy, text)


class Resolved(NamedTuple):
    """Known tickers, marked symbols the data lacks, and unmarked candidates, in mention order."""

    known: tuple[str, ...]
    unknown: tuple[str, ...]
    unmarked: tuple[str, ...]


def _resolve_tickers(text: str, known: frozenset[str]) -> Resolved:
    found: list[tuple[int, str, str]] = []  # (position, symbol, "known" | "marked" | "unmarked")
    masked = text
    for pattern, ticker in _ALIASES:
        for m in pattern.finditer(masked):
            found.append((m.start(), ticker, "marked"))  # a company named is a clear mark
            masked = masked[: m.start()] + " " * len(m.group()) + masked[m.end() :]
    for m in _FUZZY_WORD.finditer(masked):
        word = m.group().lower().removesuffix("'s")
        fuzzy = next((t for name, t in _FUZZY.items() if near(word, name)), None)
        if fuzzy is not None and not m.group().isupper():
            found.append((m.start(), fuzzy, "marked"))
            masked = masked[: m.start()] + " " * len(m.group()) + masked[m.end() :]
    masked = _MASK.sub(lambda m: " " * len(m.group()), masked)
    shouting = not any(c.islower() for c in text)  # "SHOULD I BUY APPLE": no symbols by case
    for m in _SYMBOL.finditer(masked):
        pre, sym = (m.group("pre") or "").strip(), m.group("sym")
        symbol = ("^" if pre == "^" else "") + sym.upper()
        how = _how(pre, sym, known, shouting=shouting)
        if how is not None:
            found.append((m.start(), symbol, how))
    if _UNIVERSE.search(text):  # "rank the big tech names by risk": every stock covered
        found += [(len(text), t, "known") for t in sorted(known) if not t.startswith("^")]
    ordered = sorted(found, key=lambda f: f[0])
    marked = unique(t for _, t, how in ordered if how == "marked")
    named = unique(t for _, t, _ in ordered)
    return Resolved(
        known=tuple(t for t in named if t in known),
        unknown=tuple(t for t in marked if t not in known),
        unmarked=tuple(t for t in named if t not in known and t not in marked),
    )


def _how(pre: str, sym: str, known: frozenset[str], *, shouting: bool) -> str | None:
    """ "marked" for ``$X``/``^X``/"ticker X"; "known" for a known ticker in any case unless it is
    a common word ("it"); "unmarked" for another ALL-CAPS word unless the whole text shouts or it
    is vocabulary (COGS, EPS, Q3, FY2010); else None."""
    symbol = ("^" if pre == "^" else "") + sym.upper()
    if pre:
        if pre[0] in "$^" or sym.isupper() or symbol in known:  # "ticker xyz" needs its caps
            return "marked"
        return None
    if symbol in known and (sym.isupper() or sym.lower() not in _COMMON_WORDS):
        return "known"
    if sym.isupper() and len(sym) >= 2 and symbol in COMPANY_TICKERS and not shouting:
        return "marked"  # a well-known company's symbol (TSLA, NFLX): a clear mark
    if symbol in _LOWER_SYMBOLS:
        return "marked"  # "nvda rsi?": typed in lower case, still no English word
    vocabulary = symbol in _NOT_SYMBOLS or _QUARTER.fullmatch(sym) is not None
    if sym.isupper() and not shouting and symbol not in known and not vocabulary:
        return "unmarked"
    return None
