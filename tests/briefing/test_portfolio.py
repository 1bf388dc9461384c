from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from briefing.portfolio import MIN_DAYS, panel_evidence, portfolio_panel, returns_frame
from quant.risk import InsufficientDataError, portfolio_historical_var

AS_OF = date(2012, 12, 31)


def closes(seed: int = 3, days: int = 400) -> dict[str, pd.Series]:
    rng = np.random.default_rng(seed)
    index = pd.bdate_range("2011-06-01", periods=days)
    common = rng.normal(0, 0.01, days)
    series = {
        "AAA": 100 * np.cumprod(1 + common + rng.normal(0, 0.005, days)),
        "BBB": 50 * np.cumprod(1 + common + rng.normal(0, 0.01, days)),
        "CCC": 20 * np.cumprod(1 + rng.normal(0, 0.02, days)),
    }
    return {t: pd.Series(v, index=index) for t, v in series.items()}


def test_panel_matches_the_quant_functions_on_the_same_returns() -> None:
    data = closes()
    panel = portfolio_panel(data, weights={"AAA": 2, "BBB": 1, "CCC": 1}, as_of=AS_OF)
    assert panel.weights == pytest.approx({"AAA": 0.5, "BBB": 0.25, "CCC": 0.25})
    returns = returns_frame(data, as_of=AS_OF, lookback=500)
    assert panel.n_days == len(returns) and panel.window_end <= AS_OF
    hist = portfolio_historical_var(returns, weights=panel.weights, level=0.95)
    row = next(
        r for r in panel.var if r.method == "historical" and r.level == 0.95 and r.horizon_days == 1
    )
    assert (row.var, row.cvar) == pytest.approx((hist.var, hist.cvar))
    corr = returns.corr()
    assert panel.correlation["AAA"]["BBB"] == pytest.approx(corr.loc["AAA", "BBB"], abs=1e-6)
    assert panel.correlation["AAA"]["BBB"] > 0.5 > abs(panel.correlation["AAA"]["CCC"])
    assert sum(panel.risk_share.values()) == pytest.approx(1.0)
    assert panel.hhi == pytest.approx(0.375) and panel.effective_n == pytest.approx(1 / 0.375)
    assert panel.max_weight == 0.5
    assert {(r.method, r.level, r.horizon_days) for r in panel.var} == {
        (m, lv, h)
        for m in ("historical", "monte_carlo_normal")
        for lv in (0.95, 0.99)
        for h in (1, 10)
    }
    assert all(r.cvar >= r.var > 0 for r in panel.var)
    assert panel_evidence(panel, as_of=AS_OF).id == panel.evidence_id


def test_drawdown_is_measured_on_the_rebalanced_portfolio() -> None:
    index = pd.bdate_range("2012-01-02", periods=100)
    path = np.concatenate(
        [np.linspace(100, 120, 40), np.linspace(120, 90, 30), np.linspace(90, 96, 30)]
    )
    data = {"AAA": pd.Series(path, index=index), "BBB": pd.Series(path, index=index)}
    panel = portfolio_panel(data, weights={"AAA": 1, "BBB": 1}, as_of=date(2012, 12, 31))
    assert panel.max_drawdown == pytest.approx(90 / 120 - 1)
    assert panel.current_drawdown == pytest.approx(96 / 120 - 1)
    assert panel.correlation["AAA"]["BBB"] == pytest.approx(1.0)


def test_no_look_ahead_bars_after_the_as_of_date_change_nothing() -> None:
    data = closes(days=500)
    cut = date(2012, 9, 28)
    full = portfolio_panel(data, weights={"AAA": 1, "BBB": 1, "CCC": 1}, as_of=cut)
    truncated = {t: s.loc[: pd.Timestamp(cut)] for t, s in data.items()}
    assert portfolio_panel(truncated, weights={"AAA": 1, "BBB": 1, "CCC": 1}, as_of=cut) == full
    assert full.window_end <= cut


def test_too_little_common_history_and_no_tickers_are_named_errors() -> None:
    data = closes(days=MIN_DAYS)
    with pytest.raises(InsufficientDataError, match=f"needs {MIN_DAYS}"):
        portfolio_panel(data, weights={"AAA": 1, "BBB": 1}, as_of=AS_OF)
    with pytest.raises(InsufficientDataError, match="no covered ticker"):
        portfolio_panel(data, weights={"ZZZ": 1}, as_of=AS_OF)
    excluded = portfolio_panel(
        closes(), weights={"AAA": 1, "BBB": 1, "ZZZ": 1}, as_of=AS_OF, excluded={"ZZZ": "no data"}
    )
    assert excluded.tickers == ["AAA", "BBB"] and excluded.excluded == {"ZZZ": "no data"}
