"""Rows of the financial tables in a filing's text, with their cells read by fiscal year.

Filings converted to text keep a table as aligned lines: a header line naming the years
("2010   2009   2008", "September 28, 2019   September 29, 2018", or "2019  Change  2018  Change"
with percentage columns between), a rule, and rows "Net sales   $ 65,225   $ 42,905   37,491"
(or the same with `` | `` between cells). Reading a row:

- cells are split at runs of two or more spaces (or at ``|``); the first cell is the label (a
  trailing ":" and footnote marks such as "(1)" or "(a)" dropped), a lone "$" is not a cell;
- a cell value: "$" and "," dropped, "(1,234)" is -1234, "—" is 0 (nil), a cell ending in "%"
  or a column headed by a non-year word ("Change") is a percentage and is not a year's value;
- the header is the nearest line above the row (at most ``_HEADER_REACH`` lines, blank lines and
  rules skipped, never above a line of prose or another kind of header) with at least two year
  cells; the label cell before the first year ("Three
  years ended September 25, 2010", "(In millions)") is dropped, and the k-th header cell names
  the k-th row cell. Converted headers often list fewer years than the row has cells (a
  five-year table headed "2010  2009"): the cells past the header are not read. When the header
  names years only, percentage cells are skipped before pairing ("2010  2009" over
  "$ 65,225  52%  $ 42,905  14%  37,491");
- a year cell is a year ("2010", "FY2010", "Fiscal 2010") or a date ("September 25, 2010", read
  as the fiscal year ``retrieval.parsing.fiscal_year_label`` names);
- the unit is the nearest "(in millions/thousands/billions" written in the ``_UNIT_REACH``
  characters above the row, or between header and row ("(In millions, except per share data)"
  under the header); else the nearest such words without the parenthesis ("(in millions, except
  share amounts which are reflected in thousands)" is in millions); "USD" alone when none is
  written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from retrieval.parsing import fiscal_year_label
from retrieval.sources.common import parse_date

__all__ = ["TableRow", "parse_cell", "table_rows"]

_HEADER_REACH = 40
_PROSE = 60  # a line of one cell this long is prose: the table ended above it
_UNIT_REACH = 3000
_CELL_SPLIT = re.compile(r"\s{2,}|\s*\|\s*")
_RULE = re.compile(r"^[\s\u2500-\u257f=_\-|]*$")
_YEAR = re.compile(
    r"^(?:FY\s?|Fiscal\s+(?:year\s+)?)?((?:19|20)\d\d)(?:\s*\(\w\))?$", re.IGNORECASE
)
_DATE = re.compile(r"^[A-Z][a-z]+\.?\s+\d{1,2},\s*(?:19|20)\d\d$")
_NUMBER = re.compile(r"^\(?-?\$?\s*(\d[\d,]*(?:\.\d+)?)\s*\)?\s*(%?)\)?$")
_DASH = re.compile(r"^[\u2014\u2013\-]+$")
_FOOTNOTE = re.compile(r"(?:\s*\((?:\d{1,2}|[a-z])\))+$")
_UNIT = re.compile(
    r"\(\s*(?:dollars\s+|amounts\s+)?in\s+(millions|thousands|billions)\b", re.IGNORECASE
)
_UNIT_LOOSE = re.compile(r"\bin\s+(millions|thousands|billions)\b", re.IGNORECASE)


@dataclass(frozen=True)
class TableRow:
    """One table row: its label, the value of each fiscal year the header names, the unit, the
    row's text and offsets in the text it was read from."""

    label: str
    by_year: dict[int, float]
    unit: str
    text: str
    start: int
    end: int


def parse_cell(cell: str) -> tuple[float, bool] | None:
    """(value, is_percentage) of a table cell, or None when it is not a number."""
    text = cell.replace("$", "").strip()
    if _DASH.match(text):
        return 0.0, False
    m = _NUMBER.match(text)
    if m is None:
        return None
    value = float(m[1].replace(",", ""))
    negative = text.startswith(("(", "-"))
    percent = bool(m[2]) or (text.startswith("(") and not text.endswith(")"))
    return (-value if negative else value), percent


def _cells(line: str) -> list[str]:
    return [c for c in _CELL_SPLIT.split(line.strip()) if c and c != "$"]


def _year_of(cell: str) -> int | None:
    if m := _YEAR.match(cell):
        return int(m[1])
    if _DATE.match(cell) and (day := parse_date(cell)) is not None:
        return int(fiscal_year_label(day)[2:])
    return None


def _header(cells: list[str]) -> list[int | None] | None:
    """The columns a header line names (a fiscal year, or None for another word), its label
    cell dropped; None when the line names fewer than two years."""
    years = [_year_of(c) for c in cells]
    if sum(y is not None for y in years) < 2:
        return None
    first = next(i for i, y in enumerate(years) if y is not None)
    return years[first:]


def _unit(text: str, start: int, end: int) -> str:
    lo = max(0, start - _UNIT_REACH)
    found = list(_UNIT.finditer(text, lo, end)) or list(_UNIT_LOOSE.finditer(text, lo, end))
    return f"USD {found[-1][1].lower()}" if found else "USD"


def table_rows(text: str, labels: tuple[str, ...]) -> list[TableRow]:
    """Every row of ``text``'s tables whose label is one of ``labels`` (case-insensitive) and
    whose header names at least one fiscal year with a value, in document order."""
    wanted = {label.lower() for label in labels}
    lines, pos = [], 0
    for line in text.split("\n"):
        lines.append((pos, line))
        pos += len(line) + 1
    rows: list[TableRow] = []
    for i, (start, line) in enumerate(lines):
        cells = _cells(line)
        if len(cells) < 2 or _FOOTNOTE.sub("", cells[0]).rstrip(" :").lower() not in wanted:
            continue
        values = [parse_cell(c) for c in cells[1:]]
        if any(v is None for v in values):
            continue  # prose that happens to start with the label
        header = _header_above(lines, i)
        if header is None:
            continue
        head_start, columns = header
        cells_read: list[tuple[float, bool]] = [v for v in values if v is not None]
        if all(year is not None for year in columns):  # no "Change" column named: skip the %s
            cells_read = [v for v in cells_read if not v[1]]
        by_year = {
            year: value
            for year, (value, percent) in zip(columns, cells_read, strict=False)
            if year is not None and not percent
        }
        if by_year:
            rows.append(
                TableRow(
                    label=_FOOTNOTE.sub("", cells[0]).rstrip(" :"),
                    by_year=by_year,
                    unit=_unit(text, head_start, start),
                    text=" ".join(line.split()),
                    start=start,
                    end=start + len(line),
                )
            )
    return rows


def _header_above(lines: list[tuple[int, str]], row: int) -> tuple[int, list[int | None]] | None:
    seen = 0
    for k in range(row - 1, -1, -1):
        start, line = lines[k]
        if _RULE.match(line):
            continue
        seen += 1
        cells = _cells(line)
        if seen > _HEADER_REACH or (len(cells) == 1 and len(cells[0]) > _PROSE):
            return None
        columns = _header(cells)
        if columns is not None:
            return start, columns
        if len(cells) >= 2 and all(parse_cell(c) is None for c in cells[1:]):
            return None  # another kind of header ("Quarter Ended  September 30  December 31")
    return None
