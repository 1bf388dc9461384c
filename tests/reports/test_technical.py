"""One ticker's price and score-history charts (reports/technical.py), drawn from its bars."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from data.providers.bundled import BundledProvider
from data.service import MarketData
from quant.indicators.layer import compute_indicators
from quant.signals.action import classify
from quant.signals.technical import DEFAULT_CONFIG, technical_score_series
from reports.technical import action_changes, price_figure, score_history_figure

AS_OF = date(2013, 2, 28)


@pytest.fixture(scope="module")
def bars() -> pd.DataFrame:
    return MarketData([BundledProvider()]).bars("IBM", end=AS_OF).frame


def _trace(fig, name):  # noqa: ANN001, ANN202 - plotly figure and trace
    return next(t for t in fig.data if t.name == name)


def _series(fig, name: str) -> pd.Series:  # noqa: ANN001 - plotly figure
    trace = _trace(fig, name)
    values = trace.close if name == "price" else trace.y
    return pd.Series(values, index=pd.to_datetime(trace.x), dtype="float64")


def test_action_changes_keeps_the_first_bar_and_each_change() -> None:
    index = pd.date_range("2013-01-01", periods=5, freq="B")
    scores = pd.Series([np.nan, 0.5, 0.52, 0.9, 0.1], index=index)
    got = action_changes(scores, thresholds=DEFAULT_CONFIG.technical_thresholds)
    assert list(got.index) == list(index[[1, 3, 4]])
    assert list(got["action"]) == ["HOLD", "STRONG BUY", "STRONG SELL"]
    assert action_changes(scores.iloc[:1], thresholds=DEFAULT_CONFIG.technical_thresholds).empty


def test_price_figure_shows_the_last_sessions_with_indicators_and_markers(
    bars: pd.DataFrame,
) -> None:
    fig = price_figure(bars, config=DEFAULT_CONFIG, sessions=250, title="IBM")
    price = _series(fig, "price")
    assert len(price) == 250 and price.index[-1].date() == AS_OF
    np.testing.assert_allclose(price, bars["close"].iloc[-250:])
    indicators = compute_indicators(bars).iloc[-250:]  # computed on all bars: no warm-up gap
    for name, column in (("SMA 200", "sma_200"), ("RSI 14", "rsi_14")):
        np.testing.assert_allclose(_series(fig, name), indicators[column])
    scores = technical_score_series(bars, config=DEFAULT_CONFIG)["score"].iloc[-250:]
    thresholds = DEFAULT_CONFIG.technical_thresholds
    assert len(_series(fig, "buy signal")) + len(_series(fig, "sell signal")) > 3
    for kind in ("buy", "sell"):
        marks = _series(fig, f"{kind} signal")
        np.testing.assert_allclose(marks, bars["close"].reindex(marks.index))
        for day in marks.index:
            action = classify(float(scores[day]), thresholds).value
            assert action.endswith("BUY" if kind == "buy" else "SELL")
            before = scores.index.get_loc(day) - 1
            assert before < 0 or classify(float(scores.iloc[before]), thresholds).value != action


def test_score_history_draws_the_scores_and_the_calls_of_its_window(bars: pd.DataFrame) -> None:
    calls = pd.DataFrame(
        {"score": [0.8, 0.3], "action": ["STRONG BUY", "STRONG SELL"]},
        index=pd.DatetimeIndex([bars.index[-300], bars.index[-10]]),
    )
    fig = score_history_figure(bars, config=DEFAULT_CONFIG, sessions=250, calls=calls)
    scores = technical_score_series(bars, config=DEFAULT_CONFIG)["score"].iloc[-250:]
    pd.testing.assert_series_equal(
        _series(fig, "technical score"), scores, check_names=False, check_freq=False
    )
    shown = _trace(fig, "briefing signal")
    assert list(pd.to_datetime(shown.x)) == [bars.index[-10]]  # the call before the window is out
    assert list(shown.text) == ["STRONG SELL"]
    assert len(fig.layout.shapes) == 10  # five action bands per panel
    bare = score_history_figure(bars, config=DEFAULT_CONFIG, sessions=250)
    assert [t.name for t in bare.data] == ["technical score"]


def test_charts_at_an_earlier_date_agree_with_the_full_charts_up_to_it(
    bars: pd.DataFrame,
) -> None:
    """Look-ahead: bars cut at t give the same values up to t as the full bars."""
    cut = bars.loc[: pd.Timestamp(2012, 11, 30)]
    for name in ("price", "SMA 50", "SMA 200", "RSI 14"):
        early = _series(price_figure(cut, config=DEFAULT_CONFIG, sessions=250), name)
        full = _series(price_figure(bars, config=DEFAULT_CONFIG, sessions=250), name)
        common = early.index.intersection(full.index)
        assert early.index[-1] == cut.index[-1] and len(common) > 150
        np.testing.assert_allclose(early[common], full[common])
    early = _series(
        score_history_figure(cut, config=DEFAULT_CONFIG, sessions=250), "technical score"
    )
    full = _series(
        score_history_figure(bars, config=DEFAULT_CONFIG, sessions=250), "technical score"
    )
    common = early.index.intersection(full.index)
    assert len(common) > 150
    np.testing.assert_allclose(early[common], full[common])


def test_each_series_sits_in_the_bands_its_action_is_read_from(bars: pd.DataFrame) -> None:
    """A SELL call at 0.41 (confluence cuts 0.45/0.55) must not be drawn in a HOLD band (the
    technical score's 0.40/0.60): the calls have their own panel with the confluence bands."""
    conf = DEFAULT_CONFIG.confluence_thresholds
    calls = pd.DataFrame(
        {"score": [0.41, 0.50, 0.58], "action": ["SELL", "HOLD", "BUY"]},
        index=pd.DatetimeIndex(bars.index[-30:-27]),
    )
    assert [classify(s, conf).value for s in calls["score"]] == list(calls["action"])
    fig = score_history_figure(bars, config=DEFAULT_CONFIG, sessions=250, calls=calls)
    dots = _trace(fig, "briefing signal")
    line = _trace(fig, "technical score")
    assert (dots.yaxis, line.yaxis) == ("y2", "y")
    for yref, t in (("y2", conf), ("y", DEFAULT_CONFIG.technical_thresholds)):
        bands = _bands(fig, yref)
        assert bands["HOLD"] == (t.sell, t.buy) and bands["SELL"] == (t.strong_sell, t.sell)
    for score, action in zip(dots.y, dots.text, strict=True):
        low, high = _bands(fig, "y2")[action]
        assert low <= score < high
    titles = [a.text for a in fig.layout.annotations[:2]]
    assert titles == [
        "technical score: SELL below 0.40, BUY from 0.60",
        "briefing signal (technical, sentiment and ML): SELL below 0.45, BUY from 0.55",
    ]


def _bands(fig: go.Figure, yref: str) -> dict[str, tuple[float, float]]:
    """Action -> (low, high) of the bands drawn on the y axis ``yref`` (each band's label is
    the annotation added with it, after the two panel titles)."""
    labels = fig.layout.annotations[2:]
    return {
        a.text: (shape.y0, shape.y1)
        for shape, a in zip(fig.layout.shapes, labels, strict=True)
        if shape.yref == yref
    }
