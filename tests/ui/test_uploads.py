"""Uploads: placed in time from the message or the file, parsed, indexed, then cited."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from core.settings import load_settings
from retrieval.sources.common import MalformedFileError
from retrieval.sources.limits import ParseLimitError, ParseLimits
from ui.uploads import (
    MissingFactError,
    UploadFacts,
    describe_upload,
    facts_from_message,
    read_upload,
    stage_upload,
    upload_limits,
)

KNOWN = frozenset({"AAPL", "IBM", "MSFT", "GOOG", "FB"})
TODAY = date(2024, 1, 2)
LIMITS = ParseLimits()

TEN_K = """UNITED STATES SECURITIES AND EXCHANGE COMMISSION

FORM 10-K

For the fiscal year ended December 31, 2012

PART I

Item 1. Business
An invented company description for a test; it describes no real company.

Item 1A. Risk Factors
Demand for the Zephyr mainframe line depends on a few utility customers in Patagonia; a delay
in their upgrade cycle would reduce hardware revenue.

Item 7. Management's Discussion and Analysis
Revenue grew modestly while margins improved on software mix.
"""


def write(folder: Path, name: str, text: str = TEN_K) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_facts_from_the_message() -> None:
    facts = facts_from_message(
        "International Business Machines 10-K filed 2013-02-26", known_tickers=KNOWN, today=TODAY
    )
    assert facts == UploadFacts(ticker="IBM", available_on=date(2013, 2, 26), form="10-K")
    call = facts_from_message("AAPL earnings call transcript", known_tickers=KNOWN, today=TODAY)
    assert call == UploadFacts(ticker="AAPL", call=True)
    assert facts_from_message("here you go", known_tickers=KNOWN, today=TODAY) == UploadFacts()


def test_staging_names_the_file_with_the_facts_the_message_gave(tmp_path: Path) -> None:
    src = write(tmp_path, "annual report (final).txt")
    facts = UploadFacts(ticker="IBM", available_on=date(2013, 2, 26), form="10-K")
    staged = stage_upload(src, "annual report (final).txt", tmp_path / "uploads", facts)
    assert staged.name == "IBM_10-K_2013-02-26_annual_report_final.txt"
    assert staged.read_text(encoding="utf-8") == TEN_K
    again = stage_upload(src, "annual report (final).txt", tmp_path / "uploads", facts)
    assert again == staged  # same content, same place
    named = stage_upload(src, "IBM_10-K_2013-02-26.txt", tmp_path / "uploads", facts)
    assert named.name == "IBM_10-K_2013-02-26.txt"  # already says it
    with pytest.raises(MalformedFileError, match="unsupported file type .docx"):
        stage_upload(src, "report.docx", tmp_path / "uploads", facts)


def test_missing_date_or_ticker_is_asked_for(tmp_path: Path) -> None:
    path = write(tmp_path, "report.txt")
    with pytest.raises(MissingFactError) as err:
        read_upload(path, UploadFacts(ticker="IBM"), limits=LIMITS)
    assert err.value.fact == "date"
    with pytest.raises(MissingFactError) as err:
        read_upload(path, UploadFacts(available_on=date(2013, 2, 26)), limits=LIMITS)
    assert err.value.fact == "ticker"
    doc = read_upload(
        path, UploadFacts(ticker="IBM", available_on=date(2013, 2, 26)), limits=LIMITS
    )
    assert (doc.ticker, doc.form, doc.available_on) == ("IBM", "10-K", date(2013, 2, 26))
    assert {s.name for s in doc.sections} >= {"Item 1", "Item 1A", "Item 7"}
    dated = read_upload(write(tmp_path, "IBM_10-K_2013-02-26_x.txt"), UploadFacts(), limits=LIMITS)
    assert (dated.ticker, dated.available_on) == ("IBM", date(2013, 2, 26))


def test_uploads_keep_the_ingest_size_and_time_limits(tmp_path: Path) -> None:
    facts = UploadFacts(ticker="IBM", available_on=date(2013, 2, 26))
    path = write(tmp_path, "ibm.txt")
    small = upload_limits(load_settings(home=tmp_path / "h1", ingest_max_bytes=100))
    assert small == ParseLimits(max_bytes=100, max_seconds=120.0)
    with pytest.raises(ParseLimitError) as err:
        read_upload(path, facts, limits=small)
    size = path.stat().st_size
    assert str(err.value) == (  # what the chat shows after "Not indexed: "
        f"ibm.txt: too large: {size:,} bytes, over the 100-byte limit (SIGNALDESK_INGEST_MAX_BYTES)"
    )
    slow = upload_limits(load_settings(home=tmp_path / "h2", ingest_max_seconds=1e-9))
    with pytest.raises(ParseLimitError) as err:  # any parse outlasts a nanosecond
        read_upload(path, facts, limits=slow)
    assert str(err.value) == (
        "ibm.txt: took too long: parsing passed the 1e-09-second limit "
        "(SIGNALDESK_INGEST_MAX_SECONDS)"
    )
    roomy = upload_limits(load_settings(home=tmp_path / "h3", ingest_max_bytes=size))
    assert read_upload(path, facts, limits=roomy).ticker == "IBM"


def test_an_indexed_upload_is_cited_in_answers(tmp_path: Path) -> None:
    from agent.deps import deps_from_settings
    from agent.runner import Agent
    from agent.services import open_corpus
    from core.settings import load_settings
    from ui.uploads import index_upload

    settings = load_settings(home=tmp_path / "home", sources=["bundled"])
    agent = Agent(deps_from_settings(settings, model=None))
    facts = UploadFacts(ticker="IBM", available_on=date(2013, 2, 26), form="10-K")
    staged = stage_upload(write(tmp_path, "ibm.txt"), "ibm.txt", settings.home / "uploads", facts)
    doc = read_upload(staged, facts, limits=LIMITS)
    index = agent.deps.context_for(date(2013, 2, 28)).index()  # the one the agent searches
    report = index_upload(doc, index=index, corpus=open_corpus(settings))
    assert report.documents == 1 and report.chunks >= 3
    assert describe_upload(doc, report).startswith(
        "Indexed **IBM_10-K_2013-02-26_ibm.txt**: IBM 10-K dated 2013-02-26"
    )

    result = agent.ask("What did IBM say about risk factors in its 10-K?", as_of=date(2013, 2, 28))
    (cited,) = [e for e in result.evidence if e.kind == "filing"]
    assert cited.id in result.answer.markdown
    assert "Zephyr mainframe line" in cited.values["text"] and cited.source["section"] == "Item 1A"
    assert cited.source["path"] == str(staged)
    assert result.verification.ok

    before = agent.ask("What did IBM say about risk factors in its 10-K?", as_of=date(2013, 2, 25))
    assert not [e for e in before.evidence if e.kind == "filing"]  # filed after that date
