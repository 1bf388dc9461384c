"""The look shared by every self-contained HTML report (the briefing, eval and calibration pages):
Markdown rendered without raw HTML or images (an image is shown as the text "[image: alt]", so
that opening a report fetches nothing from outside), Plotly figures as divs, and one page shell
with plotly.js inlined once so that the page opens offline."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from plotly.offline import get_plotlyjs

__all__ = ["PAGE_STYLE", "figure_div", "html_page", "markdown_html"]

_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table")


def _image_as_text(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: Any, env: Any
) -> str:
    """An image as escaped text, never an ``<img>``: a passage may carry a planted tracker."""
    alt = renderer.renderInlineAsText(tokens[idx].children or [], options, env).strip()
    return html.escape(f"[image: {alt}]" if alt else "[image]")


_MARKDOWN.add_render_rule("image", _image_as_text)
PAGE_STYLE = """
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#24292f;line-height:1.5}
table{border-collapse:collapse;margin:.8em 0;font-size:.92em}
th,td{border:1px solid #d0d7de;padding:.3em .6em;text-align:left}
th{background:#f6f8fa}
section{border-top:1px solid #d0d7de;margin-top:2em;padding-top:.5em}
sup.cite a{text-decoration:none}
ol.sources li{margin:.6em 0}
ol.sources blockquote{margin:.3em 0 .3em 1em;padding-left:.8em;border-left:3px solid #d0d7de;
color:#57606a;white-space:pre-wrap}
code{background:#f6f8fa;padding:0 .2em}
"""


def markdown_html(text: str) -> str:
    """CommonMark with tables, as HTML; raw HTML in ``text`` is escaped, never passed through."""
    return _MARKDOWN.render(text)


def figure_div(fig: go.Figure, name: str) -> str:
    """The figure as a ``<div id="chart-{name}">`` that uses the page's inlined plotly.js."""
    return fig.to_html(
        full_html=False,
        include_plotlyjs=False,
        div_id=f"chart-{name}",
        config={"displaylogo": False, "responsive": True},
    )


def html_page(*, title: str, body: str) -> str:
    """A whole page: ``title`` is escaped here, ``body`` is HTML already."""
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title>"
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{PAGE_STYLE}</style><script>{get_plotlyjs()}</script></head>"
        f"<body>{body}</body></html>\n"
    )
