"""Invented chunks for the index, store and retriever tests."""

from __future__ import annotations

from datetime import date

import numpy as np

from core.ids import content_hash
from retrieval.types import Chunk, DocKind


def make_chunk(
    text: str,
    *,
    doc_id: str = "doc-1",
    ticker: str | None = "AAPL",
    form: str | None = "10-K",
    kind: DocKind = "filing",
    section: str = "Item 7",
    available_on: date = date(2010, 10, 27),
    fiscal_period: str | None = "FY2010",
) -> Chunk:
    """A chunk whose id is the content hash of (doc id, section, text), as the chunker makes."""
    return Chunk(
        id=content_hash(f"{doc_id}|{section}|{text}"),
        doc_id=doc_id,
        kind=kind,
        ticker=ticker,
        form=form,
        fiscal_period=fiscal_period,
        available_on=available_on,
        section=section,
        section_title="Management's Discussion" if section == "Item 7" else "",
        source=f"file:///filings/{doc_id}.txt",
        char_start=0,
        char_end=len(text),
        text=text,
    )


def unit_rows(n: int, dim: int, *, seed: int = 0) -> np.ndarray:
    """``n`` random unit vectors of dimension ``dim`` (float32), seeded."""
    rng = np.random.default_rng(seed)
    rows = rng.normal(size=(n, dim)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)
