"""Document text made inert for display: nothing in it can fetch anything when it is shown.

A passage is quoted in answers, citation panels, briefing footnotes and reports that render
Markdown or HTML. An image planted in a filing (``![x](https://tracker/?q=...)`` or
``<img src=...>``) would be fetched by every reader's browser: a tracking and exfiltration
channel. ``inert_text`` rewrites such constructs as plain text: a Markdown image becomes
``[image: alt]`` (its URL dropped, so a model cannot copy it back either), an ``<img>`` tag the
same, and any other HTML tag has its angle brackets replaced by ``‹ ›`` so that no renderer
reads it as markup. Ordinary text (``<1% of revenue>``, ``a < b``, links) is unchanged.
"""

from __future__ import annotations

import re

__all__ = ["inert_text"]

_LABEL = r"(?P<alt>(?:[^\[\]\n\\]|\\.|\[[^\[\]\n]*\]){0,500})"
# ![alt](url "title"), ![alt](<url>), ![alt][ref], ![alt][]
_MD_IMAGE = re.compile(
    rf"!\[{_LABEL}\]\s*(?:\((?:[^()\n]|\([^()\n]*\)){{0,2000}}\)|\[[^\]\n]{{0,200}}\])?"
)
_HTML_IMAGE = re.compile(r"<\s*(?:img|image|picture|svg)\b(?P<attrs>[^<>]{0,4000})/?\s*>", re.I)
_ALT = re.compile(r"""\balt\s*=\s*(?:"(?P<d>[^"]*)"|'(?P<s>[^']*)'|(?P<b>[^\s>]+))""", re.I)
_HTML_TAG = re.compile(r"<(?P<body>/?[a-zA-Z!?][^<>\n]{0,4000})>")


def _label(alt: str | None) -> str:
    alt = " ".join((alt or "").replace("\\", "").split())[:200]
    return f"[image: {alt}]" if alt else "[image]"


def _html_image(match: re.Match[str]) -> str:
    alt = _ALT.search(match["attrs"])
    return _label(alt and (alt["d"] or alt["s"] or alt["b"]))


def inert_text(text: str) -> str:
    """``text`` with Markdown images, ``<img>`` tags and other HTML tags rewritten as inert
    text; everything else as it was."""
    if "!" in text:
        text = _MD_IMAGE.sub(lambda m: _label(m["alt"]), text)
    if "<" in text:
        text = _HTML_IMAGE.sub(_html_image, text)
        text = _HTML_TAG.sub(lambda m: f"‹{m['body']}›", text)
    return text
