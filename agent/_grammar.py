"""Regex flags and number words shared by the question parser's modules."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TypeVar

_T = TypeVar("_T")

FLAGS = re.IGNORECASE | re.ASCII  # no Unicode case folding: "ſept" is not "sept"
WORD_NUMS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}
WORD_NUMS |= {"eight": 8, "nine": 9, "ten": 10, "twenty": 20}
NUM = r"(\d{1,3}|" + "|".join(WORD_NUMS) + ")"
YEAR = r"((?:19|20)\d{2})"


def unique(items: Iterable[_T]) -> tuple[_T, ...]:
    """The items in order, duplicates dropped."""
    return tuple(dict.fromkeys(items))
