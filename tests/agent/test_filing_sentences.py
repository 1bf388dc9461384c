"""The offline filings sentences: the filing's most relevant sentence first, quoted and cited,
the rest after it, and a figure's values by year; every number in them passes the verifier."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from agent._filing_sentences import figure_lead, filing_lead, filing_summary
from agent.answer import Answer, Reason
from agent.ledger import Ledger
from agent.verifier import verify
from retrieval.chunking import chunk_documents
from retrieval.embeddings import HashingEmbedder
from retrieval.index import Index
from retrieval.parsing import parse_sections
from retrieval.types import Document
from tools.context import ToolContext
from tools.documents import search_evidence
from tools.evidence import Evidence
from tools.figures import figure_evidence

AS_OF = date(2012, 12, 31)
TEXT = """FORM 10-K
For the fiscal year ended September 29, 2012

Item 1. Business

Competition

The markets for the Company's products and services are highly competitive, with 5 major
rivals. Competitors have cut prices by up to 20% to gain share, and competition is expected to
intensify. The Company believes its 390 retail stores help it compete.

Employees

The Company had 72,800 employees.

Item 8. Financial Statements and Supplementary Data

CONSOLIDATED STATEMENTS OF OPERATIONS (In millions)

                        2012          2011          2010
  Net sales        $  156,508    $  108,249    $   65,225
"""


def _ctx(tmp_path: Path) -> ToolContext:
    doc = Document(
        id="aapl-2012",
        kind="filing",
        ticker="AAPL",
        form="10-K",
        fiscal_period="FY2012",
        available_on=date(2012, 10, 31),
        source="file:///aapl-2012.txt",
        text=TEXT,
        sections=parse_sections(TEXT, form="10-K"),
    )
    index = Index(tmp_path, embedder=HashingEmbedder(32))
    index.add(chunk_documents([doc]))
    return ToolContext(as_of=AS_OF, market=None, index=lambda: index)  # type: ignore[arg-type]


def _verified(text: str, evidence: list[Evidence]) -> None:
    ids = [e.id for e in evidence]
    answer = Answer(
        question="q",
        tickers=["AAPL"],
        as_of=AS_OF,
        reasons=[Reason(text=text, citations=ids)],
        markdown=text,
    )
    result = verify(answer, Ledger(evidence))
    assert result.ok, result.problems()


def test_the_lead_quotes_the_filings_best_sentence_with_its_citation(tmp_path: Path) -> None:
    found = search_evidence(
        _ctx(tmp_path), "competition", ticker="AAPL", latest=True, subsection="Competition"
    )
    lead = filing_lead(found, topic="competition", section="Item 1", as_of=AS_OF)
    quoted = [e for e in found if e.values.get("summary")]
    first = min((s["order"], s["text"], e.id) for e in quoted for s in e.values["summary"])
    assert (
        lead
        == f'Apple\'s FY2012 10-K (filed 2012-10-31) says on competition: "{first[1]}" [{first[2]}]'
    )
    rest = filing_summary(found, topic="competition", section="Item 1", as_of=AS_OF)
    assert 1 <= len(rest) <= 3
    assert all(line.startswith('It also says: "') and "[E-filing-AAPL-" in line for line in rest)
    assert not any("employees" in line for line in [lead, *rest])
    _verified(" ".join([lead, *rest]), found)


def test_no_passage_and_no_summary_sentence_say_so(tmp_path: Path) -> None:
    assert filing_lead([], topic="competition", section=None, as_of=AS_OF) == (
        "No filing passages on competition were found in the filings available by 2012-12-31."
    )
    found = search_evidence(_ctx(tmp_path), "zebra", ticker="AAPL", latest=True)
    bare = [e.model_copy(update={"values": {**e.values, "summary": []}}) for e in found]
    lead = filing_lead(bare, topic="zebras", section=None, as_of=AS_OF)
    assert lead.startswith(
        "Apple's FY2012 10-K (filed 2012-10-31) has no sentence that speaks on zebras"
    )
    assert filing_summary(bare) == []


def test_a_figure_sentence_states_the_table_values_and_growth(tmp_path: Path) -> None:
    ev = figure_evidence(_ctx(tmp_path), "AAPL", "net_sales", [2011, 2012])
    text = figure_lead(ev)
    assert text == (
        "Apple's net sales (USD millions, as its 10-K filed 2012-10-31 reports) was 108,249 in "
        "fiscal 2011 and 156,508 in fiscal 2012, a change of +44.58% from fiscal 2011 to 2012 "
        f"[{ev.id}]."
    )
    _verified(text, [ev])
