"""Vector stores behind one interface: embedded LanceDB on disk (default) or Pinecone (scale).

``PineconeStore`` and its helpers are imported on first use, so the Pinecone SDK is only
loaded by processes that use it.
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
from retrieval.store.lance import LanceStore, lance_where

if TYPE_CHECKING:
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

_LAZY = {"PineconeStore", "pinecone_filter"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from retrieval.store import pinecone

        return getattr(pinecone, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
