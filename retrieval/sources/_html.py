"""HTML to clean text: scripts, styles and hidden inline-XBRL headers dropped, tables kept readable.

Each table row becomes one line with its cells joined by `` | `` (empty cells dropped, a lone
``$`` joined to the number after it and a lone ``)`` or ``%`` to the number before it); block
elements become line breaks, paragraphs are separated by a blank line. The ``dei:`` facts of an
inline-XBRL header (fiscal year and period focus, period end date, CIK, ...) are read before the
header is removed and returned beside the text.

The text is gathered in one iterative pass over the parsed tree, without editing it, so the work
is linear in the document's size (inserting break strings into the tree, as this module once
did, scanned a parent's children or a subtree per element: quadratic in flat or nested tags).
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field

from bs4 import BeautifulSoup, CData, NavigableString, PageElement, Tag, XMLParsedAsHTMLWarning

from retrieval.sources.common import MalformedFileError
from retrieval.sources.limits import Deadline

_DROP = frozenset(("script", "style", "noscript", "template", "head", "ix:header"))
_BLOCK = frozenset((
    "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6",
    "section", "article", "header", "footer", "blockquote", "pre", "hr", "center", "body",
))  # fmt: skip
_MAX_FACTS = 200
_TEXT_TYPES = (NavigableString, CData)  # what get_text() reads: no comments, doctypes, scripts
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_BLANKS = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class HtmlText:
    """Clean text of an HTML document, its <title>, and the dei: facts of its XBRL header."""

    text: str
    title: str = ""
    facts: dict[str, str] = field(default_factory=dict)


def html_to_text(markup: str | bytes, *, deadline: Deadline | None = None) -> HtmlText:
    """Convert HTML (or inline XBRL) to clean text; raise MalformedFileError when it has none.

    One pass over the parsed tree, linear in the document's size; ``deadline`` (checked every
    few thousand nodes) raises ``ParseLimitError`` when the document takes too long.
    """
    with warnings.catch_warnings():  # inline XBRL is XHTML; the HTML parser reads it correctly
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        soup = BeautifulSoup(markup, "lxml")
    if soup.body is None:
        raise MalformedFileError("HTML has no <body>")
    facts = _dei_facts(soup)
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    text = _normalise(_Walker(deadline).text(soup))
    if not text:
        raise MalformedFileError("HTML has no text in its <body>")
    return HtmlText(text=text, title=title, facts=facts)


class _Walker:
    """The text of a tree in one iterative pass (no recursion limit, no tree edits).

    Dropped and hidden elements are skipped with what they hold; a table becomes its rows
    (``_table_text``), a ``<br>`` a line break, a block element a blank line before and after.
    """

    def __init__(self, deadline: Deadline | None) -> None:
        self.deadline = deadline
        self.visited = 0

    def _tick(self) -> None:
        self.visited += 1
        if self.deadline is not None and self.visited % 4096 == 0:
            self.deadline.check()

    def text(self, root: Tag) -> str:
        out: list[str] = []
        stack: list[PageElement | str] = [root]
        while stack:
            node = stack.pop()
            self._tick()
            if type(node) is str:  # a break queued after an element's children
                out.append(node)
            elif isinstance(node, NavigableString):
                if type(node) in _TEXT_TYPES:
                    out.append(str(node))
            elif isinstance(node, Tag) and _shown(node):
                if node.name == "table":
                    out.append("\n\n" + self.table(node) + "\n\n")
                elif node.name == "br":
                    out.append("\n")
                else:
                    if node.name in _BLOCK:
                        out.append("\n\n")
                        stack.append("\n\n")
                    stack.extend(reversed(node.contents))
        return "".join(out)

    def table(self, table: Tag) -> str:
        """One line per row of ``table`` (not of the tables nested in it), cells joined by " | ".
        Rows are not looked for inside a row, nor cells inside a cell: malformed nesting reads
        as the outer cell's text, once."""
        lines = []
        for row in self._below(table, "tr", ("tr",)):
            cells = [self._cell(cell) for cell in self._below(row, ("td", "th"), ("td", "th"))]
            cells = _merge_cells([c for c in cells if c])
            if cells:
                lines.append(" | ".join(cells))
        return "\n".join(lines)

    def _below(self, root: Tag, names: str | tuple[str, ...], stop: tuple[str, ...]) -> list[Tag]:
        """Shown descendants of ``root`` named ``names``, in document order, without entering
        nested tables or the matches themselves (``stop``)."""
        found: list[Tag] = []
        stack = list(reversed(root.contents))
        while stack:
            node = stack.pop()
            self._tick()
            if not isinstance(node, Tag) or not _shown(node):
                continue
            if node.name in names:
                found.append(node)
            if node.name != "table" and node.name not in stop:
                stack.extend(reversed(node.contents))
        return found

    def _cell(self, cell: Tag) -> str:
        """A cell's stripped strings joined by spaces, a nested table as its rows."""
        parts: list[str] = []
        stack = list(reversed(cell.contents))
        while stack:
            node = stack.pop()
            self._tick()
            if isinstance(node, NavigableString):
                if type(node) in _TEXT_TYPES and (part := node.strip()):
                    parts.append(part)
            elif isinstance(node, Tag) and _shown(node):
                if node.name == "table":
                    if nested := self.table(node):
                        parts.append(nested)
                else:
                    stack.extend(reversed(node.contents))
        return _SPACES.sub(" ", " ".join(parts)).strip()


def _shown(tag: Tag) -> bool:
    """False for the elements dropped with what they hold: scripts, styles, headers, hidden."""
    if tag.name in _DROP:
        return False
    style = tag.get("style")
    if style is not None and _HIDDEN_STYLE.search(str(style)):
        return False
    return tag.get("hidden") is None


def _dei_facts(soup: BeautifulSoup) -> dict[str, str]:
    """The first value of each dei: fact, at most ``_MAX_FACTS`` of them (a cover page has a few
    dozen; the cap bounds the work on nested facts to a constant times the document)."""
    facts: dict[str, str] = {}
    for tag in soup.find_all("ix:nonnumeric"):
        name = str(tag.get("name", ""))
        if name.startswith("dei:") and name[4:] not in facts:
            facts[name[4:]] = tag.get_text(" ", strip=True)
            if len(facts) >= _MAX_FACTS:
                break
    return facts


def dei_fiscal_period(facts: dict[str, str]) -> str | None:
    """ "FY2024" or "2025Q3" from dei:DocumentFiscalYearFocus and DocumentFiscalPeriodFocus."""
    year = facts.get("DocumentFiscalYearFocus", "")
    focus = facts.get("DocumentFiscalPeriodFocus", "").upper()
    if not (year.isdigit() and focus):
        return None
    return f"FY{year}" if focus == "FY" else f"{year}{focus}"


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
