"""Eval suites as data: ``evals/suites/NAME.yaml``, one case per question or short conversation.

A case names what the agent must do, never a literal answer: the expected signal is whatever the
deterministic ``signal`` tool says at the case's as-of date, and a fact is a value read from a
tool's evidence (a ``path`` into its values) that must appear in the answer within a tolerance.

```yaml
name: core
cases:
  - id: risk-ibm-99
    question: "What is IBM's 99% one-day VaR?"
    as_of: 2011-12-30
    tags: [risk]
    expect:
      tools: {must: [risk], must_not: [signal]}
      tickers: [IBM]
      facts:
        - {tool: risk, args: {ticker: IBM}, percent: true,
           path: "results[method=historical,level=0.99,horizon_days=1].var"}
      citations: [risk]
      forbid: ["guaranteed"]
```
"""

from __future__ import annotations

from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

__all__ = [
    "AnswerExpect",
    "Case",
    "Expect",
    "Fact",
    "Suite",
    "SuiteCalls",
    "SuiteDocument",
    "SuiteError",
    "Said",
    "ToolExpect",
    "Which",
    "available_suites",
    "load_suite",
]


class SuiteError(ValueError):
    """A suite file that cannot be used: unknown name, bad YAML, or a case that is malformed."""


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ToolExpect(_Model):
    must: list[str] = Field(default_factory=list)  # every one must be called
    may: list[str] = Field(default_factory=list)  # allowed extras (count as precise)
    must_not: list[str] = Field(default_factory=list)


class Fact(_Model):
    """A number the answer must state: ``tool(args)`` evaluated at the case's as-of date, then
    ``path`` into the first evidence's values (``a.b``, ``list[key=value,...]``, ``list.0``)."""

    tool: str
    args: dict[str, Any] = Field(default_factory=dict)
    path: str
    percent: bool = False  # the answer writes it as a percentage (0.0384 -> 3.84%)
    tolerance: float = Field(default=0.01, ge=0)  # absolute, in the written unit
    absolute: bool = False  # compare |value| (a loss written without its sign)
    # The evidence's unit in plain numbers: 1e6 for a table "in millions". A number written with
    # a magnitude ("$65.2 billion") is compared in plain numbers, one written without it
    # ("65,225") in the evidence's unit; the tolerance is in the evidence's unit.
    scale: float = Field(default=1.0, gt=0)


class Said(_Model):
    """A word the answer must state, read from a tool's evidence at the case's as-of date (the
    signal's ``action``, its ``regime``): ``tool(args)``, then ``path`` into the first evidence's
    values, as for a Fact."""

    tool: str
    args: dict[str, Any] = Field(default_factory=dict)
    path: str


class Which(_Model):
    """The company a "which is more X" answer must name first: of ``tickers``, the one whose
    ``by_ticker.<T>.<key>`` in ``tool(args)``'s evidence is the largest (``pick: max``) or the
    smallest (``min``). Tickers the evidence lists as unavailable are left out."""

    tool: str = "compare"
    args: dict[str, Any] = Field(default_factory=dict)
    key: str
    pick: Literal["max", "min"] = "max"


class AnswerExpect(_Model):
    """What the answer's first sentence must carry (see ``evals.answer_first``): every fact's
    reference value, at least one of ``any``, every one of ``all`` (whole words, any case), every
    ``said`` word, the ``which`` company named before the other, and for ``decline`` a refused
    answer whose first sentence is the decline."""

    facts: list[Fact] = Field(default_factory=list)
    any: list[str] = Field(default_factory=list)
    all: list[str] = Field(default_factory=list)
    said: list[Said] = Field(default_factory=list)
    which: Which | None = None
    decline: bool = False

    @model_validator(mode="after")
    def _checks_something(self) -> AnswerExpect:
        if not (self.facts or self.any or self.all or self.said or self.which or self.decline):
            raise ValueError("an answer expectation needs facts, any, all, said, which or decline")
        return self


class Expect(_Model):
    tools: ToolExpect = ToolExpect()
    tickers: list[str] | None = None  # the answer's tickers, exactly (order ignored)
    signal: str | None = None  # ticker whose deterministic signal the answer must report
    facts: list[Fact] = Field(default_factory=list)
    citations: list[str] = Field(default_factory=list)  # evidence kinds that must be cited
    phrases: list[str] = Field(default_factory=list)  # must appear (case-insensitive)
    forbid: list[str] = Field(default_factory=list)  # must not appear (case-insensitive)
    refuse: bool = False
    answer: AnswerExpect | None = None  # checked on the answer's first sentence


class Case(_Model):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    question: str | None = None
    turns: list[str] | None = None  # a conversation: expectations apply to the last turn
    as_of: date | None = None
    tags: list[str] = Field(default_factory=list)
    expect: Expect = Expect()
    note: str = ""

    @model_validator(mode="after")
    def _one_way_to_ask(self) -> Case:
        if (self.question is None) == (self.turns is None):
            raise ValueError("give either question or turns")
        if self.turns is not None and not self.turns:
            raise ValueError("turns is empty")
        return self

    @property
    def messages(self) -> list[str]:
        return list(self.turns) if self.turns is not None else [self.question or ""]


class SuiteDocument(_Model):
    """A document indexed before the suite runs (e.g. a filing with an injected instruction)."""

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    ticker: str
    kind: Literal["filing", "call", "news"] = "filing"
    date: date
    text: str = Field(min_length=1)


class SuiteCalls(_Model):
    """Calls recorded in the track record (``predictions``) before the suite runs: a signal call
    on ``ticker`` at 1, 5 and 20 bars on each day, Friday or last weekday of the month
    (``every``) from ``start`` to ``end``, actions cycling through ``actions``, shown by
    ``source``. Their outcomes are what the prices say (the track record scores them)."""

    ticker: str
    start: date
    end: date
    every: Literal["day", "week", "month"] = "week"
    actions: list[Literal["STRONG BUY", "BUY", "HOLD", "SELL", "STRONG SELL"]] = Field(min_length=1)
    source: str = Field(default="replay", pattern=r"^[a-z][a-z0-9_-]{0,31}$")


class Suite(_Model):
    name: str
    description: str = ""
    documents: list[SuiteDocument] = Field(default_factory=list)
    calls: list[SuiteCalls] = Field(default_factory=list)
    cases: list[Case] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> Suite:
        seen: set[str] = set()
        for case in self.cases:
            if case.id in seen:
                raise ValueError(f"case id {case.id!r} is used twice")
            seen.add(case.id)
        return self


def _suites_dir() -> Path:
    return Path(str(resources.files("evals").joinpath("suites")))


def available_suites() -> list[str]:
    return sorted(p.stem for p in _suites_dir().glob("*.yaml"))


def _reason(err: Exception) -> str:
    """One line for a file that could not be read or parsed (YAML's own message spans lines)."""
    if isinstance(err, UnicodeDecodeError):
        return f"not UTF-8 text (byte {err.start})"
    if isinstance(err, yaml.MarkedYAMLError) and err.problem_mark is not None:
        mark = err.problem_mark
        return f"invalid YAML: {err.problem} (line {mark.line + 1}, column {mark.column + 1})"
    return " ".join(str(err).split())


def load_suite(name_or_path: str | Path) -> Suite:
    """A bundled suite by name (``core``) or a YAML file by path."""
    path = Path(name_or_path)
    if path.suffix not in (".yaml", ".yml"):
        path = _suites_dir() / f"{name_or_path}.yaml"
        if not path.exists():
            known = ", ".join(available_suites()) or "none"
            raise SuiteError(f"no suite {str(name_or_path)!r}: bundled suites are {known}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
        raise SuiteError(f"cannot read suite {path}: {_reason(err)}") from None
    try:
        return Suite.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise SuiteError(f"{path}: {where}: {first['msg']}") from None
