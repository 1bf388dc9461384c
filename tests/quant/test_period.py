from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from quant.period import (
    EmptyWindowError,
    MissingPriceError,
    PeriodWindowError,
    WindowAfterAsOfError,
    period_stats,
)

FIRST = date(2020, 1, 1)


def frame(closes: list[float], *, spread: float = 0.01, first: date = FIRST) -> pd.DataFrame:
    """Business-day bars with the given closes; high/low ``spread`` above/below the close."""
    close = np.asarray(closes, dtype=np.float64)
    index = pd.bdate_range(first, periods=len(close), name="date")
    return pd.DataFrame(
        {"high": close * (1 + spread), "low": close * (1 - spread), "close": close}, index=index
    )


def day(bars: pd.DataFrame, i: int) -> date:
    return bars.index[i].date()


def test_hand_computed_window_with_a_base_close() -> None:
    bars = frame([100.0, 110.0, 99.0, 121.0, 90.0, 95.0])
    # window = bars 1..4 (110, 99, 121, 90); base = bar 0 (100)
    stats = period_stats(bars, start=day(bars, 1), end=day(bars, 4), as_of=day(bars, 5))
    assert stats.start_date == day(bars, 1) and stats.end_date == day(bars, 4)
    assert stats.base_date == day(bars, 0)
    assert stats.start_close == 100.0 and stats.end_close == 90.0
    assert stats.period_return == pytest.approx(-0.10)
    assert stats.max_drawdown == pytest.approx(90 / 121 - 1)  # peak 121, trough 90
    returns = np.array([110 / 100, 99 / 110, 121 / 99, 90 / 121]) - 1
    assert stats.volatility_annual == pytest.approx(np.std(returns, ddof=1) * math.sqrt(252))
    assert stats.high == pytest.approx(121 * 1.01) and stats.low == pytest.approx(90 * 0.99)
    assert stats.bars == 4


def test_without_an_earlier_close_the_base_is_the_first_close_in_the_window() -> None:
    bars = frame([100.0, 80.0, 120.0])
    stats = period_stats(bars, start=date(2019, 6, 1), end=day(bars, 2), as_of=day(bars, 2))
    assert stats.base_date == stats.start_date == day(bars, 0)
    assert stats.start_close == 100.0 and stats.period_return == pytest.approx(0.20)
    assert stats.max_drawdown == pytest.approx(-0.20)
    assert stats.bars == 3


def test_a_calendar_year_is_measured_from_the_previous_year_end() -> None:
    bars = frame(list(np.linspace(50.0, 80.0, 600)), first=date(2010, 6, 1))
    stats = period_stats(
        bars, start=date(2011, 1, 1), end=date(2011, 12, 31), as_of=date(2012, 3, 1)
    )
    close = bars["close"]
    assert stats.base_date == date(2010, 12, 31) and stats.end_date == date(2011, 12, 30)
    expected = close.loc["2011-12-30"] / close.loc["2010-12-31"] - 1
    assert stats.period_return == pytest.approx(expected, rel=1e-12)
    assert stats.max_drawdown == 0.0  # a rising series never falls
    assert stats.bars == len(close.loc["2011"])


def test_end_is_clipped_to_the_as_of_date_and_later_bars_are_unseen() -> None:
    bars = frame([100.0, 101.0, 102.0, 50.0, 10.0])
    stats = period_stats(bars, start=day(bars, 0), end=date(2030, 1, 1), as_of=day(bars, 2))
    assert stats.end_date == day(bars, 2) and stats.end_close == 102.0
    assert stats.low == pytest.approx(100 * 0.99)


def test_a_single_bar_window() -> None:
    bars = frame([100.0, 105.0])
    stats = period_stats(bars, start=day(bars, 1), end=day(bars, 1), as_of=day(bars, 1))
    assert stats.period_return == pytest.approx(0.05) and stats.bars == 1
    assert stats.max_drawdown == 0.0
    assert math.isnan(stats.volatility_annual)  # one return: no standard deviation
    assert stats.to_dict()["start_date"] == day(bars, 1).isoformat()


def test_errors_say_what_is_wrong() -> None:
    bars = frame([100.0, 101.0, 102.0, 103.0, 104.0])  # 2020-01-01 (Wed) .. 2020-01-07
    as_of = day(bars, 4)
    with pytest.raises(WindowAfterAsOfError, match="after the as-of date"):
        period_stats(
            bars, start=as_of + timedelta(days=1), end=as_of + timedelta(days=30), as_of=as_of
        )
    with pytest.raises(PeriodWindowError, match="swap the dates"):
        period_stats(bars, start=day(bars, 2), end=day(bars, 0), as_of=as_of)
    with pytest.raises(EmptyWindowError, match="data start 2020-01-01"):
        period_stats(bars, start=date(2019, 1, 1), end=date(2019, 12, 31), as_of=as_of)
    with pytest.raises(EmptyWindowError, match="no bars dated 2020-01-04..2020-01-05"):
        period_stats(bars, start=date(2020, 1, 4), end=date(2020, 1, 5), as_of=as_of)  # a weekend
    holed = bars.copy()
    holed.loc[holed.index[1], "close"] = np.nan
    with pytest.raises(MissingPriceError, match="2020-01-02"):
        period_stats(holed, start=day(bars, 0), end=as_of, as_of=as_of)
    with pytest.raises(ValueError, match="sorted"):
        period_stats(bars.iloc[::-1], start=day(bars, 0), end=as_of, as_of=as_of)


prices = st.lists(st.floats(min_value=1.0, max_value=1000.0), min_size=2, max_size=60)


@st.composite
def windows(draw: st.DrawFn) -> tuple[pd.DataFrame, int, int]:
    closes = draw(prices)
    i = draw(st.integers(0, len(closes) - 1))
    j = draw(st.integers(i, len(closes) - 1))
    return frame(closes), i, j


@given(windows(), st.lists(st.floats(min_value=1.0, max_value=1000.0), min_size=1, max_size=20))
def test_no_look_ahead_appending_bars_after_the_end_changes_nothing(
    case: tuple[pd.DataFrame, int, int], later: list[float]
) -> None:
    bars, i, j = case
    cut = bars.iloc[: j + 1]
    longer = frame([*bars["close"], *later])
    base = period_stats(cut, start=day(bars, i), end=day(bars, j), as_of=day(bars, j))
    for full, as_of in ((bars, day(bars, j)), (longer, day(longer, len(longer) - 1))):
        assert period_stats(full, start=day(bars, i), end=day(bars, j), as_of=as_of) == base


@given(windows())
def test_the_return_compounds_the_daily_returns_dated_in_the_window(
    case: tuple[pd.DataFrame, int, int],
) -> None:
    bars, i, j = case
    stats = period_stats(bars, start=day(bars, i), end=day(bars, j), as_of=day(bars, j))
    close = bars["close"]
    daily = close.pct_change().iloc[i : j + 1].dropna()
    assert stats.period_return == pytest.approx(np.prod(1 + daily.to_numpy()) - 1, abs=1e-9)
    assert stats.period_return == pytest.approx(stats.end_close / stats.start_close - 1)
    assert -1.0 <= stats.max_drawdown <= 0.0
    assert stats.low <= close.iloc[i : j + 1].min() <= close.iloc[i : j + 1].max() <= stats.high
    assert stats.bars == j - i + 1


@given(windows(), st.data())
def test_adjacent_windows_compound_to_the_whole(
    case: tuple[pd.DataFrame, int, int], data: st.DataObject
) -> None:
    bars, i, j = case
    k = data.draw(st.integers(i, j))
    as_of = day(bars, len(bars) - 1)
    whole = period_stats(bars, start=day(bars, i), end=day(bars, j), as_of=as_of)
    first = period_stats(bars, start=day(bars, i), end=day(bars, k), as_of=as_of)
    if k == j:
        assert first == whole
        return
    second = period_stats(bars, start=day(bars, k + 1), end=day(bars, j), as_of=as_of)
    combined = (1 + first.period_return) * (1 + second.period_return) - 1
    assert combined == pytest.approx(whole.period_return, rel=1e-9, abs=1e-9)
    assert whole.max_drawdown <= min(first.max_drawdown, second.max_drawdown) + 1e-12
    assert whole.high == max(first.high, second.high) and whole.low == min(first.low, second.low)


def test_monthly_returns_run_from_the_close_before_each_month_and_compound() -> None:
    bars = frame([100.0] * 5 + [110.0] * 25 + [99.0] * 20, first=date(2020, 1, 27))
    stats = period_stats(
        bars, start=date(2020, 2, 1), end=date(2020, 3, 31), as_of=date(2020, 4, 30)
    )
    months = dict(stats.monthly_returns)
    # base: the 2020-01-31 close (100); February ends at 110, March at 99
    assert list(months) == [date(2020, 2, 1), date(2020, 3, 1)]
    assert months[date(2020, 2, 1)] == pytest.approx(0.10)
    assert months[date(2020, 3, 1)] == pytest.approx(99 / 110 - 1)


@given(windows())
def test_the_monthly_returns_compound_to_the_period_return(
    case: tuple[pd.DataFrame, int, int],
) -> None:
    bars, i, j = case
    stats = period_stats(bars, start=day(bars, i), end=day(bars, j), as_of=day(bars, j))
    monthly = np.array([r for _, r in stats.monthly_returns])
    assert np.prod(1 + monthly) - 1 == pytest.approx(stats.period_return, rel=1e-9, abs=1e-9)
