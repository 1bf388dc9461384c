"""SignalDesk's point-in-time hybrid retriever as a LlamaIndex retriever.

``PointInTimeRetriever`` is a LlamaIndex ``BaseRetriever`` over a SignalDesk ``Index`` (or a
``HybridRetriever``): it runs the same search SignalDesk's own tools run (BM25 + MiniLM dense,
fused by rank) and returns ``NodeWithScore``s, so it drops into a ``RetrieverQueryEngine``, a
router or any LlamaIndex pipeline that takes a retriever.

Point in time. ``as_of`` is required and fixed when the retriever is built: every search carries
``available_on_max=as_of`` into the index, where both the vector store and BM25 apply it before
ranking, and every passage that comes back is checked against the retriever's filters again
(a passage filed after ``as_of`` raises ``LookAheadError``: a broken store, never a result). A
query is only its text: a ``QueryBundle``'s precomputed embedding or custom embedding strings
are ignored, so nothing a caller passes with the query can widen what the retriever sees.

Nodes. One ``TextNode`` per passage, its ``node_id`` the passage's citation id (``"P-"`` + chunk
id, the ``passage_id`` of SignalDesk's evidence), ``start_char_idx``/``end_char_idx`` the chunk's
offsets into its document, the document as the node's SOURCE relationship, and the metadata in
``NODE_METADATA_KEYS`` (dates as ISO strings). The text is what SignalDesk shows a model: HTML
and images made inert (``retrieval.inert``), and a passage flagged as a possible prompt
injection withheld (its metadata says so), exactly as ``tools.documents`` does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, Protocol

from llama_index.core.callbacks import CallbackManager
from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import (
    NodeRelationship,
    NodeWithScore,
    QueryBundle,
    RelatedNodeInfo,
    TextNode,
)
from pydantic import ValidationError

from retrieval.inert import inert_text
from retrieval.retriever import HybridRetriever, Mode
from retrieval.store.base import Filters
from retrieval.types import DocKind, Passage

__all__ = [
    "NODE_METADATA_KEYS",
    "WITHHELD_TEXT",
    "LookAheadError",
    "PassageSearch",
    "PointInTimeRetriever",
    "passage_node",
]

WITHHELD_TEXT = "[passage withheld: it contains instructions aimed at an AI assistant]"
NODE_METADATA_KEYS = (
    "passage_id",  # the citation id, also the node id
    "chunk_id",
    "doc_id",
    "ticker",
    "kind",  # "filing", "call", "news", "other"
    "form",
    "fiscal_period",  # "FY2012", "2012Q3"
    "filed",  # ISO date the document became available (filing, call or publication date)
    "section",
    "section_title",
    "source",  # path or URL a reader can follow
    "char_start",
    "char_end",
    "injection_suspected",
    "method",
    "rank",
)
# What a response synthesizer shows the LLM beside the text: enough to cite and date a passage.
_LLM_KEYS = ("passage_id", "ticker", "form", "fiscal_period", "filed", "section", "section_title")


class LookAheadError(RuntimeError):
    """The index returned a passage outside the retriever's filters (filed after ``as_of``, or
    of another ticker, kind or section): a broken store, never a result to pass on."""


class PassageSearch(Protocol):
    """What the retriever searches: ``retrieval.index.Index`` has this ``search``."""

    def search(
        self, query: str, *, k: int = 5, filters: Filters | None = None, mode: Mode = "hybrid"
    ) -> list[Passage]: ...


def passage_node(passage: Passage) -> TextNode:
    """The LlamaIndex node of one SignalDesk passage (see the module docstring)."""
    c = passage.chunk
    metadata: dict[str, Any] = {
        "passage_id": passage.id,
        "chunk_id": c.id,
        "doc_id": c.doc_id,
        "ticker": c.ticker,
        "kind": c.kind,
        "form": c.form,
        "fiscal_period": c.fiscal_period,
        "filed": c.available_on.isoformat(),
        "section": c.section,
        "section_title": c.section_title,
        "source": c.source,
        "char_start": c.char_start,
        "char_end": c.char_end,
        "injection_suspected": c.injection_suspected,
        "method": passage.method,
        "rank": passage.rank,
    }
    return TextNode(
        id_=passage.id,
        text=WITHHELD_TEXT if c.injection_suspected else inert_text(c.text),
        metadata=metadata,
        excluded_llm_metadata_keys=[key for key in NODE_METADATA_KEYS if key not in _LLM_KEYS],
        excluded_embed_metadata_keys=list(NODE_METADATA_KEYS),
        start_char_idx=c.char_start,
        end_char_idx=c.char_end,
        relationships={
            NodeRelationship.SOURCE: RelatedNodeInfo(
                node_id=c.doc_id, metadata={"source": c.source, "filed": metadata["filed"]}
            )
        },
    )


class PointInTimeRetriever(BaseRetriever):
    """SignalDesk's hybrid search as a LlamaIndex retriever, fixed at ``as_of``.

    source: a ``retrieval.index.Index`` (anything with its ``search``) or a ``HybridRetriever``;
    as_of: required, the last filing date visible (inclusive); tickers, forms: upper-cased as
    SignalDesk's tools do; kinds ("filing", "call", "news", "other") and sections ("Item 7",
    "Q&A") as the chunks carry them; None means no restriction. k: passages per query; mode:
    "hybrid" (default), "bm25" or "dense". ValueError for filters that can match nothing by
    construction (an empty list, an unknown kind) or ``k`` < 1; TypeError when ``as_of`` is not
    a date. An unknown ticker is not an error: it matches nothing, as in SignalDesk's search.
    """

    def __init__(
        self,
        source: PassageSearch | HybridRetriever,
        *,
        as_of: date,
        tickers: Sequence[str] | None = None,
        kinds: Sequence[DocKind] | None = None,
        sections: Sequence[str] | None = None,
        forms: Sequence[str] | None = None,
        k: int = 5,
        mode: Mode = "hybrid",
        callback_manager: CallbackManager | None = None,
        verbose: bool = False,
    ) -> None:
        super().__init__(callback_manager=callback_manager, verbose=verbose)
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise ValueError(f"k must be a positive integer, got {k!r}")
        if mode not in ("hybrid", "bm25", "dense"):
            raise ValueError(f"unknown mode {mode!r}: use 'hybrid', 'bm25' or 'dense'")
        self._search = source.retrieve if isinstance(source, HybridRetriever) else source.search
        self._as_of = _as_date(as_of)
        self._filters = _filters(
            as_of=self._as_of,
            tickers=_upper(_names(tickers, "tickers")),
            kinds=_names(kinds, "kinds"),
            sections=_names(sections, "sections"),
            forms=_upper(_names(forms, "forms")),
        )
        self._k = k
        self._mode: Mode = mode

    @property
    def as_of(self) -> date:
        """The last filing date this retriever can see (inclusive)."""
        return self._as_of

    @property
    def filters(self) -> Filters:
        """The SignalDesk filters every search carries, ``available_on_max == as_of`` included."""
        return self._filters

    @property
    def k(self) -> int:
        return self._k

    def passages(self, query: str) -> list[Passage]:
        """The SignalDesk passages behind ``retrieve(query)``, checked against the filters."""
        found = self._search(query, k=self._k, filters=self._filters, mode=self._mode)
        stray = [p for p in found if not self._filters.matches(p.chunk)]
        if stray:
            first = stray[0].chunk
            raise LookAheadError(
                f"the index returned {len(stray)} passage(s) outside the retriever's filters, "
                f"e.g. {stray[0].id} ({first.ticker} {first.kind} {first.section}, available "
                f"{first.available_on}) for as_of {self._as_of}"
            )
        return found

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        return [
            NodeWithScore(node=passage_node(p), score=p.score)
            for p in self.passages(query_bundle.query_str)
        ]

    async def _aretrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        # The search embeds the query and reads the stores: blocking work, kept off the loop.
        return await asyncio.to_thread(self._retrieve, query_bundle)


def _as_date(as_of: object) -> date:
    if as_of is None:
        raise TypeError("as_of is required: the last filing date the retriever may see")
    if isinstance(as_of, datetime):
        return as_of.date()
    if not isinstance(as_of, date):
        raise TypeError(f"as_of must be a datetime.date, got {type(as_of).__name__} {as_of!r}")
    return as_of


def _names(values: Sequence[str] | None, field: str) -> tuple[str, ...] | None:
    """``values`` as a tuple (a lone string is one value, not its letters)."""
    if values is None:
        return None
    found = (values,) if isinstance(values, str) else tuple(values)
    if not found:
        raise ValueError(f"{field} is empty, which matches nothing: pass None for no restriction")
    return found


def _upper(values: tuple[str, ...] | None) -> tuple[str, ...] | None:
    return None if values is None else tuple(v.upper() for v in values)


def _filters(
    *,
    as_of: date,
    tickers: tuple[str, ...] | None,
    kinds: tuple[str, ...] | None,
    sections: tuple[str, ...] | None,
    forms: tuple[str, ...] | None,
) -> Filters:
    fields = {"tickers": tickers, "kinds": kinds, "sections": sections, "forms": forms}
    try:
        return Filters.model_validate({**fields, "available_on_max": as_of})
    except ValidationError as err:
        problem = err.errors()[0]
        where = ".".join(str(part) for part in problem["loc"])
        raise ValueError(f"bad retriever filter {where}: {problem['msg']}") from None
