"""One ticker's technical charts, drawn from its bars up to the as-of date: the price chart
(candlesticks, SMA 50/200, Bollinger bands, RSI and the bars where the technical action
changes) and the technical score's history (action bands, stored calls on top).

Each builder takes the adjusted OHLCV bars the tools computed on, cut at the as-of date by the
caller, and the signal configuration; indicators and scores are computed on all the bars (their
warm-up needs the history) and the last ``sessions`` bars are shown.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from quant.indicators.layer import compute_indicators
from quant.signals.action import Action, classify
from quant.signals.config import SignalConfig, Thresholds
from quant.signals.technical import technical_score_series
from reports._style import ACTION_COLOURS, BUYS, LAYOUT, SELLS

__all__ = ["action_changes", "price_figure", "score_history_figure"]

_OVERLAYS = (
    ("sma_50", "SMA 50", {"color": "#0969da", "width": 1.4}),
    ("sma_200", "SMA 200", {"color": "#8250df", "width": 1.4}),
    ("bb_upper", "Bollinger upper", {"color": "#afb8c1", "width": 1, "dash": "dot"}),
    ("bb_lower", "Bollinger lower", {"color": "#afb8c1", "width": 1, "dash": "dot"}),
)


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


def _scores(bars: pd.DataFrame, config: SignalConfig, sessions: int) -> pd.Series:
    return technical_score_series(bars, config=config)["score"].iloc[-sessions:]


def price_figure(
    bars: pd.DataFrame, *, config: SignalConfig, sessions: int, title: str = ""
) -> go.Figure:
    """Candlesticks of the last ``sessions`` bars with SMA 50/200 and Bollinger bands, RSI
    below, and a buy or sell marker where the technical action changes to one."""
    indicators = compute_indicators(bars).iloc[-sessions:]
    markers = action_changes(
        _scores(bars, config, sessions), thresholds=config.technical_thresholds
    )
    shown = bars.iloc[-sessions:]
    fig = make_subplots(
        rows=2, cols=1, shared_xaxes=True, row_heights=[0.75, 0.25], vertical_spacing=0.04
    )
    candles = go.Candlestick(
        x=shown.index,
        open=shown["open"],
        high=shown["high"],
        low=shown["low"],
        close=shown["close"],
        name="price",
        showlegend=False,
    )
    fig.add_trace(candles, row=1, col=1)
    for column, name, line in _OVERLAYS:
        trace = go.Scatter(x=indicators.index, y=indicators[column], name=name, line=line)
        fig.add_trace(trace, row=1, col=1)
    if not markers.empty:
        for kind in ("buy", "sell"):
            fig.add_trace(_marker_trace(markers, shown["close"], kind=kind), row=1, col=1)
    rsi = go.Scatter(
        x=indicators.index,
        y=indicators["rsi_14"],
        name="RSI 14",
        line={"color": "#bf8700", "width": 1.2},
    )
    fig.add_trace(rsi, row=2, col=1)
    for level in (30, 70):
        fig.add_hline(y=level, line={"dash": "dash", "color": "#d0d7de"}, row=2, col=1)
    fig.update_yaxes(range=[0, 100], title_text="RSI", row=2, col=1)
    fig.update_layout(title=title, xaxis_rangeslider_visible=False, height=520, **LAYOUT)
    return fig


def _marker_trace(markers: pd.DataFrame, close: pd.Series, *, kind: str) -> go.Scatter:
    chosen = markers[markers["action"].isin(BUYS if kind == "buy" else SELLS)]
    return go.Scatter(
        x=chosen.index,
        y=close.reindex(chosen.index),
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


def score_history_figure(
    bars: pd.DataFrame,
    *,
    config: SignalConfig,
    sessions: int,
    calls: pd.DataFrame | None = None,
    title: str = "",
) -> go.Figure:
    """The technical score over the last ``sessions`` bars within its own action bands and,
    when there are stored calls in that window, those calls in a panel of their own below,
    within the bands of the signal's (confluence) thresholds.

    calls: columns ``score`` and ``action`` by date (the signals of stored briefings: the
    confluence score and action), drawn as dots in their action's colour; calls before the
    first bar shown are left out. Each series sits in the bands its action is read from, so a
    dot's band is its action (a SELL call at 0.41 is in the SELL band of the call panel, not
    in the HOLD band of the technical score's 0.40..0.60).
    """
    scores = _scores(bars, config, sessions)
    line = {"color": "#0969da", "width": 1.5}
    shown = None if calls is None else calls.loc[calls.index >= scores.index[0]]
    if shown is None or shown.empty:
        fig = go.Figure()
        _action_bands(fig, config.technical_thresholds)
        fig.add_trace(go.Scatter(x=scores.index, y=scores, name="technical score", line=line))
        fig.update_layout(
            title=title, height=320, yaxis={"range": [0, 1], "title": "score"}, **LAYOUT
        )
        return fig
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.12,
        subplot_titles=(
            f"technical score: {_cuts(config.technical_thresholds)}",
            f"briefing signal (technical, sentiment and ML): {_cuts(config.confluence_thresholds)}",
        ),
    )
    _action_bands(fig, config.technical_thresholds, row=1)
    _action_bands(fig, config.confluence_thresholds, row=2)
    fig.add_trace(
        go.Scatter(x=scores.index, y=scores, name="technical score", line=line), row=1, col=1
    )
    fig.add_trace(
        go.Scatter(
            x=shown.index,
            y=shown["score"],
            mode="markers",
            name="briefing signal",
            marker={
                "size": 10,
                "color": [ACTION_COLOURS[a] for a in shown["action"]],
                "line": {"width": 1, "color": "#24292f"},
            },
            text=list(shown["action"]),
            hovertemplate="%{x|%Y-%m-%d}: %{text} (%{y:.3f})<extra></extra>",
        ),
        row=2,
        col=1,
    )
    fig.update_yaxes(range=[0, 1], title_text="score")
    fig.update_layout(title=title, height=480, **LAYOUT)
    return fig


def _cuts(t: Thresholds) -> str:
    return f"SELL below {t.sell:.2f}, BUY from {t.buy:.2f}"


def _action_bands(fig: go.Figure, t: Thresholds, *, row: int | None = None) -> None:
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
            **({} if row is None else {"row": row, "col": 1, "exclude_empty_subplots": False}),
        )
