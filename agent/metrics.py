"""What a number is about: the metric it is a value of (VaR, RSI, close...), and the level and
horizon its clause names ("99% 10-day VaR 5.1%").

In a text, a number's metric is the last metric word between the previous value in its clause
and the number ("RSI(14) 53.4", "VaR is 1.8%"), or a metric word right after it ("50% returns").
Level (95%, 99th percentile), horizon (1-day, 52-week, SMA50, RSI(14)), counts ("500 daily
returns") and thresholds ("beyond 20%") qualify the values around them and are values of no
metric themselves. In evidence values, a number's metrics come from the keys on its path
(``results[0].var`` is a VaR, ``indicators.rsi_14`` an RSI over 14 days) and its level and
horizon from sibling ``level``/``horizon_days`` keys or the key itself (``var_99_1d``).
The ledger labels evidence with this module and the verifier labels answers with it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from agent.numbers import Quantity, extract

__all__ = ["Label", "Labelled", "label_numbers", "path_label"]

Horizon = tuple[int, str]  # (count, "d" | "w" | "m" | "y")

# metric -> (words naming it in a text, pattern of an evidence key holding it)
_METRICS: dict[str, tuple[str, str]] = {
    "cvar": (r"\bCVaR\b|\bES\b|(?i:\bexpected[- ]shortfall\b)", r"^(?:cvar|es|expected_shortfall)"),
    "var": (r"\bVaR\b|(?i:\bvalue[- ]at[- ]risk\b)", r"^var(?:_|$)"),
    "volatility": (
        r"(?i:\bvol(?:atility|atilities)?\b|\bstandard deviation\b)",
        r"(?:^|_)(?:vol|volatility|hv|sigma|std)(?:_|$)",
    ),
    "rsi": (r"\bRSI\b", r"^rsi"),
    "sma": (r"\b[SE]MA(?P<w>\d+)?\b|(?i:\bmoving[- ]averages?\b)", r"^(?:sma|ema|moving_average)"),
    "macd": (r"\bMACD\b", r"^macd"),
    "bollinger": (r"(?i:\bbollinger\b)|%b\b", r"^(?:bb|bollinger)(?:_|$)"),
    "drawdown": (r"(?i:\bdraw-?downs?\b)", r"drawdown|^dd$"),
    "return": (
        r"(?i:\breturns?\b|\bgains?\b|\bCAGR\b|\bperformance\b)",
        r"(?:^|_)(?:returns?|roc|cagr)(?:_|$)",
    ),
    "sharpe": (r"(?i:\bsharpe\b)", r"sharpe"),
    "price": (
        r"(?i:\b(?:share\s+)?prices?\b|\bclos(?:e|ed|ing)\b|\bopen(?:ed|ing)?\b|\btrad(?:es|ed|ing)"
        r"\s+at\b|\b(?:week|year|day|intraday|all-time)(?:'s)?\s+(?:high|low)s?\b)",
        r"^(?:close|open|high|low|price|adj_close|last)(?:_|$)",
    ),
    "score": (r"(?i:\bscor(?:e|es|ed|ing)\b)", r"score"),
    "confidence": (r"(?i:\bconfiden(?:ce|t)\b)", r"^confidence$"),
    "probability": (
        r"(?i:\bprobabilit(?:y|ies)\b|\blikelihood\b|\bodds\b)|\bP\(",
        r"prob",
    ),
    "position": (r"(?i:\bposition(?:\s+size)?\b|\ballocat(?:e|ed|ion|ing)\b)", r"position|kelly"),
    "sentiment": (r"(?i:\bsentiment\b)", r"sentiment"),
    "accuracy": (r"(?i:\baccuracy\b|\bhit\s+rate\b)", r"accuracy|hit_rate"),
}
_WORDS = re.compile("|".join(f"(?P<{name}>{words})" for name, (words, _) in _METRICS.items()))
_KEYS = {name: re.compile(key) for name, (_, key) in _METRICS.items()}
_CLAUSE_END = re.compile(r"[.!?](?=\s|$)|[;·|\n]")
_LEVELS = (90.0, 95.0, 97.5, 99.0, 99.5, 99.9)
_UNITS = {"day": "d", "days": "d", "week": "w", "weeks": "w", "month": "m", "months": "m"}
_UNITS |= {"year": "y", "years": "y"}
_HORIZON = re.compile(r"\s?-?\s?(?:trading[ -]|calendar[ -])?(day|week|month|year)s?\b", re.I)
_COUNT = re.compile(
    r"\s+(?:daily\s+|weekly\s+|monthly\s+|trading\s+)?(?:returns|observations|obs|bars|folds|"
    r"paths|sessions|trades|samples|simulations|passages)\b",
    re.I,
)
_THRESHOLD = re.compile(
    r"(?:[<>≤≥]=?|\b(?:beyond|above|below|under|over|exceed(?:s|ing)?|than))\s*$"
)
_LEVEL_WORDS = re.compile(r"\s*(?:confidence|level|percentile)\b", re.I)
_RULE = re.compile(r"^[ \t]*\|(?:[ \t]*:?-+:?[ \t]*\|)+[ \t]*$")  # a table's |---|---|
_KEY_LEVEL = re.compile(r"_(\d{2}(?:\.\d+)?)_(\d+)([dwmy])$")
_KEY_HORIZON = re.compile(r"_(\d+)([dwmy])?$")


@dataclass(frozen=True, slots=True)
class Label:
    """What one number is about. metric: None for a qualifier or a number of no named metric;
    level: a VaR level as a fraction (0.95); horizon: (count, unit)."""

    metric: str | None = None
    level: float | None = None
    horizon: Horizon | None = None
    qualifier: bool = False


@dataclass(frozen=True, slots=True)
class Labelled:
    quantity: Quantity
    label: Label


def _clauses(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in _CLAUSE_END.finditer(text):
        spans.append((start, m.end()))
        start = m.end()
    return [*spans, (start, len(text))]


def _qualifier(q: Quantity, text: str, risk_clause: bool) -> tuple[str, Any] | None:
    """("horizon", (n, unit)), ("level", fraction) or ("other", None) when ``q`` qualifies the
    values around it; None when it is a value."""
    if q.literal is None or q.is_date:
        return ("other", None) if q.is_date else None
    after, before = text[q.span[1] :], text[: q.span[0]]
    integer = q.decimals == 0 and q.unit == "" and q.scale == 1.0
    if integer and (m := _HORIZON.match(after)):
        return "horizon", (int(q.literal), _UNITS[m.group(1).lower()])
    if integer and before.endswith("(") and after.startswith(")"):  # RSI(14), SMA(50)
        return "horizon", (int(q.literal), "d")
    if q.unit == "%" and q.literal in _LEVELS and (risk_clause or _LEVEL_WORDS.match(after)):
        return "level", q.literal / 100
    if integer and _COUNT.match(after):
        return "other", None
    if _THRESHOLD.search(before[-16:]):
        return "other", None
    return None


def _within(items: list[tuple[int, Any]], start: int, end: int, *, last: bool = True) -> Any:
    inside = [v for at, v in items if start <= at < end]
    return (inside[-1] if last else inside[0]) if inside else None


def _metric(m: re.Match[str]) -> str:
    return next(name for name in _METRICS if m.group(name) is not None)


def _label_clause(text: str, start: int, end: int, found: list[Quantity]) -> list[Labelled]:
    words = [(m.start(), m.end(), m) for m in _WORDS.finditer(text, start, end)]
    risk = any(_metric(m) in ("var", "cvar") for *_, m in words)
    quals = {id(q): _qualifier(q, text, risk) for q in found}
    levels = [(q.span[0], v[1]) for q in found if (v := quals[id(q)]) and v[0] == "level"]
    horizons = [(q.span[0], v[1]) for q in found if (v := quals[id(q)]) and v[0] == "horizon"]
    values = [q.span[0] for q in found if quals[id(q)] is None]
    out, seg, risk_before = [], start, Label()
    for q in found:
        if quals[id(q)] is not None:
            out.append(Labelled(q, Label(qualifier=True)))
            continue
        named_from = seg
        named = [m for s, e, m in words if s >= seg and e <= q.span[0]]
        if not named:
            tail = re.match(r"\s*(?:annual(?:i[sz]ed)?\s+|daily\s+|total\s+)?", text[q.span[1] :])
            at = q.span[1] + (tail.end() if tail else 0)
            named = [m for s, _, m in words if s == at]
        seg = q.span[1]
        if not named:
            out.append(Labelled(q, Label()))
            continue
        m = named[-1]
        metric = _metric(m)
        horizon = _within(horizons, named_from, q.span[0])
        if metric == "sma" and m.group("w"):
            horizon = (int(m.group("w")), "d")
        level = None
        if metric in ("var", "cvar"):  # "99% VaR 3.8%" or "VaR 3.8% at the 99% level"
            following = min([v for v in values if v > q.span[0]], default=end)
            level = _within(levels, named_from, q.span[0])
            level = (
                level if level is not None else _within(levels, q.span[1], following, last=False)
            )
            level = level if level is not None else risk_before.level  # "(CVaR 2.9%)" after it
            horizon = horizon or risk_before.horizon
            risk_before = Label(metric=metric, level=level, horizon=horizon)
        out.append(Labelled(q, Label(metric=metric, level=level, horizon=horizon)))
    return out


def _label_text(text: str) -> list[Labelled]:
    found = extract(text)
    out: list[Labelled] = []
    for start, end in _clauses(text):
        inside = [q for q in found if start <= q.span[0] < end]
        if inside:
            out += _label_clause(text, start, end, inside)
    return out


def _table_labels(text: str) -> dict[tuple[int, int], Label]:
    """Labels of the numbers in table cells, each read after its row's first cell and its
    column's header: "| IBM | 1.8% |" under "| ticker | 95% 1-day VaR |" is IBM's 95% 1-day VaR."""
    labels: dict[tuple[int, int], Label] = {}
    header: list[str] | None = None
    offset = 0
    for line in text.split("\n"):
        at, offset = offset, offset + len(line) + 1
        if not line.lstrip().startswith("|"):
            header = None
            continue
        if _RULE.match(line):
            continue
        bars = [at + i for i, ch in enumerate(line) if ch == "|"]
        cells = list(zip([b + 1 for b in bars], bars[1:], strict=False))
        if header is None:
            header = [text[a:b].strip() for a, b in cells]
            continue
        first = text[cells[0][0] : cells[0][1]].strip() if cells else ""
        for i, (a, b) in enumerate(cells[1:], start=1):
            prefix = f"{first} {header[i] if i < len(header) else ''}: "
            for item in _label_text(prefix + text[a:b]):
                start, end = item.quantity.span
                if start >= len(prefix):
                    labels[start - len(prefix) + a, end - len(prefix) + a] = item.label
    return labels


def label_numbers(text: str) -> list[Labelled]:
    """Every number and date ``extract`` finds in ``text``, with what it is about (in a table,
    what its column and row name)."""
    out = _label_text(text)
    table = _table_labels(text) if "|" in text else {}
    return [Labelled(n.quantity, table.get(n.quantity.span, n.label)) for n in out]


def _segments(path: str) -> list[str]:
    path = path.removesuffix(" (key)").lower()
    return [p for p in re.split(r"[.\[\]]", path) if p and not p.isdigit()]


def path_label(
    path: str, siblings: Mapping[str, Any] | None = None, *, kind: str = ""
) -> tuple[frozenset[str], float | None, Horizon | None]:
    """The metrics, level and horizon of the evidence value at ``path`` (``values.results[0].var``)
    whose dict holds ``siblings``; every value of sentiment evidence is a sentiment."""
    parts = _segments(path)
    metrics = {name for name, key in _KEYS.items() for part in parts if key.search(part)}
    if kind == "sentiment":
        metrics.add("sentiment")
    level: float | None = None
    horizon: Horizon | None = None
    sib = siblings or {}
    if isinstance(sib.get("level"), int | float):
        level = float(sib["level"])
    for key in ("horizon_days", "horizon"):
        if isinstance(sib.get(key), int) and not isinstance(sib.get(key), bool):
            horizon = (int(sib[key]), "d")
    last = parts[-1] if parts else ""
    if m := _KEY_LEVEL.search(last):
        level, horizon = float(m.group(1)) / 100, (int(m.group(2)), m.group(3))
    elif horizon is None and (m := _KEY_HORIZON.search(last)):
        horizon = (int(m.group(1)), m.group(2) or "d")
    return frozenset(metrics), level, horizon
