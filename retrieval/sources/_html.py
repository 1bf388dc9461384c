"""HTML to clean text: scripts, styles and hidden inline-XBRL headers dropped, tables kept readable.

Each table row becomes one line with its cells joined by `` | `` (empty cells dropped, a lone
``$`` joined to the number after it and a lone ``)`` or ``%`` to the number before it); block
elements become line breaks, paragraphs are separated by a blank line. The ``dei:`` facts of an
inline-XBRL header (fiscal year and period focus, period end date, CIK, ...) are read before the
header is removed and returned beside the text.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field

from bs4 import BeautifulSoup, NavigableString, Tag, XMLParsedAsHTMLWarning

from retrieval.sources.common import MalformedFileError

_DROP = ["script", "style", "noscript", "template", "head", "ix:header"]
_BLOCK = [
    "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6",
    "section", "article", "header", "footer", "blockquote", "pre", "hr", "center", "body",
]  # fmt: skip
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_BLANKS = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class HtmlText:
    """Clean text of an HTML document, its <title>, and the dei: facts of its XBRL header."""

    text: str
    title: str = ""
    facts: dict[str, str] = field(default_factory=dict)


def html_to_text(markup: str | bytes) -> HtmlText:
    """Convert HTML (or inline XBRL) to clean text; raise MalformedFileError when it has none."""
    with warnings.catch_warnings():  # inline XBRL is XHTML; the HTML parser reads it correctly
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        soup = BeautifulSoup(markup, "lxml")
    if soup.body is None:
        raise MalformedFileError("HTML has no <body>")
    facts = _dei_facts(soup)
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    for tag in soup.find_all(_DROP):
        tag.decompose()
    for tag in soup.find_all(style=_HIDDEN_STYLE):
        tag.decompose()
    for tag in soup.find_all(hidden=True):
        tag.decompose()
    for table in reversed(soup.find_all("table")):  # inner tables first
        table.replace_with(NavigableString("\n\n" + _table_text(table) + "\n\n"))
    for br in soup.find_all("br"):
        br.replace_with(NavigableString("\n"))
    for tag in soup.find_all(_BLOCK):
        tag.insert_before(NavigableString("\n\n"))
        tag.insert_after(NavigableString("\n\n"))
    text = _normalise(soup.get_text())
    if not text:
        raise MalformedFileError("HTML has no text in its <body>")
    return HtmlText(text=text, title=title, facts=facts)


def _dei_facts(soup: BeautifulSoup) -> dict[str, str]:
    facts: dict[str, str] = {}
    for tag in soup.find_all("ix:nonnumeric"):
        name = str(tag.get("name", ""))
        if name.startswith("dei:") and name[4:] not in facts:
            facts[name[4:]] = tag.get_text(" ", strip=True)
    return facts


def dei_fiscal_period(facts: dict[str, str]) -> str | None:
    """ "FY2024" or "2025Q3" from dei:DocumentFiscalYearFocus and DocumentFiscalPeriodFocus."""
    year = facts.get("DocumentFiscalYearFocus", "")
    focus = facts.get("DocumentFiscalPeriodFocus", "").upper()
    if not (year.isdigit() and focus):
        return None
    return f"FY{year}" if focus == "FY" else f"{year}{focus}"


def _table_text(table: Tag) -> str:
    lines = []
    for row in table.find_all("tr"):
        cells = [
            _SPACES.sub(" ", cell.get_text(" ", strip=True)).strip()
            for cell in row.find_all(["td", "th"])
        ]
        cells = _merge_cells([c for c in cells if c])
        if cells:
            lines.append(" | ".join(cells))
    return "\n".join(lines)


def _merge_cells(cells: list[str]) -> list[str]:
    merged: list[str] = []
    pending = ""
    for cell in cells:
        if cell in ("$", "€", "£", "¥", "("):
            pending += cell
            continue
        if cell in (")", "%", ")%", "%)") and merged:
            merged[-1] += cell
            continue
        merged.append(pending + cell)
        pending = ""
    if pending:
        merged.append(pending)
    return merged


def _normalise(text: str) -> str:
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()
