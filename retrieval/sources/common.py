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


def decode_text(raw: bytes) -> str:
    """Decode a text file (UTF-8, else Windows-1252); binary content raises MalformedFileError."""
    if b"\x00" in raw[:65536]:
        raise MalformedFileError("binary content (NUL bytes), not text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    sample = text[:65536]
    bad = len(_CONTROL.findall(sample))
    if sample and bad / len(sample) > 0.05:
        raise MalformedFileError(
            f"binary content ({bad} of the first {len(sample)} characters are control bytes)"
        )
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
