"""Prompts and answer templates, kept as text files beside this module.

``load("system")`` reads ``system.md``; ``templates("offline")`` reads ``offline.md``, whose
``## name`` headings each start one ``str.format`` template (the offline planner's sentences).
Text here never carries numbers of its own: templates are filled with ledger values only.
"""

from __future__ import annotations

import functools
import re
from importlib import resources

__all__ = ["load", "templates"]


@functools.cache
def load(name: str) -> str:
    """The text of ``prompts/{name}.md`` (stripped)."""
    return resources.files(__package__).joinpath(f"{name}.md").read_text("utf-8").strip()


@functools.cache
def templates(name: str) -> dict[str, str]:
    """The ``## key`` sections of ``prompts/{name}.md`` as {key: template}; HTML comments and
    surrounding blank lines are dropped, inner line breaks kept."""
    text = re.sub(r"<!--.*?-->", "", load(name), flags=re.S)
    found: dict[str, str] = {}
    for block in re.split(r"^## ", text, flags=re.M)[1:]:
        key, _, body = block.partition("\n")
        found[key.strip()] = body.strip()
    return found
