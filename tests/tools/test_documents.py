"""The filings search: form, fiscal-year and filing-date filters, never past the as-of date."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from retrieval.embeddings import HashingEmbedder
from retrieval.index import Index
from tests.retrieval._chunks import make_chunk
from tools.context import ToolContext
from tools.documents import search_evidence
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
    fields = tool.tool_call_schema.model_json_schema()["properties"]
    assert {"form", "fiscal_year", "filed_after", "filed_before"} <= set(fields)
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
