from __future__ import annotations

import logging
import random
import shutil
from datetime import date
from pathlib import Path

import pytest

from retrieval.sources.folder import load_folder, read_document

TEN_K = "ACME_10-K_2021-02-26_0000999999-21-000004.txt"


@pytest.fixture
def mixed_folder(tmp_path: Path, fixtures: Path) -> Path:
    """Good and bad files side by side, as a user's folder would hold them."""
    folder = tmp_path / "docs"
    (folder / "calls").mkdir(parents=True)
    for name in (
        TEN_K,
        "ACME_10-Q_2021-05-07.htm",
        "ACME_letter_2021-04-01.pdf",
        "ACME_notes_2021-03-15.md",
        "broken_2021-04-02.pdf",
        "nobody.html",
    ):
        shutil.copy(fixtures / "filings" / name, folder / name)
    shutil.copy(fixtures / "news" / "wire_headlines.jsonl", folder)
    shutil.copy(fixtures / "news" / "blog_posts.csv", folder)
    shutil.copy(fixtures / "transcripts" / "ACME_q3_2021.txt", folder / "calls")
    shutil.copy(fixtures / "edgar" / "ACME_10-Q_0000999999-21-000007.txt", folder)
    rng = random.Random(42)
    (folder / "junk_2021-01-01.txt").write_bytes(bytes(rng.randrange(256) for _ in range(4096)))
    (folder / "readme.txt").write_text("Notes without any date.\n")
    (folder / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    return folder


def test_good_files_load_and_bad_ones_are_reported(
    mixed_folder: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="retrieval.sources"):
        load = load_folder(mixed_folder)
    names = sorted(Path(d.source).name for d in load.documents)
    assert names == sorted(
        [
            TEN_K,
            "ACME_10-Q_2021-05-07.htm",
            "ACME_letter_2021-04-01.pdf",
            "ACME_notes_2021-03-15.md",
            "ACME_q3_2021.txt",
            "ACME_10-Q_0000999999-21-000007.txt",
        ]
    )
    reasons = {Path(s.path).name: s.reason for s in load.skipped}
    assert "binary content" in reasons["junk_2021-01-01.txt"]
    assert reasons["broken_2021-04-02.pdf"].startswith("unreadable PDF")
    assert reasons["nobody.html"] == "HTML has no <body>"
    assert reasons["readme.txt"].startswith("no date to place it in time")
    assert reasons["photo.png"] == "unsupported file type .png"
    assert reasons["wire_headlines.jsonl:3"].startswith("invalid JSON")
    assert reasons["wire_headlines.jsonl:4"] == "no title/headline"
    assert reasons["blog_posts.csv:4"].startswith("no readable date")
    assert len(load.skipped) == 8
    assert len(load.news) == 5
    assert sum("skipped" in r.message for r in caplog.records) == 8


def test_plain_text_10k_metadata_from_name_and_cover(fixtures: Path) -> None:
    doc = read_document(fixtures / "filings" / TEN_K)
    assert (doc.id, doc.kind, doc.ticker, doc.form) == (
        "0000999999-21-000004",
        "filing",
        "ACME",
        "10-K",
    )
    assert (doc.fiscal_period, doc.period_end, doc.available_on) == (
        "FY2020",
        date(2020, 12, 31),
        date(2021, 2, 26),
    )
    assert "Item 1A" in [s.name for s in doc.sections]


def test_html_filing_is_cleaned_and_reads_its_xbrl_facts(fixtures: Path) -> None:
    doc = read_document(fixtures / "filings" / "ACME_10-Q_2021-05-07.htm")
    assert (doc.ticker, doc.form, doc.fiscal_period, doc.period_end, doc.available_on) == (
        "ACME",
        "10-Q",
        "2021Q1",
        date(2021, 3, 31),
        date(2021, 5, 7),
    )
    assert (doc.company, doc.cik, doc.title) == (
        "ACME Widgets Corp.",
        "0000999999",
        "acme-20210331",
    )
    for hidden in (
        "trackVisit",
        "margin: 0",
        "Internal draft note",
        "Another hidden",
        "0000999999",
    ):
        assert hidden not in doc.text
    lines = doc.text.splitlines()
    assert "Net sales | $104 | $92" in lines
    assert "Net income | 11 | (2)" in lines
    assert "31.1 Certification of the Chief Executive Officer." in lines
    assert "Net sales rose 13% to $104 million on higher Roadrunner volumes." in lines
    assert [s.name for s in doc.sections][1:] == [
        "Part I, Item 1",
        "Part I, Item 2",
        "Part II, Item 1",
        "Part II, Item 6",
    ]


def test_pdf_and_markdown_take_their_date_from_the_name(fixtures: Path) -> None:
    pdf = read_document(fixtures / "filings" / "ACME_letter_2021-04-01.pdf")
    assert (pdf.kind, pdf.available_on, pdf.form) == ("other", date(2021, 4, 1), None)
    assert "Roadrunner sales rose in 2021" in pdf.text
    note = read_document(fixtures / "filings" / "ACME_notes_2021-03-15.md")
    assert (note.kind, note.available_on, note.sections) == ("other", date(2021, 3, 15), ())


def test_a_note_that_mentions_a_form_is_not_a_filing(tmp_path: Path) -> None:
    note = tmp_path / "review_2021-03-01.md"
    note.write_text("# Review\n\nThe Form 10-K for fiscal 2020 shows steel costs rising.\n")
    assert (read_document(note).kind, read_document(note).form) == ("other", None)
    cover = tmp_path / "acme_2021-03-02.txt"
    cover.write_text(
        "FORM 10-K\n\nFor the fiscal year ended December 31, 2020\n\nItem 1. Business\n"
    )
    doc = read_document(cover)
    assert (doc.kind, doc.form, doc.fiscal_period) == ("filing", "10-K", "FY2020")


def test_explicit_arguments_win(mixed_folder: Path) -> None:
    load = load_folder(mixed_folder, ticker="ZZZ", kind="other", available_on=date(2030, 1, 2))
    assert {d.ticker for d in load.documents} == {"ZZZ"}
    assert {d.kind for d in load.documents} == {"other"}
    assert {d.available_on for d in load.documents} == {date(2030, 1, 2)}
    assert "readme.txt" in {Path(d.source).name for d in load.documents}  # now it has a date


def test_edgar_submissions_and_transcripts_are_recognised(mixed_folder: Path) -> None:
    by_name = {Path(d.source).name: d for d in load_folder(mixed_folder).documents}
    raw = by_name["ACME_10-Q_0000999999-21-000007.txt"]
    assert (raw.id, raw.cik, raw.available_on) == (
        "0000999999-21-000007",
        "0000999999",
        date(2021, 5, 7),
    )
    call = by_name["ACME_q3_2021.txt"]
    assert (call.kind, call.fiscal_period) == ("call", "2021Q3")


def test_not_recursive_when_asked(mixed_folder: Path) -> None:
    load = load_folder(mixed_folder, recursive=False)
    assert "ACME_q3_2021.txt" not in {Path(d.source).name for d in load.documents}
