"""Shared plumbing of the readers: skipped-file reports, text decoding, dates and file names."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from retrieval.types import Document

log = logging.getLogger("retrieval.sources")

_MONTHS = {
    name: i
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
MONTH_DAY_YEAR = (
    r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?\s*"
    r"(?P<day>\d{1,2})(?:st|nd|rd|th)?\s*,?\s*(?P<year>(?:19|20)\d{2})"
)
_MDY = re.compile(MONTH_DAY_YEAR, re.IGNORECASE)
_ISO = re.compile(r"((?:19|20)\d{2})-?(\d{2})-?(\d{2})")
_US = re.compile(r"(\d{1,2})/(\d{1,2})/((?:19|20)\d{2})")

# TICKER_FORM_DATE[_REST].ext, e.g. AAPL_10-K_2010-10-27_0001193125-10-238044.txt,
# MSFT_10-KA_2010-..., AAPL_10-Q_2025-08-01.html, BKE_8-K_EX99.1_2024-11-22.txt (date later).
_NAME = re.compile(
    r"^(?P<ticker>[A-Z][A-Z0-9.\-]{0,9})_(?P<form>(?:10|20|40)-[KQF](?:A|/A|405)?|8-K(?:A|/A)?|DEF-?14A|S-1(?:A)?)"
    r"(?:_(?P<rest>.*))?$",
    re.IGNORECASE,
)
_CONTROL = re.compile(r"[\x01-\x08\x0b\x0e-\x1f\x7f\ufffd]")
_ACCESSION = re.compile(r"(?<!\d)(\d{10}-\d{2}-\d{6})(?!\d)")


@dataclass(frozen=True)
class SkippedFile:
    """A file (or a line of one) that a reader could not use, and why; the rest went on."""

    path: str
    reason: str


class MalformedFileError(ValueError):
    """A file that cannot be read as a document (binary junk, a broken PDF, no text, no date)."""


def skip(skipped: list[SkippedFile], path: Path | str, reason: str) -> None:
    """Record a skipped file and log it as a warning."""
    skipped.append(SkippedFile(path=str(path), reason=reason))
    log.debug("skipped %s: %s", path, reason)


# the magic numbers of common binary formats that users misname as .txt/.html
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"PK\x05\x06", "a ZIP archive"),
    (b"\x1f\x8b", "gzip data"),
    (b"\xfd7zXZ\x00", "xz data"),
    (b"(\xb5/\xfd", "zstd data"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office document"),
    (b"\x7fELF", "an executable"),
    (b"MZ\x90\x00", "an executable"),
    (b"SQLite format 3\x00", "a SQLite database"),
    (b"PAR1", "a Parquet file"),
)


def refuse_binary(raw: bytes) -> None:
    """MalformedFileError when ``raw`` is not text: a known binary magic number, NUL bytes, or
    more than 5% control bytes in the first 64 KiB (random bytes, images, archives)."""
    for magic, what in _MAGIC:
        if raw.startswith(magic):
            raise MalformedFileError(f"binary content ({what}), not text")
    if b"\x00" in raw[:65536]:
        raise MalformedFileError("binary content (NUL bytes), not text")
    sample = _decode(raw[:65536], cut=len(raw) > 65536)
    bad = len(_CONTROL.findall(sample))
    if sample and bad / len(sample) > 0.05:
        raise MalformedFileError(
            f"binary content ({bad} of the first {len(sample)} characters are control bytes)"
        )


def _decode(raw: bytes, *, cut: bool = False) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        if cut and err.start >= len(raw) - 3:  # a multi-byte character cut by the sample
            return raw[: err.start].decode("utf-8-sig")
        return raw.decode("cp1252", errors="replace")


def decode_text(raw: bytes) -> str:
    """Decode a text file (UTF-8, else Windows-1252); binary content raises MalformedFileError."""
    refuse_binary(raw)
    text = _decode(raw)
    if not text.strip():
        raise MalformedFileError("empty text")
    return text


def parse_date(text: str) -> date | None:
    """The first date in ``text``: 'September 25, 2010', 'Sept. 25 2010', '2010-09-25',
    '20100925' or '09/25/2010'; None when there is none (or it is not a real date)."""
    for pattern, build in (
        (_MDY, lambda m: (int(m["year"]), _MONTHS[m["month"].lower()], int(m["day"]))),
        (_ISO, lambda m: (int(m[1]), int(m[2]), int(m[3]))),
        (_US, lambda m: (int(m[3]), int(m[1]), int(m[2]))),
    ):
        match = pattern.search(text)
        if match:
            try:
                return date(*build(match))
            except ValueError:
                continue
    return None


# EDGAR's header fields, as "KEY:<tabs>value" lines of an SGML header or a tag-stripped copy
_EDGAR_FIELD = re.compile(
    r"^[ \t]*(?P<key>ACCESSION NUMBER|CONFORMED SUBMISSION TYPE|FORM TYPE|CONFORMED PERIOD OF "
    r"REPORT|FILED AS OF DATE|COMPANY CONFORMED NAME|CENTRAL INDEX KEY|FISCAL YEAR END)"
    r":[ \t]*(?P<value>\S[^\n]*)$",
    re.MULTILINE,
)
_ACCEPTED = re.compile(r"^[ \t]*<?ACCEPTANCE-DATETIME>?:?[ \t]*(\d{8})\d{0,6}[ \t]*$", re.MULTILINE)
# "<SEC-HEADER>0000320193-10-000001.hdr.sgml : 20100127" (also without its tag)
_STAMP = re.compile(
    r"^[ \t]*(?:<(?:SEC|IMS)-(?:DOCUMENT|HEADER)>)?[ \t]*\d{10}-\d{2}-\d{6}\.(?:txt|hdr\.sgml)"
    r"[ \t]*:[ \t]*(\d{8})[ \t]*$",
    re.MULTILINE,
)
EDGAR_HEADER_CHARS = 30_000  # headers with many filers run to a few thousand characters


@dataclass(frozen=True)
class EdgarHeaderFacts:
    """What an EDGAR header says (``<SEC-HEADER>``, ``<IMS-HEADER>`` or a tag-stripped copy).

    ``filed`` is the date to place the filing in time: FILED AS OF DATE, else the date EDGAR
    stamped on the header or submission, else the day of ACCEPTANCE-DATETIME. The period of
    report is what the filing covers, never when it became public, so it is not a fallback.
    """

    accession: str | None = None
    form: str | None = None
    company: str | None = None
    cik: str | None = None
    fiscal_year_end: str | None = None  # MMDD, e.g. "0930"
    period_of_report: date | None = None
    filed_as_of: date | None = None
    stamped: date | None = None
    accepted: date | None = None

    @property
    def filed(self) -> date | None:
        return self.filed_as_of or self.stamped or self.accepted

    @property
    def found(self) -> bool:
        return any(getattr(self, f) for f in ("accession", "period_of_report", "filed"))


def edgar_header_facts(text: str) -> EdgarHeaderFacts:
    """The EDGAR header facts in the first ``EDGAR_HEADER_CHARS`` of ``text`` (empty when none)."""
    head = text[:EDGAR_HEADER_CHARS]
    fields: dict[str, str] = {}
    for match in _EDGAR_FIELD.finditer(head):
        fields.setdefault(match["key"], match["value"].strip())
    form = fields.get("CONFORMED SUBMISSION TYPE") or fields.get("FORM TYPE")
    stamped, accepted = _STAMP.search(head), _ACCEPTED.search(head)
    return EdgarHeaderFacts(
        accession=fields.get("ACCESSION NUMBER"),
        form=normalise_form(form) if form else None,
        company=fields.get("COMPANY CONFORMED NAME"),
        cik=fields.get("CENTRAL INDEX KEY"),
        fiscal_year_end=fields.get("FISCAL YEAR END"),
        period_of_report=parse_date(fields.get("CONFORMED PERIOD OF REPORT", "")),
        filed_as_of=parse_date(fields.get("FILED AS OF DATE", "")),
        stamped=parse_date(stamped[1]) if stamped else None,
        accepted=parse_date(accepted[1]) if accepted else None,
    )


@dataclass(frozen=True)
class NameFacts:
    """What a file name following TICKER_FORM_DATE_*.ext says."""

    ticker: str
    form: str
    filed: date | None
    accession: str | None


def normalise_form(form: str) -> str:
    """'10-KA' and '10-K/A' -> '10-K/A'; '10-k' -> '10-K'."""
    form = form.upper().replace("/", "")
    if form.endswith("A") and not form.endswith("14A") and len(form) > 3:
        return form[:-1] + "/A"
    return form


def facts_from_name(path: Path) -> NameFacts | None:
    """Ticker, form, filing date and accession from a TICKER_FORM_DATE_* file name."""
    match = _NAME.match(path.stem)
    if not match:
        return None
    rest = match["rest"] or ""
    iso = re.search(r"(?<!\d)((?:19|20)\d{2}-\d{2}-\d{2})(?!\d)", rest)
    filed = parse_date(iso[1]) if iso else None
    accession = _ACCESSION.search(rest)
    return NameFacts(
        ticker=match["ticker"].upper(),
        form=normalise_form(match["form"]),
        filed=filed,
        accession=accession[1] if accession else None,
    )


def load_each(
    folder: Path | str, read: Callable[[Path], Document], *, pattern: str = "*.txt"
) -> tuple[list[Document], list[SkippedFile]]:
    """``read`` every file matching ``pattern`` under ``folder`` (recursively, in name order);
    files that fail are skipped and reported, the rest go on."""
    docs: list[Document] = []
    skipped: list[SkippedFile] = []
    for path in sorted(Path(folder).rglob(pattern)):
        try:
            docs.append(read(path))
        except (OSError, MalformedFileError) as err:
            skip(skipped, path, str(err))
    return docs, skipped
