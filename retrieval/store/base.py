"""The vector store contract: metadata filters, the ``VectorStore`` protocol and its errors.

Every store applies ``Filters`` *inside* the engine, before ranking: a filtered query returns
``k`` results whenever ``k`` chunks match, however selective the filter. Point in time is
``available_on_max=as_of``: a chunk whose document became available after ``as_of`` never
comes back.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Annotated, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field, model_validator

from retrieval.types import Chunk, DocKind

__all__ = [
    "Filters",
    "ScoredChunk",
    "StoreError",
    "StoreMismatchError",
    "VectorStore",
    "as_query_vector",
    "as_vectors",
]

FloatArray = npt.NDArray[np.float32]
ScoredChunk = tuple[Chunk, float]
_NonEmpty = Annotated[tuple[str, ...], Field(min_length=1)]


class StoreError(Exception):
    """Base class of the vector stores' errors; ``str(err)`` is a one-line message."""


class StoreMismatchError(StoreError, ValueError):
    """Vectors or an existing store that do not fit (wrong dimension, count or model)."""


# (chunk field, Filters field) pairs that filter by membership in a list
LIST_FILTERS: tuple[tuple[str, str], ...] = (
    ("ticker", "tickers"),
    ("form", "forms"),
    ("section", "sections"),
    ("kind", "kinds"),
    ("doc_id", "doc_ids"),
    ("fiscal_period", "fiscal_periods"),
)


class Filters(BaseModel):
    """Metadata restrictions of a query; every field that is set must hold (AND).

    ``None`` means "no restriction"; a set field lists the accepted values exactly as the
    chunks carry them (``tickers=("AAPL",)`` does not match ``"aapl"``), and a chunk whose
    field is ``None`` never matches a list. Dates are inclusive: ``available_on_max=as_of``
    keeps what was available on ``as_of``, which is the point-in-time rule.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    tickers: _NonEmpty | None = None
    forms: _NonEmpty | None = None
    sections: _NonEmpty | None = None
    kinds: Annotated[tuple[DocKind, ...], Field(min_length=1)] | None = None
    doc_ids: _NonEmpty | None = None
    fiscal_periods: _NonEmpty | None = None  # "FY2010", "2010Q3"
    available_on_min: date | None = None
    available_on_max: date | None = None

    @model_validator(mode="after")
    def _ordered_dates(self) -> Filters:
        lo, hi = self.available_on_min, self.available_on_max
        if lo is not None and hi is not None and lo > hi:
            raise ValueError(f"available_on_min {lo} is after available_on_max {hi}")
        return self

    @property
    def is_empty(self) -> bool:
        """True when nothing is restricted."""
        return all(value is None for value in self.model_dump().values())

    def matches(self, chunk: Chunk) -> bool:
        """Whether ``chunk`` passes every restriction (the reference semantics in Python)."""
        lists = (
            (self.tickers, chunk.ticker),
            (self.forms, chunk.form),
            (self.sections, chunk.section),
            (self.kinds, chunk.kind),
            (self.doc_ids, chunk.doc_id),
            (self.fiscal_periods, chunk.fiscal_period),
        )
        if any(allowed is not None and value not in allowed for allowed, value in lists):
            return False
        if self.available_on_min is not None and chunk.available_on < self.available_on_min:
            return False
        return self.available_on_max is None or chunk.available_on <= self.available_on_max


@runtime_checkable
class VectorStore(Protocol):
    """Chunks with their embeddings, searchable by cosine similarity under ``Filters``."""

    @property
    def dim(self) -> int:
        """Dimension of the stored vectors."""
        ...

    def upsert(self, chunks: Sequence[Chunk], vectors: FloatArray) -> int:
        """Insert or replace ``chunks`` by id with their unit ``vectors`` (n, dim); returns n.

        Idempotent: upserting the same chunks twice leaves one row per chunk id.
        """
        ...

    def query(
        self, vector: FloatArray, *, k: int, filters: Filters | None = None
    ) -> list[ScoredChunk]:
        """The ``k`` chunks most similar to the unit ``vector`` that pass ``filters``, best
        first, with their cosine similarity."""
        ...

    def delete(self, doc_id: str) -> None:
        """Remove every chunk of document ``doc_id`` (nothing happens when there is none)."""
        ...

    def count(self) -> int:
        """Number of chunks stored."""
        ...

    def get(self, ids: Sequence[str]) -> list[Chunk]:
        """The stored chunks among ``ids``, in the order asked; unknown ids are left out."""
        ...


def as_vectors(vectors: npt.ArrayLike, *, n: int, dim: int) -> FloatArray:
    """``vectors`` as a C-contiguous float32 array of shape (n, dim), or StoreMismatchError."""
    array = np.ascontiguousarray(vectors, dtype=np.float32)
    if array.shape != (n, dim):
        raise StoreMismatchError(f"expected vectors of shape ({n}, {dim}), got {array.shape}")
    if not np.isfinite(array).all():
        raise StoreMismatchError("vectors contain NaN or infinite values")
    return array


def as_query_vector(vector: npt.ArrayLike, *, dim: int) -> FloatArray:
    """One query vector as float32 of shape (dim,), or StoreMismatchError."""
    array = np.asarray(vector, dtype=np.float32).reshape(-1)
    if array.shape != (dim,):
        raise StoreMismatchError(f"expected a query vector of dimension {dim}, got {array.size}")
    return array
