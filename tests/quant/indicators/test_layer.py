"""The indicator layer: columns, warm-up, look-ahead, snapshots and their errors."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pandas as pd
import pytest

from quant.indicators import (
    INDICATOR_COLUMNS,
    WARMUP,
    InsufficientDataError,
    compute_indicators,
    indicator_arrays,
    indicator_snapshot,
    ohlcv_arrays,
)
from tests.quant.indicators._bars import real_bars

CUTS = [
    date(2001, 3, 1),
    date(2003, 6, 30),
    date(2008, 10, 10),
    date(2011, 8, 8),
    date(2013, 2, 27),
]


def test_columns_are_the_documented_set() -> None:
    frame = compute_indicators(real_bars("IBM"))
    assert list(frame.columns) == list(INDICATOR_COLUMNS)
    assert len(INDICATOR_COLUMNS) == len(set(INDICATOR_COLUMNS)) == 37
    assert set(indicator_arrays(ohlcv_arrays(real_bars("IBM")))) == set(INDICATOR_COLUMNS)
    assert frame.index.equals(real_bars("IBM").index)
    assert (frame.dtypes == np.float64).all()


@pytest.mark.parametrize("ticker", ["AAPL", "IBM", "MSFT", "GOOG", "^GSPC"])
def test_first_warmup_rows_are_nan_and_the_rest_finite(ticker: str) -> None:
    frame = compute_indicators(real_bars(ticker))
    assert frame.iloc[:WARMUP].isna().all().all()
    assert np.isfinite(frame.iloc[WARMUP:].to_numpy()).all()


def test_a_custom_warmup_masks_exactly_that_many_rows() -> None:
    frame = compute_indicators(real_bars("AAPL"), warmup=300)
    assert frame.iloc[:300].isna().all().all()
    assert frame.iloc[300:].notna().all().all()
    unmasked = compute_indicators(real_bars("AAPL"), warmup=0)
    assert unmasked["rsi_14"].first_valid_index() == real_bars("AAPL").index[14]


@pytest.mark.parametrize("ticker", ["AAPL", "GOOG"])
def test_no_look_ahead_truncated_equals_full(ticker: str) -> None:
    bars = real_bars(ticker)
    full = compute_indicators(bars)
    for cut in CUTS:
        truncated = bars.loc[: pd.Timestamp(cut)]
        if len(truncated) == 0:
            continue
        pd.testing.assert_frame_equal(
            compute_indicators(truncated), full.loc[: pd.Timestamp(cut)], check_exact=True
        )


def test_no_look_ahead_future_changes_leave_the_past_alone() -> None:
    bars = real_bars("MSFT")
    cut = 2000
    shocked = bars.copy()
    rng = np.random.default_rng(11)
    shocked.iloc[cut:] = shocked.iloc[cut:] * rng.uniform(0.5, 2.0, size=(len(bars) - cut, 1))
    pd.testing.assert_frame_equal(
        compute_indicators(shocked).iloc[:cut],
        compute_indicators(bars).iloc[:cut],
        check_exact=True,
    )


@pytest.mark.parametrize("as_of", [date(2001, 3, 1), date(2008, 10, 11), date(2013, 2, 28)])
def test_snapshot_uses_only_bars_up_to_as_of(as_of: date) -> None:
    bars = real_bars("AAPL")
    snap = indicator_snapshot(bars, as_of=as_of)
    assert snap == indicator_snapshot(bars.loc[: pd.Timestamp(as_of)], as_of=as_of)
    row = compute_indicators(bars).loc[pd.Timestamp(snap.bar_date)]
    assert snap.values == row.to_dict()
    assert snap.bar_date <= as_of and snap.window.last == snap.bar_date
    assert snap.window.first == date(2000, 3, 1)
    assert snap.window.bars == len(bars.loc[: pd.Timestamp(as_of)])
    assert snap.as_of == as_of and snap.warmup == WARMUP


def test_snapshot_on_a_weekend_uses_the_friday_bar() -> None:
    snap = indicator_snapshot(real_bars("IBM"), as_of=date(2012, 9, 16))  # a Sunday
    assert snap.bar_date == date(2012, 9, 14)


def test_snapshot_to_dict_is_json_ready() -> None:
    snap = indicator_snapshot(real_bars("IBM"), as_of=date(2012, 9, 14))
    data = json.loads(json.dumps(snap.to_dict()))
    assert data["as_of"] == "2012-09-14" and data["bar_date"] == "2012-09-14"
    assert data["window"] == {"first": "2000-03-01", "last": "2012-09-14", "bars": snap.window.bars}
    assert data["values"]["rsi_14"] == pytest.approx(snap.values["rsi_14"])
    assert set(data["values"]) == set(INDICATOR_COLUMNS)


def test_snapshot_with_too_little_history_says_how_many_bars() -> None:
    bars = real_bars("FB")  # listed 2012-05-18: 195 bars up to 2013-02-28
    with pytest.raises(InsufficientDataError, match=r"need at least 251 bars .* only 195") as err:
        indicator_snapshot(bars, as_of=date(2013, 2, 28))
    assert (err.value.needed, err.value.available) == (251, len(bars)) == (251, 195)
    assert isinstance(err.value, ValueError)


def test_snapshot_needs_exactly_warmup_plus_one_bars() -> None:
    bars = real_bars("IBM")
    first_ok = bars.index[WARMUP].date()
    assert indicator_snapshot(bars, as_of=first_ok).window.bars == WARMUP + 1
    with pytest.raises(InsufficientDataError, match="need at least 251 bars up to"):
        indicator_snapshot(bars, as_of=bars.index[WARMUP - 1].date())
    with pytest.raises(InsufficientDataError, match="only 0 are available"):
        indicator_snapshot(bars, as_of=date(1999, 1, 1))


def test_values_after_the_warmup_barely_depend_on_where_the_series_starts() -> None:
    # Exponential averages forget their seed: starting 300 bars later changes values reported
    # after the warm-up only in the far decimals; windowed values (and OBV/AD changes) not at all.
    bars = real_bars("AAPL")
    full = compute_indicators(bars)
    late = compute_indicators(bars.iloc[300:])
    common = late.index[WARMUP:]
    seeded = ("rsi", "macd", "ema", "adx", "plus_di", "minus_di", "atr")
    exact = [c for c in INDICATOR_COLUMNS if not c.startswith(seeded)]
    pd.testing.assert_frame_equal(late.loc[common, exact], full.loc[common, exact], rtol=1e-12)
    pd.testing.assert_frame_equal(late.loc[common], full.loc[common], rtol=1e-5)
