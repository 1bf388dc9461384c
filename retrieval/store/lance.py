"""The embedded on-disk vector store (the default): LanceDB in a directory you pass in.

One table holds the chunk fields and a ``vector`` column. ``Filters`` become a LanceDB
``where`` clause evaluated as a *pre*-filter (``prefilter=True``), so a selective filter still
returns ``k`` rows; ``available_on`` is an Arrow ``date32`` and ``available_on <= date 'as_of'``
is evaluated natively.

Search strategy (measured in ``benchmarks/retrieval.py``):

- below ``ann_threshold`` rows the table has no vector index and every query is an exact
  (brute-force) cosine scan, which is fast at that size;
- at ``ann_threshold`` rows an IVF index is built (``IVF_SQ`` by default: 8-bit scalar
  quantisation, ~7 s to build on 100k x 384 on 2 cores with recall@10 ~0.98; ``IVF_PQ`` builds
  ~25x slower at lower recall, ``IVF_HNSW_SQ`` slower still) with scalar indexes on the filter
  columns; rows added later are searched exactly until ``optimize()`` folds them in, which
  ``upsert`` does once they exceed 10% of the indexed rows;
- a filtered query whose filter keeps at most ``exact_below`` rows skips the ANN index and
  scans those rows exactly (IVF probing is the weak spot of selective filters); a filtered
  ANN query that still returns fewer than ``k`` rows is re-run exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import lancedb
import numpy as np
import numpy.typing as npt
import pyarrow as pa
from lancedb.index import Bitmap, BTree, HnswSq, IvfPq, IvfSq

from retrieval.store.base import (
    LIST_FILTERS,
    Filters,
    ScoredChunk,
    StoreMismatchError,
    as_query_vector,
    as_vectors,
)
from retrieval.store.records import CHUNK_COLUMNS, chunk_schema, chunks_to_table, table_to_chunks
from retrieval.types import Chunk

__all__ = ["LanceStore", "lance_where"]

AnnIndexType = Literal["IVF_SQ", "IVF_PQ", "IVF_HNSW_SQ"]
_SCALAR_INDEXES: dict[str, type[BTree] | type[Bitmap]] = {
    "id": BTree,
    "doc_id": BTree,
    "ticker": BTree,
    "available_on": BTree,
    "form": Bitmap,
    "kind": Bitmap,
    "section": Bitmap,
}
_ID_BATCH = 500


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def lance_where(filters: Filters | None) -> str | None:
    """``filters`` as a LanceDB SQL predicate, or None when nothing is restricted.

    >>> lance_where(Filters(tickers=("AAPL",), available_on_max=date(2010, 12, 31)))
    "ticker IN ('AAPL') AND available_on <= date '2010-12-31'"
    """
    if filters is None:
        return None
    parts = [
        f"{column} IN ({', '.join(_sql_str(v) for v in values)})"
        for column, name in LIST_FILTERS
        if (values := getattr(filters, name)) is not None
    ]
    if filters.available_on_min is not None:
        parts.append(f"available_on >= date '{filters.available_on_min.isoformat()}'")
    if filters.available_on_max is not None:
        parts.append(f"available_on <= date '{filters.available_on_max.isoformat()}'")
    return " AND ".join(parts) or None


class LanceStore:
    """Chunks and vectors in a LanceDB table under ``directory`` (created when absent).

    directory: folder of the LanceDB database; ``dim``: vector dimension, checked against an
    existing table. ``ann_threshold``: row count at which the ANN index is built;
    ``exact_below``: filtered queries matching at most this many rows are answered exactly;
    ``index_type``: the ANN index; ``refine_factor``: re-rank ``k * refine_factor`` ANN
    candidates with exact distances (None: off).
    """

    def __init__(
        self,
        directory: str | Path,
        *,
        dim: int,
        table: str = "chunks",
        ann_threshold: int = 50_000,
        exact_below: int = 10_000,
        index_type: AnnIndexType = "IVF_SQ",
        refine_factor: int | None = None,
    ) -> None:
        if dim <= 0:
            raise ValueError(f"dim must be positive, got {dim}")
        self.directory = Path(directory)
        self.ann_threshold = ann_threshold
        self.exact_below = exact_below
        self.index_type: AnnIndexType = index_type
        self.refine_factor = refine_factor
        self._dim = dim
        self._db = lancedb.connect(str(self.directory))
        self._table = self._open_or_create(table)

    def _open_or_create(self, name: str) -> lancedb.table.Table:
        try:
            table = self._db.open_table(name)
        except ValueError:  # LanceDB: "Table 'name' was not found"
            # Another process may create it between the two calls (two first ingests at
            # once): exist_ok opens theirs instead of failing with "already exists".
            table = self._db.create_table(name, schema=chunk_schema(self._dim), exist_ok=True)
        found = table.schema.field("vector").type.list_size
        if found != self._dim:
            raise StoreMismatchError(
                f"table {name!r} in {self.directory} holds {found}-dim vectors, not {self._dim}: "
                "use the embedder it was built with, or a new directory"
            )
        return table

    @property
    def dim(self) -> int:
        return self._dim

    @property
    def has_ann_index(self) -> bool:
        """Whether the vector column has an ANN index."""
        return self._vector_index() is not None

    def _vector_index(self) -> lancedb.index.IndexConfig | None:
        return next((ix for ix in self._table.list_indices() if ix.columns == ["vector"]), None)

    def upsert(self, chunks: Sequence[Chunk], vectors: npt.NDArray[np.float32]) -> int:
        """Insert or replace ``chunks`` by id (a repeated id in one call keeps the last)."""
        array = as_vectors(vectors, n=len(chunks), dim=self._dim)
        if not chunks:
            return 0
        last = {c.id: i for i, c in enumerate(chunks)}
        keep = sorted(last.values())
        data = chunks_to_table([chunks[i] for i in keep], array[keep])
        (
            self._table.merge_insert("id")
            .when_matched_update_all()
            .when_not_matched_insert_all()
            .execute(data)
        )
        self._maintain()
        return len(keep)

    def _maintain(self) -> None:
        index = self._vector_index()
        if index is None:
            if self._table.count_rows() >= self.ann_threshold:
                self.create_ann_index()
        elif (index.num_unindexed_rows or 0) > max(1_000, (index.num_indexed_rows or 0) // 10):
            self.optimize()

    def create_ann_index(self) -> None:
        """Build (or rebuild) the ANN index and the scalar indexes on the filter columns."""
        config = {"IVF_SQ": IvfSq, "IVF_PQ": IvfPq, "IVF_HNSW_SQ": HnswSq}[self.index_type]
        self._table.create_index("vector", config=config(distance_type="cosine"), replace=True)
        for column, index in _SCALAR_INDEXES.items():
            self._table.create_index(column, config=index(), replace=True)

    def optimize(self) -> None:
        """Compact files, fold new rows into the indexes and drop versions older than 7 days."""
        self._table.optimize()

    def query(
        self, vector: npt.NDArray[np.float32], *, k: int, filters: Filters | None = None
    ) -> list[ScoredChunk]:
        q = as_query_vector(vector, dim=self._dim)
        if k <= 0:
            return []
        where = lance_where(filters)
        exact = not self.has_ann_index or (
            where is not None and self._table.count_rows(where) <= self.exact_below
        )
        rows = self._search(q, k=k, where=where, exact=exact)
        if not exact and where is not None and rows.num_rows < k:
            rows = self._search(q, k=k, where=where, exact=True)
        scores = 1.0 - rows.column("_distance").to_numpy(zero_copy_only=False)
        return list(zip(table_to_chunks(rows), scores.astype(float).tolist(), strict=True))

    def _search(self, q: np.ndarray, *, k: int, where: str | None, exact: bool) -> pa.Table:
        search = (
            self._table.search(q, vector_column_name="vector")
            # Table.search is typed as returning the base builder; a vector gets the vector one
            .distance_type("cosine")  # type: ignore[attr-defined]
            .select([*CHUNK_COLUMNS, "_distance"])
            .limit(k)
        )
        if where is not None:
            search = search.where(where, prefilter=True)
        if exact:
            search = search.bypass_vector_index()
        elif self.refine_factor:
            search = search.refine_factor(self.refine_factor)
        return search.to_arrow()

    def delete(self, doc_id: str) -> None:
        self._table.delete(f"doc_id = {_sql_str(doc_id)}")

    def count(self) -> int:
        return self._table.count_rows()

    def all_chunks(self) -> list[Chunk]:
        """Every stored chunk (without vectors): what a lost BM25 index is rebuilt from."""
        return table_to_chunks(self._table.to_arrow().select(list(CHUNK_COLUMNS)))

    def get(self, ids: Sequence[str]) -> list[Chunk]:
        found: dict[str, Chunk] = {}
        unique = list(dict.fromkeys(ids))
        for start in range(0, len(unique), _ID_BATCH):
            batch = unique[start : start + _ID_BATCH]
            rows = (
                self._table.search()
                .where(f"id IN ({', '.join(_sql_str(i) for i in batch)})")
                .select(list(CHUNK_COLUMNS))
                .limit(len(batch))
                .to_arrow()
            )
            found.update((c.id, c) for c in table_to_chunks(rows))
        return [found[i] for i in ids if i in found]
