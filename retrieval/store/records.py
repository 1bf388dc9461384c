"""Chunks <-> Arrow tables: the on-disk schema shared by the embedded store and the BM25 index."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from retrieval.types import Chunk

# Chunk fields in schema order; every one becomes a column of the same name.
CHUNK_FIELDS: tuple[pa.Field, ...] = (
    pa.field("id", pa.string(), nullable=False),
    pa.field("doc_id", pa.string(), nullable=False),
    pa.field("kind", pa.string(), nullable=False),
    pa.field("ticker", pa.string()),
    pa.field("form", pa.string()),
    pa.field("fiscal_period", pa.string()),
    pa.field("available_on", pa.date32(), nullable=False),  # native date: `available_on <= d`
    pa.field("section", pa.string(), nullable=False),
    pa.field("section_title", pa.string(), nullable=False),
    pa.field("source", pa.string(), nullable=False),
    pa.field("char_start", pa.int64(), nullable=False),
    pa.field("char_end", pa.int64(), nullable=False),
    pa.field("text", pa.string(), nullable=False),
    pa.field("injection_suspected", pa.bool_(), nullable=False),
)
CHUNK_COLUMNS: tuple[str, ...] = tuple(f.name for f in CHUNK_FIELDS)


def chunk_schema(dim: int | None = None) -> pa.Schema:
    """The chunk columns, plus ``vector`` (fixed-size list of ``dim`` float32) when ``dim``."""
    fields = list(CHUNK_FIELDS)
    if dim is not None:
        fields.append(pa.field("vector", pa.list_(pa.float32(), dim), nullable=False))
    return pa.schema(fields)


def chunks_to_table(
    chunks: Sequence[Chunk], vectors: npt.NDArray[np.float32] | None = None
) -> pa.Table:
    """One row per chunk; with ``vectors`` (n, dim) a ``vector`` column is added."""
    columns = {name: [getattr(c, name) for c in chunks] for name in CHUNK_COLUMNS}
    dim = None if vectors is None else int(vectors.shape[1])
    arrays = [pa.array(columns[f.name], type=f.type) for f in CHUNK_FIELDS]
    if vectors is not None:
        flat = pa.array(np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1))
        arrays.append(pa.FixedSizeListArray.from_arrays(flat, dim))
    return pa.Table.from_arrays(arrays, schema=chunk_schema(dim))


def table_to_chunks(table: pa.Table) -> list[Chunk]:
    """The chunks of ``table``'s rows (extra columns such as ``vector`` are ignored)."""
    data = table.select(list(CHUNK_COLUMNS)).to_pydict()
    n = table.num_rows
    return [Chunk.model_validate({name: data[name][i] for name in CHUNK_COLUMNS}) for i in range(n)]
