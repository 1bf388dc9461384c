from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from data.providers.bundled import BundledProvider
from data.service import MarketData
from tools.context import ToolContext
from tools.risk import risk_evidence


@pytest.fixture(scope="module")
def ctx() -> ToolContext:
    return ToolContext(as_of=date(2011, 12, 30), market=MarketData([BundledProvider()]))


def test_historical_var_is_the_empirical_quantile_of_the_window(ctx: ToolContext) -> None:
    ev = risk_evidence(ctx, "IBM", horizons=(1,))
    close = ctx.bars("IBM").frame["close"]
    returns = close.pct_change().dropna().iloc[-500:]
    expected = -np.quantile(returns.to_numpy(), 0.01)
    hist = [r for r in ev.values["results"] if r["method"] == "historical" and r["level"] == 0.99]
    assert hist[0]["var"] == pytest.approx(expected, rel=1e-12)
    assert ev.window.end == date(2011, 12, 30) and ev.window.bars == 500
    assert "99% 1-day historical VaR" in ev.summary


def test_point_in_time_and_reproducible(ctx: ToolContext) -> None:
    first = risk_evidence(ctx, "IBM")
    again = risk_evidence(ctx, "IBM")
    assert first.id == again.id  # seeded Monte Carlo: same evidence, same id
    later = ToolContext(as_of=date(2012, 12, 31), market=ctx.market)
    assert risk_evidence(later, "IBM").window.end == date(2012, 12, 31)
    assert risk_evidence(later, "IBM").id != first.id
