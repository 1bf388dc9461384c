"""Stable ids of texts, shared by the document store and the sentiment items."""

from __future__ import annotations

import hashlib
import re

__all__ = ["content_hash"]

_SPACE = re.compile(r"\s")  # the characters str.split() splits on
_BLOCK = 1 << 18


def content_hash(text: str, *, block: int = _BLOCK) -> str:
    """Stable id of a text: sha256 of its whitespace-normalised content, 16 hex digits.

    The content is ``" ".join(text.split())``, hashed a block of about ``block`` characters at a
    time (cut at whitespace), so a text of tens of megabytes never becomes a list of its words.
    """
    digest = hashlib.sha256()
    start, wrote = 0, False
    while start < len(text):
        cut = _SPACE.search(text, min(start + block, len(text)))
        end = cut.start() if cut else len(text)
        words = text[start:end].split()
        if words:
            digest.update(((" " if wrote else "") + " ".join(words)).encode("utf-8"))
            wrote = True
        start = end + 1 if cut else end
    return digest.hexdigest()[:16]
