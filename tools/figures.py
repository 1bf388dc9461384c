"""A figure read from a filing's tables (net sales, net income, ...) for asked fiscal years.

The filing read is the latest 10-K (or 10-K/A) of the ticker filed on or before the as-of date
that reports every asked year: filings are tried latest first, and a filing whose fiscal year
ends before the latest asked year cannot report it and is skipped. Its text is the text the
index stored (its chunks put back at their offsets, ``retrieval.catalog``), not the source file.
In that text every table row labelled as the figure (``FIGURES``) and reporting every asked year
is a candidate (``retrieval.tables``); a figure appears in several tables (selected financial
data, MD&A, the statement of operations) and segment tables repeat a label ("Net sales" of the
Americas), so the values most rows agree on win, ties going to the financial statements
(Item 8), then Item 6, then Item 7, then the earlier row.

A restated figure is read as the latest filing states it (Apple's FY2009 net sales are
$42,905 million in later 10-Ks, after the 2010 change in revenue recognition). A figure no
filing reports is a model-fixable tool error naming the filings read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from retrieval.catalog import IndexedDocument, document_text
from retrieval.tables import TableRow, table_rows
from retrieval.types import Chunk
from tools.context import ToolContext
from tools.documents import NoIndexError, catalog_of
from tools.evidence import Evidence, Window
from tools.runtime import ToolInputError

__all__ = ["FIGURES", "figure_evidence", "figure_key"]

FIGURES: dict[str, tuple[str, ...]] = {
    "net_sales": (
        "Net sales", "Total net sales", "Revenue", "Revenues", "Total revenue",
        "Total revenues", "Net revenue", "Net revenues", "Total net revenue",
    ),
    "net_income": ("Net income", "Net income (loss)", "Net earnings"),
    "cost_of_sales": (
        "Cost of sales", "Total cost of sales", "Cost of revenue", "Total cost of revenue",
        "Cost of revenues",
    ),
    "gross_margin": ("Gross margin", "Total gross margin", "Gross profit"),
    "operating_income": (
        "Operating income", "Income from operations", "Operating income (loss)",
        "Total operating income",
    ),
    "research_and_development": ("Research and development", "Research and development expense"),
}  # fmt: skip
_ALIASES = {
    "revenue": "net_sales", "revenues": "net_sales", "sales": "net_sales",
    "total_net_sales": "net_sales", "earnings": "net_income", "profit": "net_income",
    "cost_of_revenue": "cost_of_sales", "gross_profit": "gross_margin",
    "operating_profit": "operating_income", "r&d": "research_and_development",
    "research_development": "research_and_development",
}  # fmt: skip
_SECTION_RANK = {"Item 8": 0, "Item 6": 1, "Item 7": 2}
_MAX_FILINGS = 4  # filings tried, latest first: a 10-K reports three to five fiscal years


def figure_key(figure: str) -> str:
    """The canonical name of ``figure`` ("Net sales", "revenue" -> "net_sales"), or
    ToolInputError listing the figures that can be read."""
    key = "_".join(figure.strip().lower().replace("-", " ").split())
    for label_key, labels in FIGURES.items():
        if key == label_key or figure.strip().lower() in (x.lower() for x in labels):
            return label_key
    if key in _ALIASES:
        return _ALIASES[key]
    raise ToolInputError(f"unknown figure {figure!r}: use one of {', '.join(FIGURES)}")


def _fiscal_year(doc: IndexedDocument) -> int | None:
    period = doc.fiscal_period or ""
    return int(period[2:]) if period.startswith("FY") and period[2:].isdigit() else None


def _section_at(chunks: Sequence[Chunk], offset: int) -> str:
    for chunk in chunks:
        if chunk.char_start <= offset < chunk.char_end:
            return chunk.section
    return ""


def _pick(rows: list[TableRow], years: list[int], chunks: Sequence[Chunk]) -> TableRow | None:
    """The row whose values for ``years`` most rows agree on (see the module docstring)."""
    full = [r for r in rows if all(y in r.by_year for y in years)]
    if not full:
        return None
    votes = Counter((tuple(r.by_year[y] for y in years), r.unit) for r in full)
    return min(
        full,
        key=lambda r: (
            -votes[(tuple(r.by_year[y] for y in years), r.unit)],
            _SECTION_RANK.get(_section_at(chunks, r.start), len(_SECTION_RANK)),
            r.start,
        ),
    )


def _growth(by_year: dict[int, float], years: list[int]) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for a, b in zip(years, years[1:], strict=False):
        base = by_year[a]
        out[f"{a}-{b}"] = round(by_year[b] / base - 1, 4) if base > 0 else None
    return out


def figure_evidence(
    ctx: ToolContext, ticker: str, figure: str, fiscal_years: Sequence[int]
) -> Evidence:
    """``figure`` of ``ticker`` for ``fiscal_years`` as reported in the latest 10-K filed by
    ``ctx.as_of`` that reports them all (none: the latest 10-K's fiscal year and the one
    before it); one Evidence of kind "figure"."""
    key = figure_key(figure)
    years = sorted(set(fiscal_years))
    symbol = ticker.upper()
    catalog = catalog_of(ctx)
    filings = [
        d
        for d in catalog.documents()
        if d.kind == "filing"
        and d.ticker == symbol
        and (d.form or "").upper().startswith("10-K")
        and d.available_on <= ctx.as_of
    ]
    if not filings:
        raise NoIndexError(
            f"no 10-K filings are indexed for {symbol} up to {ctx.as_of}; ingest them with "
            f"`signaldesk ingest edgar {symbol}` or `signaldesk ingest folder DIR`"
        )
    if not years:  # "last fiscal year": the latest 10-K's year, and the one before for growth
        latest = max(filings, key=lambda d: (d.available_on, d.doc_id))
        year = _fiscal_year(latest)
        if year is None:
            raise ToolInputError(
                f"the latest {symbol} 10-K filed by {ctx.as_of} names no fiscal year: give "
                "fiscal_years, e.g. fiscal_years=[2009, 2010]"
            )
        years = [year - 1, year]
    candidates = [
        d
        for d in sorted(filings, key=lambda d: (d.available_on, d.doc_id), reverse=True)
        if (_fiscal_year(d) or years[-1]) >= years[-1]
    ][:_MAX_FILINGS]
    read: list[str] = []
    for doc in candidates:
        chunks = catalog.document_chunks(doc.doc_id)
        row = _pick(table_rows(document_text(chunks), FIGURES[key]), years, chunks)
        read.append(f"{doc.form} {doc.fiscal_period or '?'} filed {doc.available_on}")
        if row is not None:
            return _evidence(ctx, symbol, key, years, doc, row, _section_at(chunks, row.start))
    which = "; ".join(read) or f"none of the {len(filings)} indexed 10-Ks covers fiscal {years[-1]}"
    raise ToolInputError(
        f"no table row labelled {' / '.join(FIGURES[key][:3])} reporting fiscal "
        f"{', '.join(map(str, years))} found in {symbol}'s 10-Ks filed by {ctx.as_of} "
        f"(read: {which}); ask for years those filings report, or another figure"
    )


def _evidence(
    ctx: ToolContext,
    ticker: str,
    key: str,
    years: list[int],
    doc: IndexedDocument,
    row: TableRow,
    section: str,
) -> Evidence:
    by_year = {y: row.by_year[y] for y in years}
    growth = _growth(by_year, years)
    cells = "; ".join(f"{y} {v:,.0f}" for y, v in by_year.items())
    changes = "; ".join(f"{k} {v:+.2%}" for k, v in growth.items() if v is not None)
    return Evidence.make(
        kind="figure",
        tickers=[ticker],
        as_of=ctx.as_of,
        values={
            "figure": key,
            "label": row.label,
            "unit": row.unit,
            "by_year": {str(y): v for y, v in by_year.items()},
            "growth": growth,
            "form": doc.form,
            "fiscal_year": _fiscal_year(doc),
            "filed": doc.available_on,
            "passage": row.text,
        },
        window=Window(end=doc.available_on),
        source={
            "document": doc.doc_id,
            "form": doc.form,
            "fiscal_period": doc.fiscal_period,
            "section": section,
            "filed": doc.available_on,
            "path": doc.source,
            "chars": [row.start, row.end],
        },
        summary=f"{ticker} {row.label} ({row.unit}) from the {doc.form} {doc.fiscal_period} "
        f"filed {doc.available_on}, {section or 'a table'}: {cells}"
        + (f"; growth {changes}" if changes else "")
        + f'. Table row: "{row.text}"',
    )
