"""Passages from ingested filings, earnings calls and news, as citable evidence.

Point in time: only documents available on or before ``ctx.as_of`` can be returned. Passage
text is data, not instructions: chunks that look like instructions to a model are marked, and
the summary quotes the text after a "document text:" marker. Images and HTML tags in the text are
made inert (``retrieval.inert``) before anything quotes it, so no view of a passage fetches.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from retrieval.inert import inert_text
from retrieval.store.base import Filters
from retrieval.types import Passage
from tools.context import ToolContext
from tools.evidence import Evidence, Window
from tools.runtime import ToolInputError

Kind = Literal["filing", "call", "news"]


class NoIndexError(LookupError):
    """No document index is configured for this run."""


def passage_evidence(passage: Passage, *, ctx: ToolContext) -> Evidence:
    c = passage.chunk
    kind = c.kind if c.kind in ("filing", "call", "news") else "filing"
    where = " ".join(x for x in (c.ticker, c.form, c.fiscal_period, c.section) if x)
    text = inert_text(c.text)
    return Evidence.make(
        kind=kind,
        tickers=[c.ticker] if c.ticker else [],
        as_of=ctx.as_of,
        values={
            "passage_id": passage.id,
            "text": text,
            "score": passage.score,
            "rank": passage.rank,
            "method": passage.method,
            "injection_suspected": c.injection_suspected,
        },
        window=Window(end=c.available_on),
        source={
            "document": c.doc_id,
            "form": c.form,
            "fiscal_period": c.fiscal_period,
            "section": c.section,
            "section_title": c.section_title,
            "filed": c.available_on,
            "path": c.source,
            "chars": [c.char_start, c.char_end],
        },
        summary=f"{where} (available {c.available_on}): "
        + (
            "[passage withheld: it contains instructions aimed at an AI assistant]"
            if c.injection_suspected
            else f'document text: "{" ".join(text[:280].split())}"'
        ),
    )


def _fiscal_periods(year: int | None) -> tuple[str, ...] | None:
    """The fiscal-period labels of a fiscal year: the 10-K's and the 10-Qs' (see parsing)."""
    if year is None:
        return None
    return (f"FY{year}", *(f"{year}Q{q}" for q in range(1, 5)))


def search_evidence(
    ctx: ToolContext,
    query: str,
    *,
    ticker: str | None = None,
    form: str | None = None,
    kinds: tuple[Kind, ...] | None = None,
    section: str | None = None,
    fiscal_year: int | None = None,
    filed_after: date | None = None,
    filed_before: date | None = None,
    k: int = 5,
) -> list[Evidence]:
    """The ``k`` best passages for ``query`` (hybrid BM25 + dense) among documents available by
    ``ctx.as_of``, optionally restricted to a ticker, form, section, fiscal year, kind and a
    filing-date window (``filed_after``/``filed_before``, inclusive, never past ``ctx.as_of``).
    ToolInputError when the window is reversed."""
    if ctx.index is None:
        raise NoIndexError("no document index configured: ingest documents first")
    if filed_after and filed_before and filed_after > filed_before:
        raise ToolInputError(f"filed_after {filed_after} is after filed_before {filed_before}")
    latest = min(ctx.as_of, filed_before) if filed_before else ctx.as_of
    if filed_after is not None and filed_after > latest:
        return []  # nothing filed in the window was available by the as-of date
    filters = Filters(
        tickers=(ticker.upper(),) if ticker else None,
        forms=(form.upper(),) if form else None,
        sections=(section,) if section else None,
        fiscal_periods=_fiscal_periods(fiscal_year),
        kinds=kinds,
        available_on_min=filed_after,
        available_on_max=latest,
    )
    passages = ctx.index().search(query, k=k, filters=filters)
    return [passage_evidence(p, ctx=ctx) for p in passages]
