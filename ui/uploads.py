"""Documents uploaded in the chat: placed in time, parsed and indexed like ``signaldesk ingest``.

The ticker and date come from the message ("IBM 10-K filed 2013-02-26"), else from the file
(a ``TICKER_FORM_DATE_*`` name, a date in the name, an EDGAR header, inline-XBRL facts); when
neither has them ``MissingFactError`` says which to ask for. A form named in the message
("10-K") is put in the stored file's name, so the filing's sections are found even when its
cover page does not say. Uploads are kept under ``{home}/uploads`` (the path citations show).
Blocking (parsing, embedding): call off the event loop.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from agent.question import parse_question
from core.settings import Settings
from retrieval.corpus import Corpus
from retrieval.index import Index
from retrieval.ingest import IngestReport, ingest
from retrieval.sources.common import MalformedFileError, facts_from_name
from retrieval.sources.folder import HTML_SUFFIXES, PDF_SUFFIXES, TEXT_SUFFIXES, read_document
from retrieval.sources.limits import ParseLimitError, ParseLimits
from retrieval.types import Document

__all__ = [
    "ACCEPTED_SUFFIXES",
    "MissingFactError",
    "UploadFacts",
    "describe_upload",
    "facts_from_message",
    "index_upload",
    "read_upload",
    "stage_upload",
    "upload_limits",
]

ACCEPTED_SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + PDF_SUFFIXES
_ISO = re.compile(r"(?<!\d)((?:19|20)\d{2}-\d{2}-\d{2})(?!\d)")
_CALL = re.compile(r"\b(?:transcript|earnings call|conference call)\b", re.IGNORECASE)
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class MissingFactError(ValueError):
    """The upload cannot be indexed without ``fact`` ("date" or "ticker"): ask the user."""

    def __init__(self, fact: Literal["date", "ticker"], name: str) -> None:
        super().__init__(f"{name}: no {fact} found in the message or the file")
        self.fact = fact


@dataclass(frozen=True)
class UploadFacts:
    """What the message says about an upload."""

    ticker: str | None = None
    available_on: date | None = None
    form: str | None = None
    call: bool = False


def facts_from_message(text: str, *, known_tickers: Collection[str], today: date) -> UploadFacts:
    """Ticker (symbol or company name), ISO date, form and whether it is a call transcript."""
    q = parse_question(text, today=today, known_tickers=known_tickers)
    iso = _ISO.search(text)
    return UploadFacts(
        ticker=q.tickers[0] if q.tickers else None,
        available_on=date.fromisoformat(iso[1]) if iso else None,
        form=q.forms[0] if q.forms else None,
        call=bool(_CALL.search(text)),
    )


def stage_upload(src: Path, name: str, uploads_dir: Path, facts: UploadFacts) -> Path:
    """Copy an uploaded file to ``uploads_dir/<content hash>/<safe name>``, the name carrying
    ``TICKER_FORM_DATE_`` when the message gave all three and the name has no such facts."""
    suffix = Path(name).suffix.lower()
    if suffix not in ACCEPTED_SUFFIXES:
        accepted = ", ".join(ACCEPTED_SUFFIXES)
        raise MalformedFileError(f"{name}: unsupported file type {suffix or '(none)'}: {accepted}")
    stem = _UNSAFE.sub("_", Path(name).stem).strip("._") or "upload"
    if facts.ticker and facts.form and facts.available_on and facts_from_name(Path(name)) is None:
        stem = f"{facts.ticker}_{facts.form}_{facts.available_on}_{stem}"
    digest = hashlib.sha256(src.read_bytes()).hexdigest()[:12]
    target = uploads_dir / digest / f"{stem}{suffix}"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, target)
    return target


def upload_limits(settings: Settings) -> ParseLimits:
    """The per-document size and parsing-time limits of ``signaldesk ingest``
    (``SIGNALDESK_INGEST_MAX_BYTES``, ``SIGNALDESK_INGEST_MAX_SECONDS``)."""
    return ParseLimits(max_bytes=settings.ingest_max_bytes, max_seconds=settings.ingest_max_seconds)


def read_upload(path: Path, facts: UploadFacts, *, limits: ParseLimits) -> Document:
    """The staged file as a ``Document``; ``MissingFactError`` when it has no date or ticker,
    ``ParseLimitError`` (its name, then the reason naming the setting) when over ``limits``."""
    try:
        doc = read_document(
            path,
            ticker=facts.ticker,
            kind="call" if facts.call else None,
            available_on=facts.available_on,
            limits=limits,
        )
    except ParseLimitError as err:
        raise ParseLimitError(f"{path.name}: {err}") from None
    except MalformedFileError as err:
        if facts.available_on is None and "no date" in str(err):
            raise MissingFactError("date", path.name) from None
        raise
    if doc.ticker is None:
        raise MissingFactError("ticker", path.name)
    return doc


def index_upload(doc: Document, *, index: Index, corpus: Corpus) -> IngestReport:
    return ingest(documents=[doc], index=index, corpus=corpus)


def describe_upload(doc: Document, report: IngestReport) -> str:
    """One line for the chat: what was indexed and how to ask about it."""
    what = doc.form or doc.kind
    sections = sorted({s.name for s in doc.sections})
    where = f"; sections {', '.join(sections)}" if sections else ""
    return (
        f"Indexed **{Path(doc.source).name}**: {doc.ticker} {what} dated {doc.available_on}, "
        f"{report.chunks} passages ({report.embedded} newly embedded){where}. Ask about it with "
        f"an as-of date on or after {doc.available_on}."
    )
