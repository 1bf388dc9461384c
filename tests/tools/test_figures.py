"""filing_figure: a figure read from the tables of the latest 10-K filed by the as-of date."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from retrieval.catalog import IndexCatalog
from retrieval.chunking import chunk_documents
from retrieval.embeddings import HashingEmbedder
from retrieval.index import Index
from retrieval.parsing import parse_sections
from retrieval.types import Document
from tools.context import ToolContext
from tools.documents import NoIndexError
from tools.figures import figure_evidence, figure_key
from tools.registry import TOOLS_BY_NAME
from tools.runtime import ToolInputError, use_context

SHARED_10K = (
    Path(__file__).resolve().parents[2]
    / ".."
    / "shared"
    / "data"
    / "sec_10k_text_aapl_msft_tsla_2006_2025"
    / "AAPL_10-K_2010-10-27_0001193125-10-238044.txt"
)


def _ten_k(year: int, sales: tuple[int, int, int], *, segment: int = 7) -> str:
    """An invented 10-K for fiscal ``year``: a segment table, then the statement of operations."""
    a, b, c = sales
    return f"""FORM 10-K
For the fiscal year ended September 30, {year}

Item 7. Management's Discussion and Analysis

Segment results (in millions):

                    {year}        {year - 1}        {year - 2}
  Net sales        $  {segment}        $  {segment}        $  {segment}

Sales grew because people bought more.

Item 8. Financial Statements and Supplementary Data

CONSOLIDATED STATEMENTS OF OPERATIONS
(In millions)

                          {year}          {year - 1}          {year - 2}
  Net sales          $  {a:,}     $  {b:,}     $  {c:,}
  Cost of sales         {a // 2:,}       {b // 2:,}       {c // 2:,}
  Net income         $  ({a // 10:,})     $  {b // 10:,}     $  {c // 10:,}
"""


def _doc(year: int, filed: date, sales: tuple[int, int, int], *, ticker: str = "ACME") -> Document:
    text = _ten_k(year, sales)
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


def _ctx(
    tmp_path: Path, docs: list[Document], as_of: date, *, on_disk: bool = False
) -> ToolContext:
    index = Index(tmp_path / "index", embedder=HashingEmbedder(32))
    index.add(chunk_documents(docs))
    catalog = IndexCatalog(tmp_path / "index") if on_disk else None
    return ToolContext(
        as_of=as_of,
        market=None,  # type: ignore[arg-type]
        index=lambda: index,
        catalog=(lambda: catalog) if catalog is not None else None,
    )


FILINGS = [
    _doc(2010, date(2010, 11, 1), (1_500, 1_200, 1_000)),
    _doc(2011, date(2011, 11, 1), (1_800, 1_250, 1_200)),  # restates 2010
]


@pytest.mark.parametrize("on_disk", [False, True])
def test_the_latest_filing_reporting_the_years_is_read(tmp_path: Path, on_disk: bool) -> None:
    ctx = _ctx(tmp_path, FILINGS, date(2012, 6, 30), on_disk=on_disk)
    ev = figure_evidence(ctx, "acme", "revenue", [2011, 2010])
    assert ev.kind == "figure" and ev.tickers == ("ACME",)
    assert ev.values == {
        "figure": "net_sales",
        "label": "Net sales",
        "unit": "USD millions",
        "by_year": {"2010": 1250.0, "2011": 1800.0},  # the FY2011 10-K's restated 2010
        "growth": {"2010-2011": 0.44},
        "form": "10-K",
        "fiscal_year": 2011,
        "filed": "2011-11-01",
        "passage": "Net sales $ 1,800 $ 1,250 $ 1,200",  # the statement, not the segment row
    }
    assert ev.source["section"] == "Item 8"


def test_point_in_time_the_later_filing_is_unseen_before_it_is_filed(tmp_path: Path) -> None:
    ctx = _ctx(tmp_path, FILINGS, date(2011, 10, 31))
    ev = figure_evidence(ctx, "ACME", "net_sales", [2009, 2010])
    assert ev.values["by_year"] == {"2009": 1200.0, "2010": 1500.0}
    assert ev.values["filed"] == "2010-11-01"
    with pytest.raises(ToolInputError, match=r"fiscal 2011 .*filed by 2011-10-31"):
        figure_evidence(ctx, "ACME", "net_sales", [2011])


def test_without_years_the_latest_10k_and_the_year_before_are_read(tmp_path: Path) -> None:
    """ "net sales growth last fiscal year per the 10-K": no year named."""
    ev = figure_evidence(_ctx(tmp_path, FILINGS, date(2012, 6, 30)), "ACME", "net_sales", [])
    assert ev.values["by_year"] == {"2010": 1250.0, "2011": 1800.0}
    assert ev.values["growth"] == {"2010-2011": 0.44}
    before = figure_evidence(
        _ctx(tmp_path / "b", FILINGS, date(2011, 6, 30)), "ACME", "net_sales", []
    )
    assert before.values["by_year"] == {"2009": 1200.0, "2010": 1500.0}  # the FY2011 10-K unseen


def test_negatives_other_figures_and_errors(tmp_path: Path) -> None:
    ctx = _ctx(tmp_path, FILINGS[:1], date(2011, 6, 30))
    ev = figure_evidence(ctx, "ACME", "net income", [2010, 2009])
    assert ev.values["by_year"] == {"2009": 120.0, "2010": -150.0}
    assert ev.values["growth"] == {"2009-2010": -2.25}
    with pytest.raises(
        ToolInputError, match=r"no table row labelled Gross margin.*read: 10-K FY2010"
    ):
        figure_evidence(ctx, "ACME", "gross_margin", [2010])
    with pytest.raises(ToolInputError, match="unknown figure 'ebitda'"):
        figure_key("ebitda")
    with pytest.raises(NoIndexError, match="no 10-K filings are indexed for MSFT up to 2011-06-30"):
        figure_evidence(ctx, "MSFT", "net_sales", [2010])


def test_the_tool_returns_the_evidence_or_a_model_fixable_error(tmp_path: Path) -> None:
    ctx = _ctx(tmp_path, FILINGS, date(2012, 6, 30))
    tool = TOOLS_BY_NAME["filing_figure"]
    call = {"type": "tool_call", "name": "filing_figure", "id": "1"}
    with use_context(ctx):
        ok = tool.invoke(
            call | {"args": {"ticker": "ACME", "figure": "net_sales", "fiscal_years": [2010, 2011]}}
        )
        bad = tool.invoke(
            call | {"args": {"ticker": "ACME", "figure": "net_sales", "fiscal_years": [2005]}}
        )
    assert ok.artifact[0]["values"]["growth"] == {"2010-2011": 0.44}
    assert "1,800" in ok.content and ok.artifact[0]["id"] in ok.content
    assert bad.status == "error" and "read: 10-K FY2011 filed 2011-11-01" in bad.content


def test_apple_fy2010_net_sales_from_the_real_10k(tmp_path: Path) -> None:
    if not SHARED_10K.is_file():
        pytest.skip(f"shared data not found at {SHARED_10K} (not part of a fresh clone)")
    from retrieval.sources.folder import read_document

    doc = read_document(SHARED_10K, ticker="AAPL")
    ctx = _ctx(tmp_path, [doc], date(2010, 12, 31), on_disk=True)
    ev = figure_evidence(ctx, "AAPL", "net_sales", [2009, 2010])
    # The file's CONSOLIDATED STATEMENTS OF OPERATIONS row reads
    # "Net sales  $ 65,225  $ 42,905  $ 37,491" under "2010  2009  2008" (in millions).
    assert ev.values["by_year"] == {"2009": 42905.0, "2010": 65225.0}
    assert ev.values["growth"] == {"2009-2010": 0.5202}
    assert ev.values["unit"] == "USD millions"
    assert (ev.values["form"], ev.values["fiscal_year"], ev.values["filed"]) == (
        "10-K",
        2010,
        "2010-10-27",
    )
    # Cost of sales and net income from the same statement: 39,541 / 25,683 and 14,013 / 8,235.
    cost = figure_evidence(ctx, "AAPL", "cost_of_sales", [2009, 2010])
    assert cost.values["by_year"] == {"2009": 25683.0, "2010": 39541.0}
    income = figure_evidence(ctx, "AAPL", "net_income", [2009, 2010])
    assert income.values["by_year"] == {"2009": 8235.0, "2010": 14013.0}
