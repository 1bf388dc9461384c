"""content_hash: the sha256 of the whitespace-normalised text, however it is cut into blocks."""

from __future__ import annotations

import hashlib
import random
import tracemalloc

from core.ids import content_hash


def _reference(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()[:16]


def test_the_hash_is_that_of_the_normalised_text_for_any_block_size() -> None:
    rng = random.Random(23)
    alphabet = ["a", "b", "é", "€", " ", "\n", "\t", "\u00a0", "\u2003", "\x1c", "\x85", "x"]
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        for block in (1, 2, 3, 7, 1 << 20):
            assert content_hash(text, block=block) == _reference(text)
    assert content_hash("Revenue  grew\n12%.") == content_hash("Revenue grew 12%.")
    assert content_hash("Revenue grew 12%.") == "09e97e6cca58557d"  # ids already stored


def test_a_long_text_is_hashed_without_a_list_of_all_its_words() -> None:
    text = "word " * 1_200_000  # 6 MB; its list of words alone would take over 60 MB
    tracemalloc.start()
    try:
        digest = content_hash(text)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert digest == _reference(text)
    assert peak < 25_000_000
