"""The briefing as one self-contained HTML page: the Markdown sections rendered, Plotly charts
between them (plotly.js inlined once, so the page opens offline), and the citations turned into
numbered footnotes that link to the cited passage or data.

Charts: for each covered ticker, price with SMA 50/200, Bollinger bands, RSI and the technical
signal's buy/sell markers, and the score history (technical score, with the stored briefing
calls on top); for the portfolio, the distribution of its daily returns with the 95% VaR and
CVaR, and the correlation heat map. Bars must end at the as-of date (the caller cuts them).
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping

import pandas as pd

from agent.answer import CITATION_GROUP
from briefing.markdown import cited_evidence, sections
from briefing.models import BriefingReport, PortfolioPanel
from briefing.portfolio import returns_frame
from quant.risk import portfolio_returns
from quant.signals.config import SignalConfig
from reports.charts import correlation_figure, var_distribution_figure
from reports.html import figure_div, html_page, markdown_html
from reports.technical import price_figure, score_history_figure
from retrieval.inert import inert_text
from tools.evidence import Evidence

__all__ = ["CHART_BARS", "render_html"]

CHART_BARS = 250  # trading days shown in the price and score charts


def _anchor(evidence_id: str) -> str:
    return "src-" + re.sub(r"[^A-Za-z0-9_-]", "_", evidence_id)


def _link_citations(rendered: str, numbers: Mapping[str, int]) -> str:
    """``[E-a, E-b]`` -> superscript links to the numbered sources."""

    def replace(match: re.Match[str]) -> str:
        ids = re.findall(r"[^\s,;\[\]]+", match.group())
        links = [
            f'<a href="#{_anchor(i)}" title="{html.escape(i)}">{numbers[i]}</a>'
            if i in numbers
            else html.escape(i)
            for i in ids
        ]
        return f'<sup class="cite">[{", ".join(links)}]</sup>'

    return CITATION_GROUP.sub(replace, rendered)


def _source_item(e: Evidence) -> str:
    bits = [f"<strong>{html.escape(e.kind)}</strong>", html.escape(", ".join(e.tickers))]
    if e.window.start or e.window.end:
        bits.append(f"data {e.window.start or ''} to {e.window.end or ''}")
    for key, value in e.source.items():
        if value in (None, "", []) or key == "chars":
            continue
        text = html.escape(str(value))
        link = str(value).startswith(("http://", "https://"))
        bits.append(f'{key} <a href="{text}">{text}</a>' if link else f"{key} {text}")
    passage = e.values.get("text") if e.kind in ("filing", "call", "news") else None
    body = inert_text(passage if isinstance(passage, str) else e.summary)  # escaped below too
    return (
        f'<li id="{_anchor(e.id)}"><code>{html.escape(e.id)}</code> · '
        + " · ".join(bits)
        + f"<blockquote>{html.escape(body)}</blockquote></li>"
    )


def _ticker_charts(
    ticker: str, bars: pd.DataFrame, calls: pd.DataFrame | None, config: SignalConfig
) -> str:
    price = price_figure(
        bars,
        config=config,
        sessions=CHART_BARS,
        title=f"{ticker}: price, SMA 50/200, Bollinger bands, RSI and signal changes",
    )
    history = score_history_figure(
        bars,
        config=config,
        sessions=CHART_BARS,
        calls=calls,
        title=f"{ticker}: technical score and briefing signals",
    )
    return figure_div(price, f"price-{ticker}") + figure_div(history, f"score-{ticker}")


def _portfolio_charts(panel: PortfolioPanel, bars: Mapping[str, pd.DataFrame]) -> str:
    closes = {t: bars[t]["close"] for t in panel.tickers if t in bars}
    if len(closes) != len(panel.tickers):
        return ""
    returns = returns_frame(closes, as_of=panel.window_end, lookback=panel.n_days)
    daily = portfolio_returns(returns, weights=panel.weights)
    hist = next(r for r in panel.var if r.method == "historical" and r.horizon_days == 1)
    dist = var_distribution_figure(
        daily,
        var=hist.var,
        cvar=hist.cvar,
        level=hist.level,
        title="Portfolio daily returns with historical VaR and CVaR",
    )
    corr = pd.DataFrame(panel.correlation).loc[panel.tickers, panel.tickers]
    heat = correlation_figure(corr, title="Correlation of daily returns")
    return figure_div(dist, "portfolio-var") + figure_div(heat, "portfolio-correlation")


def render_html(
    report: BriefingReport,
    *,
    bars: Mapping[str, pd.DataFrame],
    config: SignalConfig,
    calls: Mapping[str, pd.DataFrame] | None = None,
) -> str:
    """The page. bars: adjusted OHLCV of each covered ticker up to the as-of date; calls:
    stored briefing signals per ticker (columns score, action, indexed by date)."""
    cited = cited_evidence(report)
    numbers = {e.id: n for n, e in enumerate(cited, start=1)}
    parts: list[str] = []
    for name, text in sections(report).items():
        if name == "sources":
            continue
        body = _link_citations(markdown_html(text), numbers)
        if name == "portfolio" and report.portfolio is not None:
            body += _portfolio_charts(report.portfolio, bars)
        if name.startswith("ticker:"):
            ticker = name.split(":", 1)[1]
            if ticker in bars and (brief := report.brief(ticker)) and brief.status == "ok":
                history = (calls or {}).get(ticker)
                body = body + _ticker_charts(ticker, bars[ticker], history, config)
        parts.append(f'<section id="{html.escape(name.replace(":", "-"))}">{body}</section>')
    sources = "".join(_source_item(e) for e in cited)
    if sources:
        parts.append(
            f'<section id="sources"><h2>Sources</h2><ol class="sources">{sources}</ol></section>'
        )
    return html_page(title=f"SignalDesk briefing {report.as_of}", body="".join(parts))
