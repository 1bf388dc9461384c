"""Plotly figure builders shared by the web chat, the briefing and the eval reports: the return
distribution with VaR and CVaR, correlations, equity curves, reliability curves, returns by
bucket, lines over time against a threshold with event markers, and daily counts by category
(one ticker's price and score-history charts are in ``reports.technical``).

Pure functions: data in, ``plotly.graph_objects.Figure`` out; no I/O, no clock. Colours follow
the signal: greens for buy, reds for sell, grey for hold.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from reports._style import ACTION_COLOURS, LAYOUT

__all__ = [
    "ACTION_COLOURS",
    "bucket_returns_figure",
    "correlation_figure",
    "daily_counts_figure",
    "equity_figure",
    "reliability_figure",
    "timeline_figure",
    "var_distribution_figure",
]


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
        **LAYOUT,
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
        **{k: v for k, v in LAYOUT.items() if k != "hovermode"},
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
    fig.update_layout(title=title, height=460, **LAYOUT)
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
        **{k: v for k, v in LAYOUT.items() if k != "hovermode"},
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
        **{k: v for k, v in LAYOUT.items() if k not in ("hovermode", "legend")},
    )
    return fig


def timeline_figure(
    series: Mapping[str, pd.Series],
    *,
    threshold: float | None = None,
    threshold_label: str = "",
    events: pd.DataFrame | None = None,
    event_markers: Mapping[str, Mapping[str, Any]] | None = None,
    mode: str = "lines",
    title: str = "",
    y_title: str = "",
    y_format: str = "",
    y_range: tuple[float, float] | None = None,
) -> go.Figure:
    """Lines over dates, a dashed horizontal line at ``threshold`` and event markers on top.

    series: label -> values indexed by date, one trace each (NaN: no value, the line breaks).
    events: columns ``date``, ``y``, ``group``, ``text`` (the hover), one marker trace per
    group, named by it; event_markers: group -> its Plotly marker (colour, symbol), and the
    order of the groups (others follow in their order of appearance).
    """
    fig = go.Figure()
    value = f"%{{y:{y_format}}}" if y_format else "%{y}"
    for label, values in series.items():
        fig.add_trace(
            go.Scatter(
                x=list(values.index),
                y=values.to_numpy(dtype=np.float64),
                mode=mode,
                name=label,
                hovertemplate=f"{value}<extra>%{{fullData.name}}</extra>",
            )
        )
    styles = dict(event_markers or {})
    if events is not None and len(events):
        groups = list(dict.fromkeys([*styles, *events["group"]]))
        for group in groups:
            rows = events[events["group"] == group]
            if rows.empty:
                continue
            fig.add_trace(
                go.Scatter(
                    x=list(rows["date"]),
                    y=rows["y"].to_numpy(dtype=np.float64),
                    mode="markers",
                    name=str(group),
                    marker={"size": 11, "line": {"width": 1, "color": "#24292f"}}
                    | dict(styles.get(group, {})),
                    text=list(rows["text"]),
                    hovertemplate="%{text}<extra>%{fullData.name}</extra>",
                )
            )
    if threshold is not None:
        note = {"annotation_text": threshold_label, "annotation_position": "top left"}
        fig.add_hline(
            y=threshold,
            line={"color": "#bf8700", "width": 2, "dash": "dash"},
            **(note if threshold_label else {}),
        )
    yaxis: dict[str, Any] = {"title": y_title, "tickformat": y_format}
    if y_range is not None:
        yaxis["range"] = list(y_range)
    fig.update_layout(title=title, height=340, yaxis=yaxis, **LAYOUT)
    return fig


def daily_counts_figure(counts: pd.DataFrame, *, title: str = "", y_title: str = "") -> go.Figure:
    """Stacked bars of counts over dates: ``counts`` indexed by date, one column per category."""
    fig = go.Figure(
        [
            go.Bar(x=list(counts.index), y=counts[column].to_numpy(), name=str(column))
            for column in counts.columns
        ]
    )
    fig.update_layout(title=title, height=300, barmode="stack", yaxis={"title": y_title}, **LAYOUT)
    return fig
