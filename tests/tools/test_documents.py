"""The filings search: form, fiscal-year, latest-filing, subsection and filing-date scopes, never
past the as-of date; summaries; nothing indexed answered without opening the index."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from retrieval.catalog import CatalogUnreadableError, IndexCatalog
from retrieval.chunking import chunk_documents
from retrieval.embeddings import HashingEmbedder
from retrieval.index import Index
from retrieval.parsing import parse_sections
from retrieval.types import Document
from tests.retrieval._chunks import make_chunk
from tools.context import ToolContext
from tools.documents import nothing_indexed, search_evidence
from tools.registry import TOOLS_BY_NAME
from tools.runtime import ToolInputError, use_context

FILINGS = [
    ("aapl-2009", "10-K", "FY2009", date(2009, 10, 27)),
    ("aapl-2010", "10-K", "FY2010", date(2010, 10, 27)),
    ("aapl-2011q1", "10-Q", "2011Q1", date(2011, 1, 19)),
    ("aapl-2011", "10-K", "FY2011", date(2011, 10, 26)),
]


@pytest.fixture
def ctx(tmp_path: Path) -> ToolContext:
    index = Index(tmp_path, embedder=HashingEmbedder(32))
    index.add(
        [
            make_chunk(
                f"Gross margin discussion of {doc}.",
                doc_id=doc,
                form=form,
                fiscal_period=period,
                available_on=filed,
            )
            for doc, form, period, filed in FILINGS
        ]
    )
    return ToolContext(as_of=date(2011, 6, 30), market=None, index=lambda: index)  # type: ignore[arg-type]


def _docs(found: list) -> set[str]:
    return {e.source["document"] for e in found}


@pytest.mark.parametrize(
    ("filters", "docs"),
    [
        ({}, {"aapl-2009", "aapl-2010", "aapl-2011q1"}),  # the FY2011 10-K is after as_of
        ({"form": "10-K"}, {"aapl-2009", "aapl-2010"}),
        ({"fiscal_year": 2010}, {"aapl-2010"}),
        ({"filed_after": date(2010, 1, 1)}, {"aapl-2010", "aapl-2011q1"}),
        ({"filed_before": date(2010, 10, 27)}, {"aapl-2009", "aapl-2010"}),
        ({"filed_after": date(2010, 10, 28), "filed_before": date(2012, 1, 1)}, {"aapl-2011q1"}),
        ({"filed_after": date(2011, 7, 1)}, set()),  # after the as-of date: nothing yet
    ],
)
def test_filters(ctx: ToolContext, filters: dict, docs: set[str]) -> None:
    assert _docs(search_evidence(ctx, "gross margin", k=10, **filters)) == docs


def test_a_reversed_window_is_the_callers_mistake(ctx: ToolContext) -> None:
    with pytest.raises(
        ToolInputError, match="filed_after 2011-01-01 is after filed_before 2010-01-01"
    ):
        search_evidence(ctx, "x", filed_after=date(2011, 1, 1), filed_before=date(2010, 1, 1))


def test_the_filings_tool_takes_the_filters(ctx: ToolContext) -> None:
    tool = TOOLS_BY_NAME["search_filings"]
    fields = tool.args
    assert {"form", "fiscal_year", "filed_after", "filed_before", "latest", "subsection"} <= set(
        fields
    )
    with use_context(ctx):
        message = tool.invoke(
            {
                "type": "tool_call",
                "name": "search_filings",
                "id": "1",
                "args": {"query": "gross margin", "form": "10-K", "filed_after": "2010-01-01"},
            }
        )
    assert {e["source"]["document"] for e in message.artifact} == {"aapl-2010"}


# --- scope: the latest filing, a fiscal year's filing, a subsection; summaries ------------------


def _annual(ticker: str, year: int, filed: date) -> Document:
    text = f"""FORM 10-K
For the fiscal year ended September 30, {year}

Item 1. Business

Products

{ticker} sells phones and computers in {year}.

Competition

The markets for the Company's products are highly competitive in {year}. Competitors cut
prices aggressively, and competition is expected to intensify.

Supply of Components

Parts come from many suppliers; some are single-sourced.

Item 1A. Risk Factors

Competition from larger rivals could hurt margins in {year}.
"""
    return Document(
        id=f"{ticker}-{year}",
        kind="filing",
        ticker=ticker,
        form="10-K",
        fiscal_period=f"FY{year}",
        available_on=filed,
        source=f"file:///{ticker}-{year}.txt",
        text=text,
        sections=parse_sections(text, form="10-K"),
    )


ANNUALS = [
    _annual("AAPL", 2010, date(2010, 10, 27)),
    _annual("AAPL", 2011, date(2011, 10, 26)),
    _annual("AAPL", 2012, date(2012, 10, 31)),
    _annual("MSFT", 2011, date(2011, 7, 28)),
]


def _scoped(tmp_path: Path, as_of: date) -> ToolContext:
    index = Index(tmp_path / "scoped", embedder=HashingEmbedder(32))
    index.add(chunk_documents(ANNUALS))
    return ToolContext(
        as_of=as_of,
        market=None,  # type: ignore[arg-type]
        index=lambda: index,
        catalog=lambda: IndexCatalog(tmp_path / "scoped"),
    )


def test_latest_is_one_filing_per_ticker_never_past_the_as_of_date(tmp_path: Path) -> None:
    ctx = _scoped(tmp_path, date(2012, 6, 30))  # the FY2012 10-K is filed later
    found = search_evidence(ctx, "competition", ticker="AAPL", latest=True, k=10)
    assert found and _docs(found) == {"AAPL-2011"}
    both = search_evidence(ctx, "competition", latest=True, k=10)
    assert _docs(both) == {"AAPL-2011", "MSFT-2011"}
    later = search_evidence(
        _scoped(tmp_path, date(2012, 12, 31)), "competition", ticker="AAPL", latest=True, k=10
    )
    assert _docs(later) == {"AAPL-2012"}
    year = search_evidence(ctx, "competition", ticker="AAPL", fiscal_year=2010, k=10)
    assert _docs(year) == {"AAPL-2010"}


def test_a_subsection_keeps_the_passages_under_its_heading(tmp_path: Path) -> None:
    ctx = _scoped(tmp_path, date(2012, 12, 31))
    found = search_evidence(
        ctx, "competition", ticker="AAPL", latest=True, section="Item 1", subsection="Competition"
    )
    assert _docs(found) == {"AAPL-2012"}
    assert {e.source["section"] for e in found} == {"Item 1"}
    assert {e.source["subsection"] for e in found} == {"Competition"}
    summary = [s for e in found for s in e.values.get("summary", [])]
    assert sorted(s["order"] for s in summary) == [1, 2]
    assert {s["text"] for s in summary} == {
        "The markets for the Company's products are highly competitive in 2012.",
        "Competitors cut prices aggressively, and competition is expected to intensify.",
    }
    for e in found:  # each summary sentence is on the passage it quotes, verbatim
        for s in e.values.get("summary", []):
            assert s["text"] in " ".join(e.values["text"].split())
    assert not any("Risk" in s["text"] or "suppliers" in s["text"] for s in summary)


def test_a_missing_subsection_falls_back_to_the_section(tmp_path: Path) -> None:
    ctx = _scoped(tmp_path, date(2012, 12, 31))
    found = search_evidence(ctx, "competition", ticker="AAPL", latest=True, subsection="Legal")
    assert found and _docs(found) == {"AAPL-2012"}
    assert all("subsection" not in e.source for e in found)


def test_nothing_indexed_is_answered_without_opening_the_index(tmp_path: Path) -> None:
    def never() -> Index:
        raise AssertionError("the index (and its embedding model) must not be opened")

    ctx = ToolContext(
        as_of=date(2012, 12, 31),
        market=None,  # type: ignore[arg-type]
        index=never,
        catalog=lambda: IndexCatalog(tmp_path / "empty"),
    )
    assert search_evidence(ctx, "competition", ticker="AAPL", latest=True, kinds=("filing",)) == []
    assert nothing_indexed(ctx, kind="filing", ticker="aapl") == (
        "no filings are indexed for AAPL up to 2012-12-31; ingest them with "
        "`signaldesk ingest edgar AAPL` or `signaldesk ingest folder DIR`"
    )
    with use_context(ctx):
        message = TOOLS_BY_NAME["search_calls"].invoke(
            {
                "type": "tool_call",
                "name": "search_calls",
                "id": "1",
                "args": {"query": "margins", "ticker": "AAPL"},
            }
        )
    assert message.content.startswith("no earnings calls are indexed for AAPL up to 2012-12-31")
    assert message.artifact == []


def test_a_filing_after_the_as_of_date_counts_as_not_indexed(tmp_path: Path) -> None:
    ctx = _scoped(tmp_path, date(2010, 1, 1))
    assert nothing_indexed(ctx, kind="filing", ticker="AAPL") is not None
    assert (
        nothing_indexed(_scoped(tmp_path, date(2010, 10, 27)), kind="filing", ticker="AAPL") is None
    )


@pytest.mark.parametrize("damage", ["torn", "missing"])
def test_an_unreadable_catalog_file_falls_back_to_the_index(tmp_path: Path, damage: str) -> None:
    ctx = _scoped(tmp_path, date(2012, 6, 30))
    chunks = tmp_path / "scoped" / "bm25" / "chunks.parquet"
    if damage == "torn":  # a kill -9 mid-write: not "nothing indexed"
        chunks.write_bytes(chunks.read_bytes()[: chunks.stat().st_size // 2])
    else:
        chunks.unlink()  # the vector store still holds the chunks
    with pytest.raises(CatalogUnreadableError):
        IndexCatalog(tmp_path / "scoped").documents()
    assert nothing_indexed(ctx, kind="filing", ticker="AAPL") is None
    found = search_evidence(ctx, "competition", ticker="AAPL", latest=True, k=10)
    assert _docs(found) == {"AAPL-2011"}


def test_a_never_written_index_directory_holds_no_documents(tmp_path: Path) -> None:
    (tmp_path / "fresh" / "bm25").mkdir(parents=True)
    assert IndexCatalog(tmp_path / "fresh").documents() == []
