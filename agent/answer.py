"""The final answer of a run, as data: the signal (copied from the signal tool's evidence, never
written by the model), cited reasons and risks, the data windows behind them, warnings, and the
Markdown the UI and CLI render."""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from quant.signals.action import Action
from tools.evidence import Evidence

__all__ = [
    "CITATION_GROUP",
    "DISCLAIMER",
    "EVIDENCE_ID",
    "Answer",
    "DataWindow",
    "Reason",
    "SignalComponent",
    "SignalView",
    "citation_ids",
]

DISCLAIMER = "Research, not investment advice."
PartName = Literal["technical", "sentiment", "ml"]
# The id ``Evidence.make`` builds: E-{kind}-{tickers joined by -, or none}-{YYYYMMDD}-{8 hex}.
EVIDENCE_ID = re.compile(r"E-[a-z]+-[A-Za-z0-9^.\-]+?-\d{8}-[0-9a-f]{8}(?![0-9A-Za-z])")
# How answers cite: [E-a] or [E-a, E-b] (every token starts with "E-"; it need not be a real id).
CITATION_GROUP = re.compile(r"\[\s*E-[^\s,;\[\]]*(?:[\s,;]+E-[^\s,;\[\]]*)*\s*\]")


def citation_ids(text: str) -> list[tuple[str, tuple[int, int]]]:
    """Evidence ids cited in ``text``: tokens of [E-...] brackets, and bare well-formed ids."""
    found: list[tuple[str, tuple[int, int]]] = []
    for group in CITATION_GROUP.finditer(text):
        for token in re.finditer(r"[^\s,;\[\]]+", group.group()):
            start = group.start() + token.start()
            found.append((token.group(), (start, start + len(token.group()))))
    taken = [m.span() for m in CITATION_GROUP.finditer(text)]
    for m in EVIDENCE_ID.finditer(text):
        if not any(a <= m.start() < b for a, b in taken):
            found.append((m.group(), m.span()))
    return sorted(found, key=lambda item: item[1])


class SignalComponent(BaseModel):
    """One part of the confluence: its score (None when absent), the weight it got, and why it
    is absent when it is."""

    model_config = ConfigDict(frozen=True)

    score: float | None = Field(default=None, ge=0.0, le=1.0)
    weight: float = Field(ge=0.0, le=1.0)
    reason: str = ""


class SignalView(BaseModel):
    """The signal as the answer shows it; built from the signal evidence by code."""

    model_config = ConfigDict(frozen=True)

    action: Action
    score: float = Field(ge=0.0, le=1.0)
    confidence: float = Field(ge=0.0, le=1.0)
    position_size: float = Field(ge=-1.0, le=1.0)
    components: dict[PartName, SignalComponent]
    regime: str | None = None
    evidence_id: str

    @classmethod
    def from_evidence(cls, evidence: Evidence) -> SignalView:
        """The view of a ``signal`` evidence (see ``tools.signal.signal_evidence``)."""
        if evidence.kind != "signal":
            raise ValueError(f"{evidence.id} is {evidence.kind} evidence, not a signal")
        v = evidence.values
        return cls(
            action=v["action"],
            score=v["score"],
            confidence=v["confidence"],
            position_size=v["position_size"],
            components={
                name: SignalComponent(
                    score=part["score"], weight=part["weight"], reason=part.get("reason", "")
                )
                for name, part in v["components"].items()
            },
            regime=v.get("regime"),
            evidence_id=evidence.id,
        )


class Reason(BaseModel):
    """A sentence or two of explanation and the evidence ids that back it (at least one)."""

    model_config = ConfigDict(frozen=True)

    text: str = Field(min_length=1)
    citations: list[str] = Field(min_length=1)


class DataWindow(BaseModel):
    """The data an evidence was computed on: first and last bar and the number of bars."""

    model_config = ConfigDict(frozen=True)

    evidence_id: str
    start: date | None = None
    end: date | None = None
    bars: int | None = None

    @classmethod
    def from_evidence(cls, evidence: Evidence) -> DataWindow:
        w = evidence.window
        return cls(evidence_id=evidence.id, start=w.start, end=w.end, bars=w.bars)


class Answer(BaseModel):
    """What a run answers. ``markdown`` is the rendered text; everything it states is checked
    against the run's ledger by ``agent.verifier.verify``."""

    model_config = ConfigDict(frozen=True)

    question: str
    tickers: list[str] = Field(default_factory=list)
    as_of: date
    signal: SignalView | None = None
    reasons: list[Reason] = Field(default_factory=list)
    risks: list[Reason] = Field(default_factory=list)
    data_windows: list[DataWindow] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    markdown: str = ""
    disclaimer: str = DISCLAIMER
    refused: bool = False
    refusal_reason: str | None = None

    @model_validator(mode="after")
    def _refusal_has_a_reason(self) -> Answer:
        if self.refused and not self.refusal_reason:
            raise ValueError("a refused answer needs a refusal_reason")
        if not self.refused and self.refusal_reason is not None:
            raise ValueError("refusal_reason is only for refused answers")
        return self

    @classmethod
    def refusal(
        cls, *, question: str, as_of: date, reason: str, tickers: list[str] | None = None
    ) -> Answer:
        """An answer that declines, saying why (shown to the user as the Markdown too)."""
        return cls(
            question=question,
            tickers=tickers or [],
            as_of=as_of,
            markdown=reason,
            refused=True,
            refusal_reason=reason,
        )
