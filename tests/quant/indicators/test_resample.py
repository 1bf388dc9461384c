"""Weekly bars: weeks ending Friday, dated by their last bar, point in time."""

from __future__ import annotations

import numpy as np
import pandas as pd

from quant.indicators import weekly_bars
from tests.quant.indicators._bars import real_bars

AGG = {"open": "first", "high": "max", "low": "min", "close": "last", "volume": "sum"}


def test_weekly_values_match_pandas_resample_w_fri() -> None:
    bars = real_bars("AAPL")
    weekly = weekly_bars(bars)
    expected = bars.resample("W-FRI").agg(AGG).dropna()
    np.testing.assert_array_equal(weekly.to_numpy(), expected.to_numpy())
    # each week is dated by its last bar: on or before the Friday, within the same week
    last_bar = bars.index.to_series().resample("W-FRI").last().dropna()
    assert (weekly.index == pd.DatetimeIndex(last_bar.to_numpy())).all()
    assert list(weekly.columns) == ["open", "high", "low", "close", "volume"]


def test_a_good_friday_week_ends_on_thursday() -> None:
    weekly = weekly_bars(real_bars("IBM"))
    assert pd.Timestamp("2012-04-05") in weekly.index  # Good Friday 2012-04-06: market closed
    assert pd.Timestamp("2012-04-06") not in weekly.index


def test_the_current_week_ends_at_the_last_available_bar() -> None:
    bars = real_bars("MSFT")
    wednesday = pd.Timestamp("2013-02-20")
    cut = weekly_bars(bars.loc[:wednesday])
    full = weekly_bars(bars)
    assert cut.index[-1] == wednesday
    week = bars.loc["2013-02-19":wednesday]  # Monday the 18th was a holiday
    assert cut.iloc[-1]["open"] == week["open"].iloc[0]
    assert cut.iloc[-1]["high"] == week["high"].max()
    assert cut.iloc[-1]["close"] == week["close"].iloc[-1]
    assert cut.iloc[-1]["volume"] == week["volume"].sum()
    # completed weeks are the same with or without the later data
    pd.testing.assert_frame_equal(cut.iloc[:-1], full.loc[: cut.index[-2]])


def test_no_bars_give_no_weeks() -> None:
    assert weekly_bars(real_bars("IBM").iloc[:0]).empty
