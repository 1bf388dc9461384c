"""What every Markdown report is written with (the briefing, the eval and calibration reports):
one table layout and the number formats, "n/a" for a missing value."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["markdown_table", "num", "pct", "signed"]


def markdown_table(header: list[str], rows: Iterable[list[str]]) -> list[str]:
    """Markdown table lines: the header, its rule, then one line per row (cells as given)."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def pct(value: float | None, digits: int = 2) -> str:
    """``0.0123`` -> ``1.23%``."""
    return "n/a" if value is None else f"{value:.{digits}%}"


def signed(value: float | None, digits: int = 2, *, percent: bool = False) -> str:
    """With its sign: ``+0.12`` or, with ``percent``, ``+1.23%``."""
    if value is None:
        return "n/a"
    return f"{value:+.{digits}%}" if percent else f"{value:+.{digits}f}"


def num(value: float | None, digits: int = 3) -> str:
    """``0.123``: fixed ``digits`` decimals."""
    return "n/a" if value is None else f"{value:.{digits}f}"
