from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from retrieval.sources.common import MalformedFileError
from retrieval.sources.edgar_raw import load_submissions, parse_submission, read_submission

ACME = "ACME_10-Q_0000999999-21-000007.txt"


def test_header_and_deduplicated_blocks(fixtures: Path) -> None:
    sub = parse_submission((fixtures / "edgar" / ACME).read_text())
    head = sub.header
    assert (head.accession, head.form, head.company, head.cik) == (
        "0000999999-21-000007",
        "10-Q",
        "ACME WIDGETS CORP",
        "0000999999",
    )
    assert (head.period_of_report, head.filed, head.fiscal_year_end) == (
        date(2021, 4, 3),
        date(2021, 5, 7),
        "1231",
    )
    assert sub.duplicates_removed == 1
    assert [(b.type, b.sequence, b.filename, b.description) for b in sub.blocks] == [
        ("10-Q", 1, "acme-10q.txt", "QUARTERLY REPORT"),
        ("EX-99.1", 2, "acme-ex991.htm", "PRESS RELEASE"),
        ("EX-27", 3, "", "FINANCIAL DATA SCHEDULE"),
    ]
    exhibit = sub.blocks[1]
    assert (
        exhibit.is_html
        and exhibit.text == "ACME reports first quarter results.\n\nNet sales | $104"
    )
    assert sub.primary().type == "10-Q"


def test_primary_document_becomes_the_document(fixtures: Path) -> None:
    doc = read_submission(fixtures / "edgar" / ACME)
    assert (doc.id, doc.kind, doc.ticker, doc.form, doc.cik, doc.company) == (
        "0000999999-21-000007",
        "filing",
        "ACME",
        "10-Q",
        "0000999999",
        "ACME WIDGETS CORP",
    )
    assert (doc.period_end, doc.available_on, doc.fiscal_period) == (
        date(2021, 4, 3),
        date(2021, 5, 7),
        "2021Q1",
    )
    for tag in ("<PAGE>", "<TABLE>", "<S>", "<C>", "<CAPTION>", "<TEXT>"):
        assert tag not in doc.text
    assert "Net sales                                $104           $92" in doc.text
    assert "press release dated May 6, 2021" in doc.text
    assert "ACME reports first quarter results" not in doc.text  # exhibits are not the document
    assert [s.name for s in doc.sections] == [
        "Cover",
        "Part I, Item 1",
        "Part I, Item 2",
        "Part II, Item 1",
        "Part II, Item 6",
    ]


def test_old_ims_header_and_binary_blocks() -> None:
    raw = (
        "<IMS-DOCUMENT>0000999999-94-000001.txt\n<IMS-HEADER>\n"
        "ACCESSION NUMBER:\t0000999999-94-000001\nCONFORMED SUBMISSION TYPE:\t10-K\n"
        "CONFORMED PERIOD OF REPORT:\t19940930\nFILED AS OF DATE:\t19941213\n"
        "\t\tCOMPANY CONFORMED NAME:\t\tACME WIDGETS CORP\n\t\tCENTRAL INDEX KEY:\t0000999999\n"
        "</IMS-HEADER>\n<DOCUMENT>\n<TYPE>10-K\n<SEQUENCE>1\n<TEXT>\nFORM 10-K\n\n"
        "Item 1. Business\n\nWe make widgets.\n</TEXT>\n</DOCUMENT>\n"
        "<DOCUMENT>\n<TYPE>GRAPHIC\n<SEQUENCE>2\n<FILENAME>logo.jpg\n<TEXT>\nbegin 644 logo.jpg\n"
        "M_]C_X``02D9)1@`!`0$`8`!@``#_\nend\n</TEXT>\n</DOCUMENT>\n"
    )
    sub = parse_submission(raw)
    assert (sub.header.form, sub.header.filed, sub.header.company) == (
        "10-K",
        date(1994, 12, 13),
        "ACME WIDGETS CORP",
    )
    assert [(b.type, b.text) for b in sub.blocks][1] == ("GRAPHIC", "")


def test_malformed_submissions_are_reported(tmp_path: Path, fixtures: Path) -> None:
    with pytest.raises(MalformedFileError, match="not an EDGAR submission"):
        parse_submission("Just some text without any SGML.")
    shutil.copy(fixtures / "edgar" / ACME, tmp_path)
    (tmp_path / "ACME_10-K_0000999999-21-000001.txt").write_text(
        "<SEC-HEADER>\nACCESSION NUMBER:\t0000999999-21-000001\n</SEC-HEADER>\n"
    )
    docs, skipped = load_submissions(tmp_path)
    assert [d.id for d in docs] == ["0000999999-21-000007"]
    assert skipped[0].reason == "EDGAR submission without <DOCUMENT> blocks"
