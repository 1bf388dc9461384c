"""Ticker resolution for the question parser: symbols ($MSFT, ^GSPC, msft) and company names."""

from __future__ import annotations

import re

from agent._grammar import FLAGS, unique

# --- tickers ---------------------------------------------------------------------------------
# fmt: off
_ALIASES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(rf"(?<![\w&])(?:{pattern})(?![\w&-])", FLAGS), ticker)
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
_MASK = re.compile(r"\b10-?[KQ]\b|\bMD\s?&\s?A\b|\b\d{4}-\d{2}-\d{2}\b|\bU\.S\.(?:A\.)?", FLAGS)
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
    ordered = unique(ticker for _, ticker in sorted(found, key=lambda f: f[0]))
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
