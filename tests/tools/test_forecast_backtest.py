from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from data.providers.bundled import BundledProvider
from data.service import MarketData
from tools.backtest import backtest_evidence
from tools.context import ToolContext
from tools.forecast import forecast_evidence, train


@pytest.fixture(scope="module")
def market() -> MarketData:
    return MarketData([BundledProvider()])


@pytest.mark.slow
def test_train_then_forecast_is_point_in_time(market: MarketData, tmp_path: Path) -> None:
    ctx = ToolContext(as_of=date(2011, 12, 30), market=market, models_dir=tmp_path)
    (card,) = train(
        ctx, "IBM", horizons=(5,), kind="xgb", created_at=datetime(2024, 1, 1, tzinfo=UTC)
    )
    assert card.as_of == date(2011, 12, 30) and card.label_end <= date(2011, 12, 30)
    assert len(card.record.folds) >= 8
    ev = forecast_evidence(ctx, "IBM", horizon=5)
    assert 0.0 < ev.values["prob_up"] < 1.0
    assert ev.values["verdict"] == card.record.verdict
    assert ev.values["row_date"] == "2011-12-30"
    assert str(round(ev.values["walk_forward"]["accuracy"] * 100, 1)) in ev.summary
    # a model trained by 2011-12-30 is invisible to an earlier as-of date
    with pytest.raises(LookupError, match="trained by 2011-06-30"):
        forecast_evidence(
            ToolContext(as_of=date(2011, 6, 30), market=market, models_dir=tmp_path), "IBM"
        )


@pytest.mark.slow
def test_backtest_reports_walk_forward_in_sample_baselines_and_verdicts(market: MarketData) -> None:
    ctx = ToolContext(as_of=date(2013, 2, 28), market=market)
    ev = backtest_evidence(ctx, "IBM", start=date(2004, 1, 1), strategy="technical")
    v = ev.values
    assert len(v["folds"]) >= 8
    assert {"buy_and_hold", "sma_cross", "random"} <= set(v["baselines"])
    for key in (
        "annual_return",
        "sharpe",
        "sortino",
        "calmar",
        "information_ratio",
        "alpha",
        "beta",
        "max_drawdown",
        "max_drawdown_duration",
        "win_rate",
        "profit_factor",
        "payoff_ratio",
        "trade_count",
        "average_holding_days",
        "exposure",
        "monthly_returns",
    ):
        assert key in v["walk_forward"], key
    assert set(v["gap"]) == {"annual_return", "sharpe"}
    assert len(v["stability"]["rules"]) == 3
    assert v["lookahead_violations"] == []
    assert ev.window.end == date(2013, 2, 28)
