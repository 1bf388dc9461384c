"""A local folder of documents: .txt, .md, .html/.htm, .pdf, and .jsonl/.csv news.

``load_folder`` reads every supported file and never stops on a bad one: a file that cannot be
used (binary junk, also when named .html or .txt; a broken PDF, HTML without a body, no date
to place it in time) is returned in ``skipped`` with its reason and logged as a warning; the
others load. So is a file over the per-document limits (``ParseLimits``: its size, checked
before it is read, and its parsing time, checked while it is parsed; the settings
``ingest_max_bytes`` and ``ingest_max_seconds``).

Metadata, the first source that has it winning:

- ``ticker``: the ``ticker=`` argument; the file name ``TICKER_FORM_DATE_*``; the inline-XBRL
  ``dei:TradingSymbol`` of an HTML filing.
- ``kind``: the ``kind=`` argument; "call" for ``TICKER_qQ_YEAR`` names; "filing" when the name
  carries a form or a cover line reads just "FORM 10-K" (10-Q, 8-K, 20-F); else "other".
- ``available_on``: the ``available_on=`` argument; the filing date of a ``TICKER_FORM_DATE``
  name; the EDGAR header's date (FILED AS OF DATE, else the header's own stamp, else
  ACCEPTANCE-DATETIME), also in a tag-stripped copy of a submission (files with their SGML
  tags go to ``edgar_raw``); any ``YYYY-MM-DD`` in the file name. Without one the file is
  skipped: a document that cannot be placed in time would leak into every earlier as-of date.
- ``form``, ``period_end``, ``fiscal_period``: the name and the cover page ("For the fiscal
  year ended ..."), or the ``dei:`` facts of an inline-XBRL HTML file.

Transcripts named ``TICKER_qQ_YEAR.txt`` go through ``transcripts.read_transcript`` and raw
EDGAR submissions through ``edgar_raw.read_submission``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pypdf import PdfReader

from core.ids import content_hash
from retrieval.parsing import detect_period, parse_sections
from retrieval.sources import edgar_raw, news, transcripts
from retrieval.sources._html import HtmlText, dei_fiscal_period, html_to_text
from retrieval.sources.common import (
    EdgarHeaderFacts,
    MalformedFileError,
    SkippedFile,
    decode_text,
    edgar_header_facts,
    facts_from_name,
    normalise_form,
    parse_date,
    refuse_binary,
    skip,
)
from retrieval.sources.limits import Deadline, ParseLimitError, ParseLimits
from retrieval.types import DocKind, Document, NewsItem

TEXT_SUFFIXES = (".txt", ".md", ".markdown")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
PDF_SUFFIXES = (".pdf",)
SUPPORTED = TEXT_SUFFIXES + HTML_SUFFIXES + PDF_SUFFIXES + news.NEWS_SUFFIXES
_EDGAR_MARKERS = ("<SEC-DOCUMENT>", "<SEC-HEADER>", "<IMS-DOCUMENT>", "<IMS-HEADER>")
_COVER_FORM = re.compile(  # a cover line that is only "FORM 10-K" (not a note mentioning one)
    r"^[ \t]*FORM[ \t]+(10-?K(?:/A)?|10-?Q(?:/A)?|8-K|20-F)[ \t]*$", re.IGNORECASE | re.MULTILINE
)


@dataclass
class FolderLoad:
    """What a folder gave: documents, news items, and the files (or records) skipped."""

    documents: list[Document] = field(default_factory=list)
    news: list[NewsItem] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)


def load_folder(
    folder: Path | str,
    *,
    ticker: str | None = None,
    kind: DocKind | None = None,
    available_on: date | None = None,
    recursive: bool = True,
    limits: ParseLimits | None = None,
) -> FolderLoad:
    """Read every supported file under ``folder``, in name order; bad files, and files over the
    size or parsing-time ``limits`` (default ``ParseLimits()``), are reported."""
    root = Path(folder)
    found = root.rglob("*") if recursive else root.iterdir()
    # A link that leads nowhere (a loop, a missing target) is reported with its reason when read,
    # never dropped unseen; links to folders stay out, as rglob does not follow them.
    paths = sorted(p for p in found if p.is_file() or (p.is_symlink() and not p.is_dir()))
    load = FolderLoad()
    for path in paths:
        suffix = path.suffix.lower()
        if suffix not in SUPPORTED:
            skip(load.skipped, path, f"unsupported file type {suffix or '(none)'}")
            continue
        if suffix in news.NEWS_SUFFIXES:
            got = news.read_news(path)
            load.news.extend(got.items)
            load.skipped.extend(got.skipped)
            continue
        try:
            load.documents.append(
                read_document(
                    path, ticker=ticker, kind=kind, available_on=available_on, limits=limits
                )
            )
        except (OSError, ValueError) as err:  # MalformedFileError, pydantic's ValidationError
            skip(load.skipped, path, str(err))
    return load


def read_document(
    path: Path | str,
    *,
    ticker: str | None = None,
    kind: DocKind | None = None,
    available_on: date | None = None,
    limits: ParseLimits | None = None,
) -> Document:
    """One .txt/.md/.html/.htm/.pdf file as a Document; MalformedFileError when unusable, and
    its subclass ParseLimitError when over the size or parsing-time ``limits`` (default
    ``ParseLimits()``: ``ingest_max_bytes`` and ``ingest_max_seconds`` of the settings)."""
    path = Path(path)
    limits = limits if limits is not None else ParseLimits()
    limits.check_size(path.stat().st_size)
    deadline = limits.deadline()
    doc = _read(path, ticker=ticker, kind=kind, available_on=available_on, deadline=deadline)
    deadline.check()
    return doc


def _read(
    path: Path,
    *,
    ticker: str | None,
    kind: DocKind | None,
    available_on: date | None,
    deadline: Deadline,
) -> Document:
    suffix = path.suffix.lower()
    html: HtmlText | None = None
    if suffix in PDF_SUFFIXES:
        text = _pdf_text(path, deadline)
    elif suffix in HTML_SUFFIXES:
        raw = path.read_bytes()
        refuse_binary(raw)  # random bytes or an image named .html are not a filing
        html = html_to_text(raw, deadline=deadline)
        text = html.text
    elif suffix in TEXT_SUFFIXES:
        text = decode_text(path.read_bytes())
        if any(marker in text[:5000] for marker in _EDGAR_MARKERS):
            doc = edgar_raw.read_submission(path, ticker=ticker, available_on=available_on)
            return doc.model_copy(update={"kind": kind}) if kind else doc
        if transcripts.is_transcript_name(path):
            doc = transcripts.read_transcript(path, ticker=ticker, available_on=available_on)
            return doc.model_copy(update={"kind": kind}) if kind else doc
    else:
        raise MalformedFileError(f"unsupported file type {suffix or '(none)'}")
    return _document(path, text, html, ticker=ticker, kind=kind, available_on=available_on)


def _document(
    path: Path,
    text: str,
    html: HtmlText | None,
    *,
    ticker: str | None,
    kind: DocKind | None,
    available_on: date | None,
) -> Document:
    facts = html.facts if html else {}
    named = facts_from_name(path)
    edgar = edgar_header_facts(text)  # a tag-stripped EDGAR submission keeps its header lines
    form = _form(text, named.form if named else facts.get("DocumentType") or edgar.form)
    kind = kind or ("filing" if form else "other")
    filed = available_on or (named.filed if named else None) or edgar.filed or _date_in_name(path)
    if filed is None:
        raise MalformedFileError(_no_date_reason(edgar))
    period = detect_period(text, form=form) if kind == "filing" else None
    accession = (named.accession if named else None) or edgar.accession
    return Document(
        id=accession or f"doc-{content_hash(text)}",
        kind=kind,
        ticker=ticker or (named.ticker if named else None) or facts.get("TradingSymbol"),
        company=facts.get("EntityRegistrantName") or edgar.company,
        cik=facts.get("EntityCentralIndexKey") or edgar.cik,
        form=form if kind == "filing" else None,
        title=(html.title if html and html.title else path.stem),
        fiscal_period=dei_fiscal_period(facts)
        or edgar_raw.fiscal_period_of(form, edgar.period_of_report, edgar.fiscal_year_end)
        or (period.fiscal_period if period else None),
        period_end=parse_date(facts.get("DocumentPeriodEndDate", ""))
        or edgar.period_of_report
        or (period.period_end if period else None),
        available_on=filed,
        source=str(path),
        text=text,
        sections=parse_sections(text, form=form) if kind == "filing" and form else (),
    )


def _no_date_reason(edgar: EdgarHeaderFacts) -> str:
    if edgar.period_of_report is not None:
        return (
            f"no date to place it in time: its header has a CONFORMED PERIOD OF REPORT "
            f"{edgar.period_of_report}, which says what it covers, not when it was filed; add "
            "FILED AS OF DATE, name it TICKER_FORM_YYYY-MM-DD_*.ext, or pass available_on="
        )
    return (
        "no date to place it in time: no FILED AS OF DATE or ACCEPTANCE-DATETIME header; name "
        "it TICKER_FORM_YYYY-MM-DD_*.ext, put a YYYY-MM-DD in the name, or pass available_on="
    )


def _form(text: str, given: str | None) -> str | None:
    if given:
        return normalise_form(given)
    cover = _COVER_FORM.search(text[:10000])
    if cover is None:
        return None
    return normalise_form(re.sub(r"^(10|20)-?", r"\1-", cover[1]))


def _date_in_name(path: Path) -> date | None:
    match = re.search(r"(?<!\d)((?:19|20)\d{2}-\d{2}-\d{2})(?!\d)", path.stem)
    return parse_date(match[1]) if match else None


def _pdf_text(path: Path, deadline: Deadline) -> str:
    pages = []
    try:
        reader = PdfReader(path)
        for page in reader.pages:
            deadline.check()
            pages.append(page.extract_text() or "")
    except ParseLimitError:
        raise
    except Exception as err:  # pypdf raises many error types on corrupt input; report, don't crash
        raise MalformedFileError(f"unreadable PDF: {type(err).__name__}: {err}") from err
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    if not text:
        raise MalformedFileError("PDF has no extractable text (scanned images?)")
    return text
