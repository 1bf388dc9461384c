"""Raw EDGAR complete-submission files (``<SEC-DOCUMENT>``: SGML header + ``<DOCUMENT>`` blocks).

The header gives the accession number, form type, company conformed name, CIK, conformed period
of report, filed-as-of date and fiscal year end (``<SEC-HEADER>``, or ``<IMS-HEADER>`` in 1990s
files). Every ``<DOCUMENT>`` block gives type, sequence, filename, description and text; HTML
blocks are converted to text, SGML layout tags of old text filings (``<PAGE>``, ``<TABLE>``,
``<S>``, ``<C>``, ``<CAPTION>``, ``<FN>``) are removed, and uuencoded binaries (graphics, zips,
PDFs) keep no text. Blocks repeated in a file (some crawls hold the whole submission several
times) are de-duplicated by the content hash of type and text, the first kept.

The primary document (the first block whose type is the form, else sequence 1) becomes the
``Document`` text, with item sections, the period of report as ``period_end``, and the filing
date as ``available_on``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from core.ids import content_hash
from retrieval.parsing import fiscal_quarter_label, fiscal_year_label, parse_sections
from retrieval.sources._html import html_to_text
from retrieval.sources.common import (
    MalformedFileError,
    SkippedFile,
    decode_text,
    edgar_header_facts,
    facts_from_name,
    load_each,
    normalise_form,
)
from retrieval.types import Document

_HEADER = re.compile(r"<(SEC|IMS)-HEADER>(?P<body>.*?)</(?:SEC|IMS)-HEADER>", re.DOTALL)
_BLOCK = re.compile(r"<DOCUMENT>(?P<body>.*?)(?:</DOCUMENT>|(?=<DOCUMENT>)|\Z)", re.DOTALL)
_TAG = re.compile(
    r"^<(?P<tag>TYPE|SEQUENCE|FILENAME|DESCRIPTION)>[ \t]*(?P<value>[^\n]*)$", re.MULTILINE
)
_TEXT = re.compile(r"<TEXT>\n?(?P<text>.*?)(?:</TEXT>|\Z)", re.DOTALL)
_SGML_LAYOUT_LINE = re.compile(
    r"^[ \t]*</?(?:PAGE|TABLE|CAPTION|S|C|FN)>(?:[ \t\d]|</?(?:S|C)>)*\n?", re.MULTILINE
)
_SGML_LAYOUT_TAG = re.compile(r"</?(?:PAGE|TABLE|CAPTION|S|C|FN)>")
_HTML_HINT = re.compile(
    r"<(?:html|body|div|p|font|br)\b", re.IGNORECASE
)  # not <TABLE>: SGML has it
_BINARY_TYPES = ("GRAPHIC", "ZIP", "EXCEL", "PDF", "JSON", "XML")


@dataclass(frozen=True)
class SubmissionHeader:
    """The SGML header's facts."""

    accession: str | None
    form: str | None
    company: str | None
    cik: str | None
    period_of_report: date | None
    filed: date | None
    fiscal_year_end: str | None  # MMDD, e.g. "0930"


@dataclass(frozen=True)
class DocumentBlock:
    """One ``<DOCUMENT>`` of a submission, its text cleaned."""

    type: str
    sequence: int | None
    filename: str
    description: str
    text: str
    is_html: bool


@dataclass(frozen=True)
class Submission:
    """A parsed complete submission: header, distinct blocks, and how many repeats were dropped."""

    header: SubmissionHeader
    blocks: tuple[DocumentBlock, ...]
    duplicates_removed: int

    def primary(self) -> DocumentBlock:
        """The main document: the first block of the form's type, else sequence 1, else first."""
        form = (self.header.form or "").upper()
        for block in self.blocks:
            if block.type.upper() == form:
                return block
        return next((b for b in self.blocks if b.sequence == 1), self.blocks[0])


def parse_submission(raw: str) -> Submission:
    """Parse a complete-submission text; MalformedFileError when it has no header or documents."""
    header_match = _HEADER.search(raw)
    first_doc = raw.find("<DOCUMENT>")
    if header_match is None and first_doc < 0:
        raise MalformedFileError("not an EDGAR submission: no <SEC-HEADER> and no <DOCUMENT>")
    header_text = header_match["body"] if header_match else raw[: max(first_doc, 0)]
    header = _header(header_text)
    blocks: list[DocumentBlock] = []
    seen: set[str] = set()
    duplicates = 0
    for match in _BLOCK.finditer(raw):
        block = _block(match["body"])
        key = content_hash(f"{block.type}\x1f{block.sequence}\x1f{block.text}")
        if key in seen:
            duplicates += 1
            continue
        seen.add(key)
        blocks.append(block)
    if not blocks:
        raise MalformedFileError("EDGAR submission without <DOCUMENT> blocks")
    return Submission(header=header, blocks=tuple(blocks), duplicates_removed=duplicates)


def _header(text: str) -> SubmissionHeader:
    facts = edgar_header_facts(text)
    return SubmissionHeader(
        accession=facts.accession,
        form=facts.form,
        company=facts.company,
        cik=facts.cik,
        period_of_report=facts.period_of_report,
        filed=facts.filed,
        fiscal_year_end=facts.fiscal_year_end,
    )


def _block(body: str) -> DocumentBlock:
    tags: dict[str, str] = {}
    for match in _TAG.finditer(body.split("<TEXT>", 1)[0]):
        tags.setdefault(match["tag"], match["value"].strip())
    text_match = _TEXT.search(body)
    raw_text = text_match["text"] if text_match else ""
    doc_type = tags.get("TYPE", "")
    is_html = bool(_HTML_HINT.search(raw_text[:5000]))
    if doc_type.upper() in _BINARY_TYPES or raw_text.lstrip().startswith("begin 6"):
        text = ""
    elif is_html:
        try:
            text = html_to_text(raw_text).text
        except MalformedFileError:
            text = ""
    else:
        text = _SGML_LAYOUT_TAG.sub("", _SGML_LAYOUT_LINE.sub("", raw_text)).strip("\n")
    sequence = tags.get("SEQUENCE", "")
    return DocumentBlock(
        type=doc_type,
        sequence=int(sequence) if sequence.isdigit() else None,
        filename=tags.get("FILENAME", ""),
        description=tags.get("DESCRIPTION", ""),
        text=text,
        is_html=is_html,
    )


def submission_document(
    sub: Submission, *, source: str, ticker: str | None = None, available_on: date | None = None
) -> Document:
    """The submission's primary document as a Document."""
    head = sub.header
    filed = available_on or head.filed
    if filed is None:
        raise MalformedFileError(
            "no filing date in the header (FILED AS OF DATE, ACCEPTANCE-DATETIME): "
            "pass available_on="
        )
    primary = sub.primary()
    if not primary.text.strip():
        raise MalformedFileError(f"the primary document ({primary.type}) has no text")
    form = head.form or (normalise_form(primary.type) if primary.type else None)
    return Document(
        id=head.accession or f"edgar-{content_hash(primary.text)}",
        kind="filing",
        ticker=ticker,
        company=head.company,
        cik=head.cik,
        form=form,
        title=" ".join(p for p in (head.company, form, primary.description) if p),
        fiscal_period=fiscal_period_of(form, head.period_of_report, head.fiscal_year_end),
        period_end=head.period_of_report,
        available_on=filed,
        source=source,
        text=primary.text,
        sections=parse_sections(primary.text, form=form),
    )


def fiscal_period_of(form: str | None, period: date | None, fye: str | None) -> str | None:
    """'FY2010' for a 10-K, '2010Q3' for a 10-Q (with the fiscal year end MMDD), else None."""
    if period is None or not form:
        return None
    if form.startswith("10-K"):
        return fiscal_year_label(period)
    if form.startswith("10-Q") and fye and fye[:2].isdigit() and 1 <= int(fye[:2]) <= 12:
        return fiscal_quarter_label(period, fiscal_year_end_month=int(fye[:2]))
    return None


def read_submission(
    path: Path | str, *, ticker: str | None = None, available_on: date | None = None
) -> Document:
    """One complete-submission file as a Document (ticker from the file name when not given)."""
    path = Path(path)
    raw = decode_text(path.read_bytes())
    named = facts_from_name(path)
    ticker = ticker or (named.ticker if named else None)
    return submission_document(
        parse_submission(raw), source=str(path), ticker=ticker, available_on=available_on
    )


def load_submissions(
    folder: Path | str, *, pattern: str = "*.txt"
) -> tuple[list[Document], list[SkippedFile]]:
    """Every submission file under ``folder``; files that fail are skipped and reported."""
    return load_each(folder, read_submission, pattern=pattern)
