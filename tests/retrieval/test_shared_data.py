"""Integration over the real filings, calls and headlines in ../shared/data (skipped without it)."""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path

import pytest

from retrieval.chunking import chunk_document
from retrieval.sources.edgar_raw import parse_submission, read_submission
from retrieval.sources.folder import load_folder, read_document
from retrieval.sources.news import read_reuters_jsonl
from retrieval.sources.transcripts import read_transcript
from retrieval.types import Document

pytestmark = pytest.mark.shared_data

TEN_K_DIR = "sec_10k_text_aapl_msft_tsla_2006_2025"
# An item heading as it appears in the raw text, loosely: "Item 7A.", "ITEM 8 -", "I TEM 8.",
# "PART II | Item 5. |"; a line ending in a page number is a contents line, not a heading.
RAW_HEADING = re.compile(
    r"^[ \t|]*(?:PART[ \t]+[IV]+\W*)?I[ \t]?TEM[ \t\u00a0]*(\d{1,2}[A-C]?)(?![\w,/])[ \t]*"
    r"[.:\-\u2013\u2014|]",
    re.IGNORECASE | re.MULTILINE,
)
PAGE_TAIL = re.compile(r"(?:[\s.]{2,}|\s*\|\s*)(?:\d{1,3}|[ivx]{1,5})[ \t|]*$", re.IGNORECASE)


def _manifest(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _section_text(doc: Document, name: str) -> str:
    section = next(s for s in doc.sections if s.name == name)
    return doc.text[section.start : section.end].replace("\u2019", "'").replace("’ ", "'")


@pytest.fixture(scope="module")
def ten_ks(shared_data: Path) -> list[Document]:
    load = load_folder(shared_data / TEN_K_DIR, recursive=False)
    assert sorted(Path(s.path).name for s in load.skipped) == ["SOURCE.txt", "manifest.csv"]
    return load.documents


def test_all_60_ten_ks_parse_with_manifest_metadata(
    ten_ks: list[Document], shared_data: Path
) -> None:
    rows = {r["accession"]: r for r in _manifest(shared_data / TEN_K_DIR / "manifest.csv")}
    assert len(ten_ks) == len(rows) == 60
    for doc in ten_ks:
        row = rows[doc.id]
        assert (doc.ticker, doc.form, doc.available_on.isoformat()) == (
            row["ticker"],
            row["form"],
            row["filing_date"],
        )
        assert doc.kind == "filing" and doc.fiscal_period and doc.period_end
        assert doc.period_end < doc.available_on
        assert len(doc.sections) >= 2, doc.id


def test_every_original_10k_has_items_1a_and_7(ten_ks: list[Document]) -> None:
    originals = [d for d in ten_ks if d.form == "10-K"]
    assert len(originals) == 54
    for doc in originals:
        names = {s.name for s in doc.sections}
        assert {"Item 1", "Item 1A", "Item 7", "Item 8"} <= names, doc.id


def _raw_items(doc: Document) -> set[str]:
    """Items with a heading line in the body (after the cover and contents), from the raw text."""
    first = next((s.start for s in doc.sections if s.name != "Cover"), 0)
    body = doc.text.rfind("\n", 0, first) + 1  # the first heading's line
    found = set()
    for m in RAW_HEADING.finditer(doc.text, body):
        line = doc.text[m.start() : doc.text.find("\n", m.start())]
        if not PAGE_TAIL.search(line):
            found.add(f"Item {m[1].upper().lstrip('0')}")
    return found


def test_every_item_heading_in_the_text_is_a_section(ten_ks: list[Document]) -> None:
    """Issue 23: each Item heading a 10-K's body carries is found as its own section (a FY2005
    10-K had Item 8 merged into Item 7A), and Item 1A, required from FY2005 on, is in every
    original 10-K."""
    missing = {}
    headings = 0
    for doc in ten_ks:
        names = {s.name for s in doc.sections}
        raw = _raw_items(doc)
        headings += len(raw)
        for s in doc.sections[1:]:
            assert re.match(r"(?:PART\s+[IV]+\W*)?I\s?T\s?E\s?M", doc.text[s.start :], re.I)
        if raw - names:
            missing[f"{doc.ticker} {doc.form} {doc.fiscal_period}"] = sorted(raw - names)
        if doc.form == "10-K":
            assert {"Item 1A", "Item 7", "Item 7A", "Item 8", "Item 9A"} <= names, doc.id
    assert missing == {}
    assert headings == 1147  # body headings the loose pattern sees in all 60 filings


def test_aapl_fy2010_risk_factors_and_mdna(ten_ks: list[Document]) -> None:
    doc = next(d for d in ten_ks if d.ticker == "AAPL" and d.available_on == date(2010, 10, 27))
    assert (doc.fiscal_period, doc.period_end) == ("FY2010", date(2010, 9, 25))
    risk = _section_text(doc, "Item 1A")
    mdna = _section_text(doc, "Item 7")
    assert risk.startswith("Item 1A.") and "Risk Factors" in risk[:100]
    assert mdna.startswith("Item 7.") and "Management's Discussion" in mdna[:100]
    assert len(risk) > 30_000 and len(mdna) > 30_000
    assert "iPhone" in risk and "net sales" in mdna.lower()
    chunks = chunk_document(doc)
    assert all(c.text == doc.text[c.char_start : c.char_end] for c in chunks)
    assert sum(c.section == "Item 1A" for c in chunks) > 10


def test_raw_edgar_submissions(shared_data: Path) -> None:
    folder = shared_data / "sec_edgar_raw_aapl_1994_2000"
    rows = _manifest(folder / "manifest.csv")
    assert len(rows) == 15
    for row in rows:
        path = folder / row["file"]
        sub = parse_submission(path.read_text(encoding="utf-8", errors="replace"))
        doc = read_submission(path)
        assert (doc.cik, doc.id) == ("0000320193", row["accession"])
        assert doc.form.removesuffix("/A") == row["form"]  # the header knows 10-Q/A
        assert doc.period_end.strftime("%Y%m%d") == row["period"]
        assert doc.available_on.strftime("%Y%m%d") == row["filed"]
        keys = [(b.type, b.sequence, b.text) for b in sub.blocks]
        assert len(keys) == len(set(keys))
        if row["accession"] in ("0000912057-00-023442", "0000912057-00-033901"):
            assert sub.duplicates_removed > 0 and len(sub.blocks) == 5
        if row["form"] == "10-K":
            assert "Item 7" in {s.name for s in doc.sections}


def test_ectsum_transcripts(shared_data: Path) -> None:
    folder = shared_data / "earnings_calls_ectsum"
    rows = _manifest(folder / "manifest.csv")
    assert len(rows) == 745
    for row in rows:
        doc = read_transcript(folder / row["transcript_file"])
        quarter = int(row["quarter"].lstrip("q"))
        assert (doc.ticker, doc.fiscal_period) == (row["ticker"], f"{row['year']}Q{quarter}")
        assert doc.kind == "call" and doc.available_on.year in (
            int(row["year"]),
            int(row["year"]) + 1,
        )


def test_reuters_headlines(shared_data: Path) -> None:
    path = (
        shared_data
        / "news_reuters_headlines_5co_2007_2013"
        / "reuters_headlines_AAPL_MSFT_IBM_GOOG_FB_2007_2013.jsonl"
    )
    load = read_reuters_jsonl(path)
    assert (len(load.items), load.skipped) == (47_435, [])
    assert min(i.published for i in load.items) >= date(2007, 1, 1)
    assert max(i.published for i in load.items) <= date(2013, 12, 31)
    assert {t for i in load.items for t in i.tickers} == {"AAPL", "MSFT", "IBM", "GOOG", "FB"}
    assert all(i.source.startswith("reuters") for i in load.items)


def test_inline_xbrl_html_filing(shared_data: Path) -> None:
    path = (
        shared_data
        / "sec_10k_10q_largecap_2024_2025_edgartools"
        / "html"
        / "AAPL_10-Q_2025-08-01.html"
    )
    doc = read_document(path)
    assert (doc.ticker, doc.form, doc.fiscal_period, doc.period_end, doc.cik) == (
        "AAPL",
        "10-Q",
        "2025Q3",
        date(2025, 6, 28),
        "0000320193",
    )
    assert "Part I, Item 2" in {s.name for s in doc.sections}
    assert "dei:" not in doc.text and "Total net sales | 94,036 | 85,777" in doc.text
