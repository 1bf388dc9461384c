from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest

from quant.summary import price_summary


def series(values: list[float], start: str = "2012-01-02") -> pd.Series:
    return pd.Series(values, index=pd.bdate_range(start, periods=len(values)), dtype="float64")


def test_hand_computed_small_window() -> None:
    close = series([100, 110, 99, 121, 120])
    s = price_summary(close, as_of=date(2012, 1, 6), window=4)
    assert s.last_close == 120 and s.last_date == date(2012, 1, 6) and s.bars == 5
    assert s.return_1y == pytest.approx(0.2)
    assert s.max_drawdown_1y == pytest.approx(99 / 110 - 1)
    assert s.from_52w_high == pytest.approx(120 / 121 - 1)
    log_returns = np.diff(np.log([100, 110, 99, 121, 120]))
    assert s.volatility_1y == pytest.approx(np.std(log_returns, ddof=1) * math.sqrt(252))


def test_ignores_bars_after_as_of_and_needs_a_full_window() -> None:
    close = series([100, 110, 99, 121, 120, 1.0])
    s = price_summary(close, as_of=date(2012, 1, 6), window=4)
    assert s.last_close == 120  # the crash on 2012-01-09 is after as_of
    short = price_summary(close, as_of=date(2012, 1, 4), window=4)
    assert math.isnan(short.return_1y) and math.isnan(short.volatility_1y)
    with pytest.raises(ValueError, match="no closes on or before 2011-12-30"):
        price_summary(close, as_of=date(2011, 12, 30))
