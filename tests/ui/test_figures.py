"""The charts an answer gets: chosen by evidence kind, drawn from data up to the as-of date."""

from __future__ import annotations

import dataclasses
from datetime import date

import numpy as np
import pandas as pd
import pytest

from tools.context import ToolContext
from tools.evidence import Evidence
from ui.figures import charts_for, monthly_returns

AS_OF = date(2013, 2, 28)


def _trace(fig, name):  # noqa: ANN001, ANN202 - plotly figure and trace
    return next(t for t in fig.data if t.name == name)


def test_charts_by_evidence_kind(ctx: ToolContext, ibm_evidence: dict[str, Evidence]) -> None:
    evidence = [ibm_evidence[k] for k in ("signal", "technicals", "risk", "backtest")]
    charts = charts_for(evidence, lambda _: ctx)
    assert [c.name for c in charts] == [
        "IBM price",
        "IBM score history",
        "IBM VaR",
        "IBM equity",
    ]  # signal and technicals share one price chart
    price = charts[0].figure
    candles = _trace(price, "price")
    assert len(candles.x) == 252 and pd.Timestamp(candles.x[-1]).date() == AS_OF
    bars = ctx.bars("IBM").frame
    assert candles.close[-1] == pytest.approx(bars["close"].iloc[-1])
    assert {"SMA 50", "SMA 200", "RSI 14"} <= {t.name for t in price.data}


def test_var_chart_draws_the_evidence_numbers(
    ctx: ToolContext, ibm_evidence: dict[str, Evidence]
) -> None:
    ev = ibm_evidence["risk"]
    (chart,) = charts_for([ev], lambda _: ctx)
    hist = chart.figure.data[0]
    assert len(hist.x) == ev.values["lookback_bars"]
    row = next(
        r
        for r in ev.values["results"]
        if r["method"] == "historical" and r["horizon_days"] == 1 and r["level"] == 0.95
    )
    lines = sorted(s["x0"] for s in chart.figure.layout.shapes)
    assert lines == pytest.approx(sorted([-row["var"], -row["cvar"]]))
    # the histogram is the returns the VaR was computed from: its 5% quantile is the VaR
    assert -np.quantile(np.asarray(hist.x), 0.05) == pytest.approx(row["var"], rel=0.05)


def test_equity_chart_compounds_the_reported_monthly_returns(
    ctx: ToolContext, ibm_evidence: dict[str, Evidence]
) -> None:
    ev = ibm_evidence["backtest"]
    (chart,) = charts_for([ev], lambda _: ctx)
    strategy = _trace(chart.figure, "strategy")
    months = monthly_returns(ev.values["walk_forward"]["monthly_returns"])
    assert strategy.y[-1] == pytest.approx(float((1 + months).prod()))
    hold = _trace(chart.figure, "buy and hold")
    assert len(hold.y) == len(strategy.y)


def test_monthly_returns() -> None:
    got = monthly_returns({"2012": {"11": 0.1, "12": None}, "2013": {"1": -0.05, "2": 0.02}})
    assert list(got.index.strftime("%Y-%m-%d")) == ["2012-11-30", "2013-01-31", "2013-02-28"]
    assert list(got) == [0.1, -0.05, 0.02]
    assert monthly_returns({}).empty


def _series(fig, name: str) -> pd.Series:  # noqa: ANN001 - plotly figure
    trace = _trace(fig, name)
    values = trace.close if name == "price" else trace.y
    return pd.Series(values, index=pd.to_datetime(trace.x), dtype="float64")


def test_charts_never_show_data_after_the_as_of_date(
    ctx: ToolContext, ibm_evidence: dict[str, Evidence]
) -> None:
    """Look-ahead: the chart at t shows nothing after t, and agrees with the full-history chart
    up to t (levels up to the constant of the adjustment rebased at each window's last bar)."""
    early = date(2012, 11, 30)
    tech = ibm_evidence["technicals"]
    cut = charts_for([tech.model_copy(update={"as_of": early})], lambda d: replace(ctx, d))
    full = charts_for([tech], lambda _: ctx)
    for name in ("price", "SMA 200", "SMA 50"):
        a, b = _series(cut[0].figure, name), _series(full[0].figure, name)
        assert a.index[-1].date() == early
        common = a.index.intersection(b.index)
        assert len(common) > 150
        np.testing.assert_allclose(a[common] / a[common].iloc[-1], b[common] / b[common].iloc[-1])
    score_cut, score_full = (_series(c[1].figure, "technical score") for c in (cut, full))
    assert score_cut.index[-1].date() == early
    common = score_cut.index.intersection(score_full.index)
    assert len(common) > 300
    np.testing.assert_allclose(score_cut[common], score_full[common])


def replace(ctx: ToolContext, as_of: date) -> ToolContext:
    return dataclasses.replace(ctx, as_of=as_of)


def test_no_charts_for_other_evidence(ctx: ToolContext) -> None:
    filing = Evidence.make(kind="filing", tickers=["IBM"], as_of=AS_OF, values={"text": "x"})
    pair = Evidence.make(kind="comparison", tickers=["AAPL", "GOOG"], as_of=AS_OF, values={})
    assert charts_for([filing, pair], lambda _: ctx) == []
