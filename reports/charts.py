"""Plotly figure builders shared by the web chat and the briefing reports.

Pure functions: data in, ``plotly.graph_objects.Figure`` out; no I/O, no clock. Prices are the
adjusted bars the tools computed on (never data after the as-of date: callers pass bars cut at
it). Colours follow the signal: greens for buy, reds for sell, grey for hold.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from quant.signals.action import Action, classify
from quant.signals.config import Thresholds

__all__ = [
    "ACTION_COLOURS",
    "action_changes",
    "bucket_returns_figure",
    "correlation_figure",
    "equity_figure",
    "price_figure",
    "reliability_figure",
    "score_history_figure",
    "var_distribution_figure",
]

ACTION_COLOURS: Mapping[str, str] = {
    Action.STRONG_BUY.value: "#1a7f37",
    Action.BUY.value: "#4ac26b",
    Action.HOLD.value: "#8c959f",
    Action.SELL.value: "#e5534b",
    Action.STRONG_SELL.value: "#a40e26",
}
_BUYS = {Action.BUY.value, Action.STRONG_BUY.value}
_SELLS = {Action.SELL.value, Action.STRONG_SELL.value}
_LAYOUT = {
    "template": "plotly_white",
    "margin": {"l": 50, "r": 20, "t": 50, "b": 40},
    "legend": {"orientation": "h", "y": -0.15},
    "hovermode": "x unified",
}


def action_changes(scores: pd.Series, *, thresholds: Thresholds) -> pd.DataFrame:
    """The bars where the action implied by ``scores`` changes (NaN scores skipped).

    Returns columns ``score`` and ``action`` indexed by date: the first scored bar, then every
    bar whose action differs from the bar before it.
    """
    clean = scores.dropna()
    if clean.empty:
        return pd.DataFrame({"score": [], "action": []})
    actions = pd.Series([classify(float(s), thresholds).value for s in clean], index=clean.index)
    changed = actions.ne(actions.shift())
    return pd.DataFrame({"score": clean[changed], "action": actions[changed]})


def _marker_trace(markers: pd.DataFrame, close: pd.Series, *, kind: str) -> go.Scatter:
    chosen = markers[markers["action"].isin(_BUYS if kind == "buy" else _SELLS)]
    at = close.reindex(chosen.index)
    return go.Scatter(
        x=chosen.index,
        y=at,
        mode="markers",
        name=f"{kind} signal",
        marker={
            "symbol": "triangle-up" if kind == "buy" else "triangle-down",
            "size": 11,
            "color": [ACTION_COLOURS[a] for a in chosen["action"]],
            "line": {"width": 1, "color": "#24292f"},
        },
        text=[f"{a} ({s:.2f})" for a, s in zip(chosen["action"], chosen["score"], strict=True)],
        hovertemplate="%{text}<extra></extra>",
    )


def price_figure(
    bars: pd.DataFrame,
    *,
    indicators: pd.DataFrame | None = None,
    markers: pd.DataFrame | None = None,
    title: str = "",
) -> go.Figure:
    """Candlesticks with SMA 50/200 and Bollinger bands, RSI below, and signal markers.

    bars: OHLCV indexed by date. indicators: columns of ``quant.indicators.compute_indicators``
    (any missing column is skipped). markers: ``action_changes`` output (buy/sell only drawn).
    """
    rsi = indicators is not None and "rsi_14" in indicators
    fig = make_subplots(
        rows=2 if rsi else 1,
        cols=1,
        shared_xaxes=True,
        row_heights=[0.75, 0.25] if rsi else [1.0],
        vertical_spacing=0.04,
    )
    fig.add_trace(
        go.Candlestick(
            x=bars.index,
            open=bars["open"],
            high=bars["high"],
            low=bars["low"],
            close=bars["close"],
            name="price",
            showlegend=False,
        ),
        row=1,
        col=1,
    )
    band = {"color": "#afb8c1", "width": 1, "dash": "dot"}
    overlays = (
        ("sma_50", "SMA 50", {"color": "#0969da", "width": 1.4}),
        ("sma_200", "SMA 200", {"color": "#8250df", "width": 1.4}),
        ("bb_upper", "Bollinger upper", band),
        ("bb_lower", "Bollinger lower", band),
    )
    for column, name, line in overlays if indicators is not None else ():
        if column in indicators:
            trace = go.Scatter(x=indicators.index, y=indicators[column], name=name, line=line)
            fig.add_trace(trace, row=1, col=1)
    if markers is not None and not markers.empty:
        for kind in ("buy", "sell"):
            fig.add_trace(_marker_trace(markers, bars["close"], kind=kind), row=1, col=1)
    if rsi:
        assert indicators is not None
        fig.add_trace(
            go.Scatter(
                x=indicators.index,
                y=indicators["rsi_14"],
                name="RSI 14",
                line={"color": "#bf8700", "width": 1.2},
            ),
            row=2,
            col=1,
        )
        for level in (30, 70):
            fig.add_hline(y=level, line={"dash": "dash", "color": "#d0d7de"}, row=2, col=1)
        fig.update_yaxes(range=[0, 100], title_text="RSI", row=2, col=1)
    fig.update_layout(title=title, xaxis_rangeslider_visible=False, height=520, **_LAYOUT)
    return fig


def score_history_figure(
    scores: pd.Series,
    *,
    thresholds: Thresholds,
    calls: pd.DataFrame | None = None,
    title: str = "",
) -> go.Figure:
    """The technical score over time with the action bands, and the confluence calls on top.

    scores: technical score by date. calls: columns ``score`` and ``action`` by date (the
    signals of stored briefings), drawn as coloured dots.
    """
    fig = go.Figure()
    t = thresholds
    bands = (
        (0.0, t.strong_sell, Action.STRONG_SELL.value),
        (t.strong_sell, t.sell, Action.SELL.value),
        (t.sell, t.buy, Action.HOLD.value),
        (t.buy, t.strong_buy, Action.BUY.value),
        (t.strong_buy, 1.0, Action.STRONG_BUY.value),
    )
    for low, high, action in bands:
        fig.add_hrect(
            y0=low,
            y1=high,
            fillcolor=ACTION_COLOURS[action],
            opacity=0.08,
            line_width=0,
            annotation_text=action,
            annotation_position="right",
        )
    fig.add_trace(
        go.Scatter(
            x=scores.index,
            y=scores,
            name="technical score",
            line={"color": "#0969da", "width": 1.5},
        ),
    )
    if calls is not None and not calls.empty:
        fig.add_trace(
            go.Scatter(
                x=calls.index,
                y=calls["score"],
                mode="markers",
                name="briefing signal",
                marker={
                    "size": 10,
                    "color": [ACTION_COLOURS[a] for a in calls["action"]],
                    "line": {"width": 1, "color": "#24292f"},
                },
                text=list(calls["action"]),
                hovertemplate="%{x|%Y-%m-%d}: %{text} (%{y:.3f})<extra></extra>",
            )
        )
    fig.update_layout(title=title, height=320, yaxis={"range": [0, 1], "title": "score"}, **_LAYOUT)
    return fig


def var_distribution_figure(
    returns: pd.Series | np.ndarray,
    *,
    var: float,
    cvar: float,
    level: float,
    title: str = "",
    label: str = "daily return",
) -> go.Figure:
    """Histogram of returns with the VaR and CVaR drawn as losses (at ``-var``, ``-cvar``)."""
    values = np.asarray(returns, dtype=np.float64)
    values = values[np.isfinite(values)]
    fig = go.Figure(
        go.Histogram(x=values, nbinsx=60, name=label, marker={"color": "#8c959f"}, opacity=0.8)
    )
    lines = ((-var, "VaR", "#bf8700", "top right"), (-cvar, "CVaR", "#a40e26", "top left"))
    for x, name, colour, where in lines:
        fig.add_vline(
            x=x,
            line={"color": colour, "width": 2, "dash": "dash"},
            annotation_text=f"{level:.0%} {name} {x:.2%}",
            annotation_position=where,
        )
    fig.update_layout(
        title=title,
        height=320,
        xaxis={"tickformat": ".1%", "title": label},
        yaxis={"title": "days"},
        bargap=0.02,
        **_LAYOUT,
    )
    return fig


def correlation_figure(corr: pd.DataFrame, *, title: str = "") -> go.Figure:
    """Heat map of a correlation matrix, values printed in the cells."""
    fig = go.Figure(
        go.Heatmap(
            z=corr.to_numpy(),
            x=list(corr.columns),
            y=list(corr.index),
            zmin=-1,
            zmax=1,
            colorscale="RdBu_r",
            text=np.round(corr.to_numpy(), 2),
            texttemplate="%{text}",
            hovertemplate="%{y} / %{x}: %{z:.2f}<extra></extra>",
        )
    )
    fig.update_layout(
        title=title,
        height=360,
        yaxis={"autorange": "reversed"},
        **{k: v for k, v in _LAYOUT.items() if k != "hovermode"},
    )
    return fig


def equity_figure(
    equity: pd.Series, *, benchmark: pd.Series | None = None, title: str = ""
) -> go.Figure:
    """Equity curve (growth of 1) against a benchmark, with the strategy's drawdown below."""
    fig = make_subplots(
        rows=2, cols=1, shared_xaxes=True, row_heights=[0.7, 0.3], vertical_spacing=0.04
    )
    fig.add_trace(
        go.Scatter(x=equity.index, y=equity, name="strategy", line={"color": "#0969da"}),
        row=1,
        col=1,
    )
    if benchmark is not None:
        fig.add_trace(
            go.Scatter(
                x=benchmark.index, y=benchmark, name="buy and hold", line={"color": "#8c959f"}
            ),
            row=1,
            col=1,
        )
    drawdown = equity / equity.cummax() - 1.0
    fig.add_trace(
        go.Scatter(
            x=drawdown.index,
            y=drawdown,
            name="drawdown",
            fill="tozeroy",
            line={"color": "#a40e26", "width": 1},
        ),
        row=2,
        col=1,
    )
    fig.update_yaxes(tickformat=".0%", row=2, col=1)
    fig.update_layout(title=title, height=460, **_LAYOUT)
    return fig


def reliability_figure(curves: Mapping[str, pd.DataFrame], *, title: str = "") -> go.Figure:
    """Reliability curves: stated probability (x) against observed frequency (y), one trace per
    curve, marker area by count, over the diagonal of perfect calibration; the x axis spans the
    stated probabilities shown (within [0.5, 1]).

    curves: label -> frame with columns ``mean_probability``, ``observed``, ``count`` (bins with
    no calls are skipped).
    """
    fig = go.Figure()
    xs: list[float] = []
    for label, bins in curves.items():
        shown = bins.dropna(subset=["mean_probability", "observed"])
        shown = shown[shown["count"] > 0]
        xs += shown["mean_probability"].tolist()
        peak = int(shown["count"].max()) if len(shown) else 1
        size = 8 + 22 * np.sqrt(shown["count"] / peak)
        fig.add_trace(
            go.Scatter(
                x=shown["mean_probability"],
                y=shown["observed"],
                mode="lines+markers",
                name=label,
                marker={"size": size, "line": {"width": 1, "color": "#24292f"}},
                customdata=shown["count"],
                hovertemplate="stated %{x:.3f}, observed %{y:.3f} (%{customdata} calls)"
                "<extra>%{fullData.name}</extra>",
            )
        )
    # Zoomed on the stated probabilities (they often crowd just above 0.5), within [0.5, 1].
    lo, hi = (max(0.5, min(xs) - 0.02), min(1.0, max(xs) + 0.02)) if xs else (0.5, 1.0)
    fig.add_trace(
        go.Scatter(
            x=[lo, hi],
            y=[lo, hi],
            mode="lines",
            name="perfect calibration",
            line={"color": "#8c959f", "dash": "dash"},
            hoverinfo="skip",
        )
    )
    fig.update_layout(
        title=title,
        height=380,
        xaxis={
            "title": "stated probability the direction is right",
            "tickformat": ".1%",
            "range": [lo, hi],
        },
        yaxis={"title": "observed hit frequency", "tickformat": ".0%", "range": [0, 1]},
        **{k: v for k, v in _LAYOUT.items() if k != "hovermode"},
    )
    return fig


def bucket_returns_figure(buckets: pd.DataFrame, *, title: str = "") -> go.Figure:
    """Average forward return per bucket as horizontal bars: actions in their colours, score
    quintiles in blue, baselines in grey (hover: the number of calls).

    buckets: columns ``group``, ``label``, ``mean_return``, ``count``, in display order.
    """
    colours = [
        ACTION_COLOURS.get(label, "#8c959f")
        if group == "action"
        else ("#0969da" if group == "score quintile" else "#d0d7de")
        for group, label in zip(buckets["group"], buckets["label"], strict=True)
    ]
    labels = [f"{g}: {lab}" for g, lab in zip(buckets["group"], buckets["label"], strict=True)]
    fig = go.Figure(
        go.Bar(
            x=buckets["mean_return"],
            y=labels,
            orientation="h",
            marker={"color": colours, "line": {"width": 1, "color": "#57606a"}},
            customdata=buckets["count"],
            hovertemplate="%{y}: %{x:.2%} (%{customdata} calls)<extra></extra>",
        )
    )
    fig.update_layout(
        title=title,
        height=120 + 26 * len(labels),
        xaxis={"title": "average forward return", "tickformat": ".1%"},
        yaxis={"autorange": "reversed"},
        showlegend=False,
        **{k: v for k, v in _LAYOUT.items() if k not in ("hovermode", "legend")},
    )
    return fig
