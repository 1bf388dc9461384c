from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retrieval.sources.common import MalformedFileError
from retrieval.sources.transcripts import (
    call_date,
    estimated_call_date,
    load_transcripts,
    read_transcript,
)


def test_name_gives_ticker_quarter_year_and_an_estimated_date(fixtures: Path) -> None:
    doc = read_transcript(fixtures / "transcripts" / "ACME_q3_2021.txt")
    assert (doc.kind, doc.ticker, doc.fiscal_period, doc.period_end) == (
        "call",
        "ACME",
        "2021Q3",
        None,
    )
    assert doc.available_on == date(2021, 11, 30)
    assert doc.title == "ACME Q3 2021 earnings call (call date estimated)"


def test_qa_section_starts_where_the_operator_opens_it(fixtures: Path) -> None:
    doc = read_transcript(fixtures / "transcripts" / "ACME_q3_2021.txt")
    assert [s.name for s in doc.sections] == ["Prepared remarks", "Q&A"]
    qa = doc.sections[1]
    assert doc.text[qa.start : qa.end].startswith("With that, we will now begin the question")
    assert doc.sections[0].end == qa.start and qa.end == len(doc.text)


def test_a_date_in_the_header_is_the_call_date(fixtures: Path) -> None:
    doc = read_transcript(fixtures / "transcripts" / "BETA_q1_2022.txt")
    assert (doc.available_on, doc.title) == (date(2022, 4, 28), "BETA Q1 2022 earnings call")
    assert [s.name for s in doc.sections] == ["Body"]


def test_quarter_from_content_and_explicit_arguments(fixtures: Path) -> None:
    path = fixtures / "transcripts" / "call_notes.txt"
    doc = read_transcript(path, ticker="ACME")
    assert (doc.fiscal_period, doc.available_on) == ("2021Q4", date(2022, 3, 31))
    pinned = read_transcript(path, ticker="ACME", available_on=date(2022, 2, 3))
    assert (pinned.available_on, pinned.title) == (date(2022, 2, 3), "ACME Q4 2021 earnings call")


def test_a_file_without_quarter_is_skipped(tmp_path: Path, fixtures: Path) -> None:
    shutil.copy(fixtures / "transcripts" / "ACME_q3_2021.txt", tmp_path)
    (tmp_path / "rambling.txt").write_text("Thanks everyone for coming.\nGreat quarter.\n")
    with pytest.raises(MalformedFileError, match="no quarter/year"):
        read_transcript(tmp_path / "rambling.txt")
    docs, skipped = load_transcripts(tmp_path)
    assert [d.ticker for d in docs] == ["ACME"]
    assert [Path(s.path).name for s in skipped] == ["rambling.txt"]


@pytest.mark.parametrize(
    ("quarter", "year", "expected"),
    [
        (1, 2021, date(2021, 5, 31)),
        (2, 2021, date(2021, 8, 31)),
        (3, 2021, date(2021, 11, 30)),
        (4, 2021, date(2022, 3, 31)),
    ],
)
def test_estimated_call_dates(quarter: int, year: int, expected: date) -> None:
    assert estimated_call_date(quarter, year) == expected


@given(quarter=st.integers(1, 4), year=st.integers(1995, 2040))
def test_the_estimate_is_never_before_the_filing_deadline(quarter: int, year: int) -> None:
    end_month = quarter * 3
    quarter_end = date(year + (end_month == 12), 1 if end_month == 12 else end_month + 1, 1)
    quarter_end -= timedelta(days=1)
    deadline = quarter_end + timedelta(days=90 if quarter == 4 else 45)
    estimate = estimated_call_date(quarter, year)
    assert deadline <= estimate < deadline + timedelta(days=31)


def test_call_date_accepts_only_header_dates() -> None:
    text = "Sales for the quarter ended September 30, 2021 rose.\nThanks for joining."
    assert call_date(text, quarter=3, year=2021).estimated
    dated = call_date("October 27, 2021, 8:30 a.m. ET\nWelcome.", quarter=3, year=2021)
    assert (dated.value, dated.estimated) == (date(2021, 10, 27), False)
    too_early = call_date("Date: March 3, 2021\nWelcome.", quarter=3, year=2021)
    assert (too_early.value, too_early.estimated) == (date(2021, 11, 30), True)
