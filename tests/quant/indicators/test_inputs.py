"""Validation of bars, point-in-time truncation and history checks."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from core.asof import up_to
from quant.indicators import (
    InsufficientDataError,
    InvalidBarsError,
    compute_indicators,
    ohlcv_arrays,
    require_history,
)
from tests.quant.indicators._bars import make_bars, real_bars


def test_arrays_are_contiguous_float64_in_column_order() -> None:
    bars = real_bars("IBM")
    ohlcv = ohlcv_arrays(bars[["close", "volume", "open", "low", "high"]])  # any column order
    for name, values in ohlcv._asdict().items():
        assert values.dtype == np.float64 and values.flags.c_contiguous
        np.testing.assert_array_equal(values, bars[name].to_numpy())


def test_one_block_two_blocks_and_integer_volume_give_the_same_arrays() -> None:
    bars = real_bars("IBM")[["open", "high", "low", "close", "volume"]]
    one_block = pd.DataFrame(bars.to_numpy(), index=bars.index, columns=bars.columns)
    two_blocks = bars[["open", "high", "low", "close"]].copy()
    two_blocks["volume"] = bars["volume"].round().astype(np.int64)
    for frame in (one_block, two_blocks):
        for name, values in ohlcv_arrays(frame)._asdict().items():
            assert values.dtype == np.float64 and values.flags.c_contiguous
            np.testing.assert_array_equal(values, frame[name].to_numpy(dtype=np.float64))
    pd.testing.assert_frame_equal(compute_indicators(one_block), compute_indicators(bars))


def test_extra_columns_are_ignored() -> None:
    bars = real_bars("IBM")
    bars["adj_close"] = 1.0
    pd.testing.assert_frame_equal(compute_indicators(bars), compute_indicators(real_bars("IBM")))


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda b: b.drop(columns="volume"), r"missing columns \['volume'\]"),
        (lambda b: b.iloc[::-1], "strictly increasing"),
        (lambda b: pd.concat([b, b.iloc[-1:]]), "strictly increasing"),
        (lambda b: b.reset_index(drop=True), "DatetimeIndex"),
        (lambda b: b.assign(close=b["close"].where(b.index != b.index[5])), r"1 bar\(s\) .*close"),
        (lambda b: b.assign(low=0.0), "prices must be positive"),
        (lambda b: b.assign(volume=-1.0), "volume must be non-negative"),
    ],
)
def test_malformed_bars_raise_a_named_error(mutate, message: str) -> None:
    with pytest.raises(InvalidBarsError, match=message):
        compute_indicators(mutate(make_bars(np.linspace(10, 20, 30))))


def test_up_to_keeps_the_as_of_day_and_nothing_after() -> None:
    bars = make_bars(np.arange(1.0, 11.0), start="2020-01-06")  # Mon 6 .. Fri 17 January
    assert up_to(bars, as_of=date(2020, 1, 8)).index[-1] == pd.Timestamp("2020-01-08")
    assert len(up_to(bars, as_of=date(2020, 1, 12))) == 5  # Sunday: up to Friday the 10th
    assert len(up_to(bars, as_of=date(2020, 1, 5))) == 0


def test_require_history_describes_the_window_or_raises() -> None:
    bars = make_bars(np.arange(1.0, 11.0), start="2020-01-06")
    window = require_history(bars, as_of=date(2020, 1, 19), warmup=9)
    assert (window.first, window.last, window.bars) == (date(2020, 1, 6), date(2020, 1, 17), 10)
    with pytest.raises(InsufficientDataError, match=r"need at least 11 bars .* \(10 warm-up"):
        require_history(bars, as_of=date(2020, 1, 19), warmup=10)
    with pytest.raises(ValueError, match="warmup must be >= 0"):
        require_history(bars, as_of=date(2020, 1, 19), warmup=-1)
