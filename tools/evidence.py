"""Evidence: what every tool returns beside its short summary, and what answers cite.

An ``Evidence`` records what was computed (kind, values), for which ticker(s), as of which
date, over which data window, and from which source (provider, document, section, URL). Its id
is derived from its content, so the same computation on the same data always has the same id.
"""

from __future__ import annotations

import hashlib
import json
import math
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

EvidenceKind = Literal[
    "market",
    "technicals",
    "signal",
    "forecast",
    "backtest",
    "risk",
    "sentiment",
    "filing",
    "call",
    "news",
    "comparison",
    "portfolio",
    "period",  # realised statistics over a past window (tools.period)
    "figure",  # a figure read from a filing's tables (tools.figures)
    "track_record",  # how SignalDesk's own recorded calls did (tools.track_record)
]


class Window(BaseModel):
    model_config = ConfigDict(frozen=True)

    start: date | None = None
    end: date | None = None
    bars: int | None = None


def json_ready(value: Any) -> Any:
    """Dates to ISO strings, NaN/inf to None, tuples to lists, recursively."""
    if isinstance(value, dict):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return json_ready(value.item())
    return value


class Evidence(BaseModel):
    """One piece of evidence; ``values`` are JSON-ready and are what numbers are checked against."""

    model_config = ConfigDict(frozen=True)

    id: str
    kind: EvidenceKind
    tickers: tuple[str, ...]
    as_of: date
    window: Window = Window()
    source: dict[str, Any] = Field(default_factory=dict)
    values: dict[str, Any] = Field(default_factory=dict)
    summary: str = ""

    @classmethod
    def make(
        cls,
        *,
        kind: EvidenceKind,
        tickers: tuple[str, ...] | list[str],
        as_of: date,
        values: dict[str, Any],
        window: Window | None = None,
        source: dict[str, Any] | None = None,
        summary: str = "",
    ) -> Evidence:
        values = json_ready(values)
        source = json_ready(source or {})
        blob = json.dumps(
            [kind, list(tickers), as_of.isoformat(), values, source], sort_keys=True, default=str
        )
        digest = hashlib.sha256(blob.encode()).hexdigest()[:8]
        ident = f"E-{kind}-{'-'.join(tickers) or 'none'}-{as_of:%Y%m%d}-{digest}"
        return cls(
            id=ident,
            kind=kind,
            tickers=tuple(tickers),
            as_of=as_of,
            window=window or Window(),
            source=source,
            values=values,
            summary=summary,
        )
