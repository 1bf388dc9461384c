"""Dates from every header EDGAR uses, and binary content refused (issue 23, finding 10)."""

from __future__ import annotations

import random
import re
from datetime import date
from pathlib import Path

import pytest

from retrieval.sources.common import MalformedFileError, edgar_header_facts
from retrieval.sources.edgar_raw import parse_submission
from retrieval.sources.folder import load_folder, read_document

STRIPPED = "edgar_stripped/acme-0000999999-21-000004.txt"


def _stripped(fixtures: Path) -> str:
    return (fixtures / STRIPPED).read_text()


def test_a_tag_stripped_submission_is_placed_by_its_filed_as_of_date(fixtures: Path) -> None:
    doc = read_document(fixtures / STRIPPED)
    assert doc.available_on == date(2021, 2, 26)
    assert doc.period_end == date(2020, 12, 31)
    assert (doc.kind, doc.form, doc.fiscal_period) == ("filing", "10-K", "FY2020")
    assert (doc.id, doc.company, doc.cik) == (
        "0000999999-21-000004",
        "ACME WIDGETS CORP",
        "0000999999",
    )
    assert {s.name for s in doc.sections} >= {"Item 1", "Item 1A", "Item 7", "Item 8"}


_STAMPS = ("0000999999-21-000004.txt : 20210226\n", "0000999999-21-000004.hdr.sgml : 20210226\n")


@pytest.mark.parametrize(
    ("drop", "add", "filed"),
    [
        # without FILED AS OF DATE: the date EDGAR stamped on the header, then the acceptance day
        (("FILED AS OF DATE:\t\t20210226\n",), "", date(2021, 2, 26)),
        (
            ("FILED AS OF DATE:\t\t20210226\n", *_STAMPS),
            "ACCEPTANCE-DATETIME:\t20210225170102\n",
            date(2021, 2, 25),
        ),
        (
            ("FILED AS OF DATE:\t\t20210226\n", *_STAMPS),
            "<ACCEPTANCE-DATETIME>20210224093000\n",
            date(2021, 2, 24),
        ),
    ],
)
def test_other_header_dates_place_it(
    tmp_path: Path, fixtures: Path, drop: tuple[str, ...], add: str, filed: date
) -> None:
    text = _stripped(fixtures)
    for line in drop:
        assert line in text
        text = text.replace(line, "")
    path = tmp_path / "acme-annual.txt"
    path.write_text(add + text)
    assert read_document(path).available_on == filed


def test_only_a_period_of_report_is_not_a_filing_date(tmp_path: Path, fixtures: Path) -> None:
    lines = [
        line
        for line in _stripped(fixtures).splitlines()
        if "FILED AS OF" not in line and not line.startswith("0000999999-21-000004")
    ]
    path = tmp_path / "acme-annual.txt"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(
        MalformedFileError, match="CONFORMED PERIOD OF REPORT 2020-12-31, .* not when it was filed"
    ):
        read_document(path)


def test_header_facts_read_every_date_edgar_writes() -> None:
    facts = edgar_header_facts(
        "<SEC-DOCUMENT>0000950123-10-000001.txt : 20100127\n"
        "<SEC-HEADER>0000950123-10-000001.hdr.sgml : 20100127\n"
        "<ACCEPTANCE-DATETIME>20100126172233\n"
        "ACCESSION NUMBER:\t\t0000950123-10-000001\n"
        "CONFORMED PERIOD OF REPORT:\t20091226\n"
    )
    assert facts.filed == date(2010, 1, 27)  # the stamp is the filing date; acceptance may precede
    assert facts.accepted == date(2010, 1, 26)
    assert facts.stamped == date(2010, 1, 27)
    assert facts.period_of_report == date(2009, 12, 26)
    assert facts.accession == "0000950123-10-000001"
    assert edgar_header_facts("Revenue was filed as of date in the notes.").filed is None


def test_a_sec_header_with_only_an_acceptance_time(fixtures: Path) -> None:
    raw = (fixtures / "edgar" / "ACME_10-Q_0000999999-21-000007.txt").read_text()
    head, rest = raw.split("FILED AS OF DATE:", 1)
    rest = rest.split("\n", 1)[1]
    head = head.replace("hdr.sgml : 20210510", "hdr.sgml")
    head = head.replace("000007.txt : 20210510", "000007.txt")
    accepted = "<SEC-HEADER>\n<ACCEPTANCE-DATETIME>20210506120000\n"
    sub = parse_submission(head.replace("<SEC-HEADER>", accepted, 1) + rest)
    assert sub.header.filed == date(2021, 5, 6)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (random.Random(7).randbytes(4096), "binary content"),
        (b"<html><body>" + b"\x00" * 40 + b"</body></html>", "binary content (NUL bytes)"),
        (b"\x89PNG\r\n\x1a\n" + b"IHDR" * 200, "binary content (a PNG image)"),
        (b"PK\x03\x04" + b"word/document.xml" * 50, "binary content (a ZIP archive)"),
        (b"%PDF-1.7\n" + b"stream text " * 100, "binary content (a PDF document)"),
        (b"\x1f\x8b\x08\x00" + b"gzip" * 100, "binary content (gzip data)"),
    ],
)
@pytest.mark.parametrize("name", ["ACME_10-K_2021-02-26.html", "ACME_10-K_2021-02-26.txt"])
def test_binary_content_named_as_text_is_refused(
    tmp_path: Path, content: bytes, reason: str, name: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(MalformedFileError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        read_document(path)
    load = load_folder(tmp_path)
    assert load.documents == []
    assert [(Path(s.path).name, s.reason.startswith("binary content")) for s in load.skipped] == [
        (name, True)
    ]


def test_the_shared_raw_submissions_load_with_their_tags_stripped(
    tmp_path: Path, shared_data: Path
) -> None:
    """Each raw EDGAR submission, its SGML tags removed, is still placed by its header date."""
    raw = sorted((shared_data / "sec_edgar_raw_aapl_1994_2000").glob("AAPL_*.txt"))
    for path in raw:
        text = re.sub(r"<[^>\n]{1,40}>", "", path.read_text(errors="replace"))
        (tmp_path / path.name.replace("AAPL_", "aapl-")).write_text(text)
    load = load_folder(tmp_path)
    assert load.skipped == []
    assert len(load.documents) == len(raw) >= 10
    assert all(d.available_on.year in range(1994, 2001) for d in load.documents)
    assert all(d.form and d.form[:4] in ("10-K", "10-Q", "8-K") for d in load.documents)
    assert all(d.period_end and d.period_end <= d.available_on for d in load.documents)
