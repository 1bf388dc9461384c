"""The run's ledger: every piece of evidence, and the numbers and dates that evidence supports.

A number is supported when it is a numeric value anywhere in an evidence's ``values`` or
``source`` (recursively, digits in key names such as ``rsi_14`` included), its window's bar
count, or a number written in one of its strings: the summary, passage texts of filings, calls
and news, notes. A date is supported when it is the evidence's as-of date, a window bound, or
written in any of those strings. ``extract`` is the one grammar for "what numbers does this text
state": the ledger reads evidence with it and the verifier reads answers with it.

Each number is labelled with what it is about (``agent.metrics``: the metrics, VaR level and
horizon of its key path, or of its sentence in a string), and numbers that state nothing about
the market are kept but marked ``fact=False``: the text of a passage flagged as a possible
prompt injection (withheld from the model), ids, seeds, fingerprints, retrieval scores and
ranks, and source strings other than a document's form, period, section and filing date.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from agent.metrics import Horizon, label_numbers, path_label
from agent.numbers import UNIT_FACTOR, Period, Quantity, extract
from tools.evidence import Evidence, EvidenceKind

__all__ = [
    "Ledger",
    "NumberFact",
    "Period",
    "PeriodFact",
    "Quantity",
    "UnknownEvidenceError",
    "extract",
]

_LOSS_KEYS = re.compile(r"^(?:c?var|es|expected_shortfall)$|loss|drawdown")
# keys whose numbers are identifiers or bookkeeping, not facts (matched on the last key)
_NOT_FACT_KEYS = re.compile(
    r"(?:^|_)ids?$|^(?:seed|fingerprint|config_fingerprint|config|document|doc_id|path|url|"
    r"chars|evidence)$"
)
_PASSAGE_KINDS = ("filing", "call", "news")
# the source strings an answer may restate: where in which document, filed when
_SOURCE_FACTS = ("source.form", "source.fiscal_period", "source.section", "source.filed")


class UnknownEvidenceError(KeyError):
    """No evidence with this id was recorded in this run."""


@dataclass(frozen=True, slots=True)
class NumberFact:
    """A number the ledger holds, as a plain amount (fractions for percentages written in text).
    either_sign: losses (VaR, drawdowns) and unsigned numbers read from text may be written with
    either sign."""

    value: float
    evidence_id: str
    path: str
    either_sign: bool = False
    metrics: frozenset[str] = frozenset()  # what it is a value of: "var", "rsi", "confidence"...
    level: float | None = None  # the VaR level it is at (0.95)
    horizon: Horizon | None = None  # (count, unit): (1, "d") for a 1-day VaR, (14, "d") for RSI(14)
    fact: bool = True  # False: an id, a seed, a source string, a withheld passage's text


@dataclass(frozen=True, slots=True)
class PeriodFact:
    period: Period
    evidence_id: str
    path: str
    fact: bool = True


def _key_words(key: str) -> str:
    """A key as words: ``return_20d`` -> "return 20 d", ``high_52w`` -> "high 52 w"."""
    return re.sub(r"(?<=\d)(?=[a-z])", " ", key.replace("_", " "))


def _is_loss(path: str) -> bool:
    return any(_LOSS_KEYS.search(part) for part in re.split(r"[.\[\]]", path.lower()) if part)


def _is_fact(ev: Evidence, path: str) -> bool:
    """Whether the number at ``path`` of ``ev`` states something about the market."""
    if path.startswith("source"):
        return path.startswith(_SOURCE_FACTS)
    last = re.split(r"[.\[\]]", path.removesuffix(" (key)"))
    key = next((p for p in reversed(last) if p and not p.isdigit()), "")
    if _NOT_FACT_KEYS.search(key.lower()):
        return False
    if ev.kind in _PASSAGE_KINDS and path in ("values.score", "values.rank"):
        return False  # retrieval bookkeeping
    withheld = bool(ev.values.get("injection_suspected"))
    return not (withheld and path.startswith("values.text"))


class _Reader:
    """The numbers and dates of one evidence, labelled (``_facts``)."""

    def __init__(self, ev: Evidence) -> None:
        self.ev = ev
        self.numbers: list[NumberFact] = []
        self.periods: list[PeriodFact] = []

    def number(self, value: float, path: str, siblings: dict[str, Any] | None) -> NumberFact:
        """A value at ``path``, labelled by its keys and its ``siblings`` (level, horizon)."""
        metrics, level, horizon = path_label(path, siblings, kind=self.ev.kind)
        return NumberFact(
            value, self.ev.id, path, either_sign=_is_loss(path), metrics=metrics,
            level=level, horizon=horizon, fact=_is_fact(self.ev, path),
        )  # fmt: skip

    def read(self, text: str, path: str, keyed: NumberFact | None = None) -> None:
        """The numbers and dates written in ``text``; keyed: the label of the key they are in."""
        fact = _is_fact(self.ev, path)
        for item in label_numbers(text):
            q, label = item.quantity, item.label
            if q.period is not None:
                self.periods.append(PeriodFact(q.period, self.ev.id, path, fact=fact))
            if q.literal is None:
                continue
            amount = q.literal * q.scale * UNIT_FACTOR[q.unit]
            if keyed is not None:
                fact_ = dataclasses.replace(keyed, value=amount, either_sign=not q.signed)
            else:
                metrics = {label.metric} if label.metric else set()
                if self.ev.kind == "sentiment":
                    metrics.add("sentiment")
                fact_ = NumberFact(
                    amount, self.ev.id, path, either_sign=not q.signed,
                    metrics=frozenset(metrics), level=label.level, horizon=label.horizon,
                    fact=fact,
                )  # fmt: skip
            self.numbers.append(fact_)

    def walk(self, node: Any, path: str, siblings: dict[str, Any] | None = None) -> None:
        if isinstance(node, dict):
            for key, child in node.items():
                keyed = self.number(0.0, f"{path}.{key} (key)", node)
                self.read(_key_words(str(key)), f"{path}.{key} (key)", keyed)
                self.walk(child, f"{path}.{key}", node)
        elif isinstance(node, list):
            for i, child in enumerate(node):
                self.walk(child, f"{path}[{i}]")
        elif isinstance(node, str):
            self.read(node, path)
        elif isinstance(node, int | float) and not isinstance(node, bool):
            self.numbers.append(self.number(float(node), path, siblings))


def _facts(ev: Evidence) -> tuple[list[NumberFact], list[PeriodFact]]:
    reader = _Reader(ev)
    reader.walk(ev.values, "values")
    reader.walk(ev.source, "source")
    reader.read(ev.summary, "summary")
    numbers, periods = reader.numbers, reader.periods
    w = ev.window
    for name, day in (("as_of", ev.as_of), ("window.start", w.start), ("window.end", w.end)):
        if day is not None:
            periods.append(PeriodFact(Period(day.year, day.month, day.day), ev.id, name))
    if ev.window.bars is not None:
        numbers.append(NumberFact(float(ev.window.bars), ev.id, "window.bars"))
    return numbers, periods


class Ledger:
    """All evidence of one run, in the order it arrived, with the numbers and dates it supports.

    Adding the same evidence twice keeps one copy; a different evidence under an id already held
    is a fault in the tool that made it and raises ``ValueError``.
    """

    def __init__(self, evidence: Iterable[Evidence] = ()) -> None:
        self._items: dict[str, Evidence] = {}
        self._numbers: list[NumberFact] = []
        self._periods: list[PeriodFact] = []
        self.extend(evidence)

    def add(self, evidence: Evidence) -> Evidence:
        held = self._items.get(evidence.id)
        if held is not None:
            if held != evidence:
                raise ValueError(f"two different evidences share the id {evidence.id}")
            return held
        self._items[evidence.id] = evidence
        numbers, periods = _facts(evidence)
        self._numbers.extend(numbers)
        self._periods.extend(periods)
        return evidence

    def extend(self, evidence: Iterable[Evidence]) -> None:
        for ev in evidence:
            self.add(ev)

    def get(self, evidence_id: str) -> Evidence:
        try:
            return self._items[evidence_id]
        except KeyError:
            raise UnknownEvidenceError(evidence_id) from None

    def __contains__(self, evidence_id: object) -> bool:
        return evidence_id in self._items

    def __iter__(self) -> Iterator[Evidence]:
        return iter(self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def by_kind(self, kind: EvidenceKind) -> list[Evidence]:
        return [ev for ev in self if ev.kind == kind]

    def by_ticker(self, ticker: str) -> list[Evidence]:
        wanted = ticker.upper()
        return [ev for ev in self if wanted in (t.upper() for t in ev.tickers)]

    def tickers(self) -> set[str]:
        return {t for ev in self for t in ev.tickers}

    @property
    def numbers(self) -> tuple[NumberFact, ...]:
        """Every supported number, in evidence order."""
        return tuple(self._numbers)

    @property
    def periods(self) -> tuple[PeriodFact, ...]:
        """Every supported date (as-of dates, window bounds, dates written in strings)."""
        return tuple(self._periods)
