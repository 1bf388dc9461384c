"""Vector stores behind one interface: embedded LanceDB on disk (default) or Pinecone (scale).

The stores are imported on first use, so LanceDB and the Pinecone SDK are only loaded by
processes that search (the contract in ``base`` is light).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from retrieval.store.base import (
    Filters,
    ScoredChunk,
    StoreError,
    StoreMismatchError,
    VectorStore,
)

if TYPE_CHECKING:
    from retrieval.store.lance import LanceStore, lance_where
    from retrieval.store.pinecone import PineconeStore, pinecone_filter

__all__ = [
    "Filters",
    "LanceStore",
    "PineconeStore",
    "ScoredChunk",
    "StoreError",
    "StoreMismatchError",
    "VectorStore",
    "lance_where",
    "pinecone_filter",
]

_LAZY = {
    "LanceStore": "lance",
    "lance_where": "lance",
    "PineconeStore": "pinecone",
    "pinecone_filter": "pinecone",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"retrieval.store.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
