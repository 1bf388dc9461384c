"""Passages from ingested filings, earnings calls and news, as citable evidence.

Point in time: only documents available on or before ``ctx.as_of`` can be returned. Passage
text is data, not instructions: chunks that look like instructions to a model are marked, and
the summary quotes the text after a "document text:" marker. Images and HTML tags in the text are
made inert (``retrieval.inert``) before anything quotes it, so no view of a passage fetches.

Scope. The documents in scope are found in the index's catalog first (``retrieval.catalog``,
read without loading any model): when none is indexed for the ticker and kind by the as-of date
the search returns nothing at once, and ``nothing_indexed`` says what to ingest. ``latest`` keeps
the latest filing of the form (a 10-K when no form is given) filed by the as-of date, per
ticker; ``fiscal_year`` keeps that year's filing (its 10-K when there is one). Either way the
passages come from one filing per ticker. ``subsection`` ("Competition") keeps the passages
under that heading inside the section (``retrieval.headings``); when the filing has no such
heading the passages of the section are returned and ``source.subsection`` is None.

Summary. The passages of each filing carry an extractive summary (``retrieval.summarize``):
the passage evidence a summary sentence comes from holds it in ``values["summary"]`` as
``{"order": 1.., "text": <verbatim sentence>, "score": <0..1>}`` (order counts within the
filing, 1 = the most relevant sentence).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, Literal

from retrieval.catalog import (
    CatalogUnreadableError,
    DocumentCatalog,
    IndexedDocument,
    document_text,
    latest_per_ticker,
)
from retrieval.headings import find_subsection
from retrieval.inert import inert_text
from retrieval.store.base import Filters
from retrieval.summarize import SummarySentence, summarize
from retrieval.types import Chunk, Passage
from tools.context import ToolContext
from tools.evidence import Evidence, Window
from tools.runtime import ToolInputError

Kind = Literal["filing", "call", "news"]
_PLURAL = {"filing": "filings", "call": "earnings calls", "news": "news items"}
_SUBSECTION_DEPTH = 50  # passages of the filing searched for those under a subheading


class NoIndexError(LookupError):
    """No document index is configured for this run."""


def passage_evidence(
    passage: Passage,
    *,
    ctx: ToolContext,
    summary: Sequence[SummarySentence] = (),
    subsection: str | None = None,
) -> Evidence:
    """The evidence of one passage; ``summary`` holds the summary sentences taken from it and
    ``subsection`` the heading it was found under, when one was asked for."""
    c = passage.chunk
    kind = c.kind if c.kind in ("filing", "call", "news") else "filing"
    where = " ".join(x for x in (c.ticker, c.form, c.fiscal_period, c.section, subsection) if x)
    text = inert_text(c.text)
    values: dict[str, Any] = {
        "passage_id": passage.id,
        "text": text,
        "score": passage.score,
        "rank": passage.rank,
        "method": passage.method,
        "injection_suspected": c.injection_suspected,
    }
    source: dict[str, Any] = {
        "document": c.doc_id,
        "form": c.form,
        "fiscal_period": c.fiscal_period,
        "section": c.section,
        "section_title": c.section_title,
        "filed": c.available_on,
        "path": c.source,
        "chars": [c.char_start, c.char_end],
    }
    if subsection is not None:
        source["subsection"] = subsection
    key = ""
    if summary and not c.injection_suspected:
        values["summary"] = [
            {"order": s.order, "text": inert_text(s.text), "score": s.score} for s in summary
        ]
        key = " key sentences: " + " ".join(f'"{inert_text(s.text)}"' for s in summary)
    return Evidence.make(
        kind=kind,
        tickers=[c.ticker] if c.ticker else [],
        as_of=ctx.as_of,
        values=values,
        window=Window(end=c.available_on),
        source=source,
        summary=f"{where} (available {c.available_on}): "
        + (
            "[passage withheld: it contains instructions aimed at an AI assistant]"
            if c.injection_suspected
            else f'document text: "{" ".join(text[:280].split())}"' + key
        ),
    )


def _fiscal_periods(year: int | None) -> tuple[str, ...] | None:
    """The fiscal-period labels of a fiscal year: the 10-K's and the 10-Qs' (see parsing)."""
    if year is None:
        return None
    return (f"FY{year}", *(f"{year}Q{q}" for q in range(1, 5)))


def catalog_of(ctx: ToolContext) -> DocumentCatalog:
    """The run's catalog of indexed documents: ``ctx.catalog`` (no model loaded) when set,
    else (and when its file is unreadable) the index itself."""
    if ctx.catalog is not None:
        catalog: DocumentCatalog = ctx.catalog()
        try:
            catalog.documents()  # read once (the catalog keeps it)
            return catalog
        except CatalogUnreadableError:
            pass  # a torn chunks file: the index rebuilds it from its vector store
    if ctx.index is None:
        raise NoIndexError("no document index configured: ingest documents first")
    opened: DocumentCatalog = ctx.index()
    return opened


def nothing_indexed(ctx: ToolContext, *, kind: Kind, ticker: str | None) -> str | None:
    """Why a search of ``kind`` documents for ``ticker`` cannot find anything, when nothing of
    that kind (for that ticker) was indexed by the as-of date; None when something was."""
    symbol = ticker.upper() if ticker else None
    if any(
        d.kind == kind and (symbol is None or d.ticker == symbol) and d.available_on <= ctx.as_of
        for d in catalog_of(ctx).documents()
    ):
        return None
    who = f" for {symbol}" if symbol else ""
    how = f"`signaldesk ingest edgar {symbol}` or " if kind == "filing" and symbol else ""
    return (
        f"no {_PLURAL[kind]} are indexed{who} up to {ctx.as_of}; ingest them with "
        f"{how}`signaldesk ingest folder DIR`"
    )


def _in_scope(
    docs: Sequence[IndexedDocument],
    filters: Filters,
    *,
    one_per_ticker: bool,
    fiscal_year: int | None,
) -> list[IndexedDocument]:
    """The documents passing ``filters``; with ``one_per_ticker`` only each ticker's latest (for
    a fiscal year, its annual report when there is one)."""
    found = [d for d in docs if filters.matches(_probe(d))]
    if not one_per_ticker:
        return found
    if fiscal_year is not None:
        annual = [d for d in found if d.fiscal_period == f"FY{fiscal_year}"]
        have = {d.ticker for d in annual}
        found = annual + [d for d in found if d.ticker not in have]
    return latest_per_ticker(found)


def _probe(doc: IndexedDocument) -> Chunk:
    """A chunk carrying ``doc``'s metadata, to test it against ``Filters`` (sections aside)."""
    return Chunk(
        id=doc.doc_id,
        doc_id=doc.doc_id,
        kind=doc.kind,
        ticker=doc.ticker,
        form=doc.form,
        fiscal_period=doc.fiscal_period,
        available_on=doc.available_on,
        section="",
        source=doc.source,
        char_start=0,
        char_end=0,
        text="",
    )


def search_evidence(
    ctx: ToolContext,
    query: str,
    *,
    ticker: str | None = None,
    form: str | None = None,
    kinds: tuple[Kind, ...] | None = None,
    section: str | None = None,
    subsection: str | None = None,
    fiscal_year: int | None = None,
    latest: bool = False,
    filed_after: date | None = None,
    filed_before: date | None = None,
    k: int = 5,
) -> list[Evidence]:
    """The ``k`` best passages for ``query`` (hybrid BM25 + dense) among documents available by
    ``ctx.as_of``, optionally restricted to a ticker, form, section (and a subsection inside
    it), fiscal year or the latest filing, kind and a filing-date window (``filed_after``/
    ``filed_before``, inclusive, never past ``ctx.as_of``), with the summary sentences of each
    filing on the passages they come from. ToolInputError when the window is reversed."""
    if ctx.index is None:
        raise NoIndexError("no document index configured: ingest documents first")
    if filed_after and filed_before and filed_after > filed_before:
        raise ToolInputError(f"filed_after {filed_after} is after filed_before {filed_before}")
    last_day = min(ctx.as_of, filed_before) if filed_before else ctx.as_of
    if filed_after is not None and filed_after > last_day:
        return []  # nothing filed in the window was available by the as-of date
    if latest and form is None:
        form = "10-K"  # "the latest filing" without a form: the annual report
    scope = Filters(
        tickers=(ticker.upper(),) if ticker else None,
        forms=(form.upper(),) if form else None,
        fiscal_periods=_fiscal_periods(fiscal_year),
        kinds=kinds,
        available_on_min=filed_after,
        available_on_max=last_day,
    )
    catalog = catalog_of(ctx)
    one = latest or fiscal_year is not None
    docs = _in_scope(catalog.documents(), scope, one_per_ticker=one, fiscal_year=fiscal_year)
    if not docs:
        return []  # decided from the catalog: no model loaded, no search run
    filters = scope.model_copy(
        update={
            "sections": (section,) if section else None,
            "doc_ids": tuple(d.doc_id for d in docs) if one else None,
        }
    )
    index = ctx.index()
    heads: dict[str, tuple[str, int, int]] = {}
    if subsection:
        passages, heads = _under_subsection(index, catalog, docs, filters, query, subsection, k)
    else:
        passages = index.search(query, k=k, filters=filters)
    return _with_summaries(ctx, index, query, subsection, passages, heads)


def _under_subsection(
    index: Any,
    catalog: DocumentCatalog,
    docs: Sequence[IndexedDocument],
    filters: Filters,
    query: str,
    subsection: str,
    k: int,
) -> tuple[list[Passage], dict[str, tuple[str, int, int]]]:
    """The passages under the heading ``subsection`` in each document (in the section asked),
    best first, and each document's heading (title, start, end); a document without that
    heading gives its section's best passages."""
    found: list[Passage] = []
    heads: dict[str, tuple[str, int, int]] = {}
    for doc in docs:
        where = filters.model_copy(update={"doc_ids": (doc.doc_id,)})
        ranked = index.search(f"{subsection} {query}", k=_SUBSECTION_DEPTH, filters=where)
        chunks = [c for c in catalog.document_chunks(doc.doc_id) if where.matches(c)]
        head = find_subsection(
            document_text(chunks),
            subsection,
            start=min((c.char_start for c in chunks), default=0),
            end=max((c.char_end for c in chunks), default=0),
        )
        if head is None:
            found += ranked[:k]
            continue
        heads[doc.doc_id] = (head.title, head.start, head.end)
        inside = [p for p in ranked if _overlaps(p.chunk, head.start, head.end)]
        seen = {p.chunk.id for p in inside}
        inside += [
            Passage(id=f"P-{c.id}", chunk=c, score=0.0, rank=0, method="bm25")
            for c in chunks
            if c.id not in seen and _overlaps(c, head.start, head.end)
        ]
        found += [p.model_copy(update={"rank": r}) for r, p in enumerate(inside[:k], start=1)]
    return found, heads


def _overlaps(chunk: Chunk, start: int, end: int) -> bool:
    return chunk.char_start < end and start < chunk.char_end


def _with_summaries(
    ctx: ToolContext,
    index: Any,
    query: str,
    subsection: str | None,
    passages: list[Passage],
    heads: dict[str, tuple[str, int, int]],
) -> list[Evidence]:
    """Evidence for ``passages``, each filing's summary sentences on the passages they are from."""
    embedder = getattr(index, "embedder", None)
    by_passage: dict[str, list[SummarySentence]] = {}
    for doc_id in dict.fromkeys(p.chunk.doc_id for p in passages):
        group = [p for p in passages if p.chunk.doc_id == doc_id]
        spans = None
        if doc_id in heads:
            _, start, end = heads[doc_id]
            spans = {
                p.id: (
                    max(0, start - p.chunk.char_start),
                    min(end, p.chunk.char_end) - p.chunk.char_start,
                )
                for p in group
            }
        topic = f"{subsection} {query}" if subsection else query
        for sentence in summarize(topic, group, spans=spans, embedder=embedder):
            by_passage.setdefault(sentence.passage_id, []).append(sentence)
    return [
        passage_evidence(
            p,
            ctx=ctx,
            summary=by_passage.get(p.id, ()),
            subsection=heads[p.chunk.doc_id][0] if p.chunk.doc_id in heads else None,
        )
        for p in passages
    ]
