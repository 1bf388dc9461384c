"""Stable ids of texts, shared by the document store and the sentiment items."""

from __future__ import annotations

import hashlib

__all__ = ["content_hash"]


def content_hash(text: str) -> str:
    """Stable id of a text: sha256 of its whitespace-normalised content, 16 hex digits."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()[:16]
