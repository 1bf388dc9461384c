"""The chart builders of reports/charts.py: values drawn where they belong, colours by group."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from reports.charts import (
    bucket_returns_figure,
    correlation_figure,
    equity_figure,
    reliability_figure,
    var_distribution_figure,
)


def test_reliability_figure_draws_each_horizon_over_the_diagonal() -> None:
    bins = pd.DataFrame(
        {"mean_probability": [0.55, 0.65, None], "observed": [0.4, 0.7, None], "count": [3, 12, 0]}
    )
    fig = reliability_figure({"1 day": bins}, title="t")
    curve, diagonal = fig.data
    assert list(curve.x) == [0.55, 0.65] and list(curve.y) == [0.4, 0.7]  # empty bin skipped
    assert list(curve.customdata) == [3, 12]
    assert curve.marker.size[1] == 30  # the fullest bin gets the largest marker
    assert list(diagonal.x) == list(diagonal.y) == [0.53, 0.67]  # zoomed on the bins
    assert list(fig.layout.xaxis.range) == [0.53, 0.67]
    assert list(reliability_figure({}).data[0].x) == [0.5, 1.0]


def test_bucket_returns_figure_colours_by_group() -> None:
    buckets = pd.DataFrame(
        {
            "group": ["action", "score quintile", "baseline"],
            "label": ["BUY", "Q1 (0.4-0.5)", "every call (always-buy)"],
            "mean_return": [0.01, -0.02, 0.005],
            "count": [3, 2, 7],
        }
    )
    bar = bucket_returns_figure(buckets).data[0]
    assert list(bar.y) == [
        "action: BUY",
        "score quintile: Q1 (0.4-0.5)",
        "baseline: every call (always-buy)",
    ]
    assert list(bar.marker.color) == ["#4ac26b", "#0969da", "#d0d7de"]
    assert list(bar.x) == [0.01, -0.02, 0.005]


def test_var_distribution_draws_var_and_cvar_as_losses() -> None:
    returns = np.random.default_rng(3).normal(0.0, 0.01, 500)
    fig = var_distribution_figure(
        np.append(returns, np.nan), var=0.0165, cvar=0.021, level=0.95, title="t"
    )
    assert len(fig.data[0].x) == 500  # NaN dropped
    assert sorted(s["x0"] for s in fig.layout.shapes) == pytest.approx([-0.021, -0.0165])
    assert [a.text for a in fig.layout.annotations] == ["95% VaR -1.65%", "95% CVaR -2.10%"]


def test_correlation_figure_prints_the_matrix() -> None:
    corr = pd.DataFrame([[1.0, 0.256], [0.256, 1.0]], index=["A", "B"], columns=["A", "B"])
    heat = correlation_figure(corr).data[0]
    assert list(heat.x) == ["A", "B"] and heat.text[0][1] == 0.26


def test_equity_figure_draws_the_drawdown_below() -> None:
    index = pd.date_range("2013-01-31", periods=3, freq="ME")
    equity = pd.Series([1.0, 1.2, 0.9], index=index)
    fig = equity_figure(equity, benchmark=equity * 0 + 1.0)
    assert [t.name for t in fig.data] == ["strategy", "buy and hold", "drawdown"]
    assert list(fig.data[2].y) == pytest.approx([0.0, 0.0, -0.25])
