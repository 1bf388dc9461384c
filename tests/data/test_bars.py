from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
import pytest

from data.bars import (
    Provenance,
    adjust_point_in_time,
    adjustment_factors,
    check_range,
    normalize_ticker,
    to_raw_frame,
)
from data.errors import InvalidRangeError, InvalidTickerError
from tests.data._fakes import make_raw


@pytest.mark.parametrize(
    ("given", "expected"),
    [("aapl", "AAPL"), (" msft ", "MSFT"), ("^gspc", "^GSPC"), ("brk-b", "BRK-B")],
)
def test_normalize_ticker(given: str, expected: str) -> None:
    assert normalize_ticker(given) == expected


@pytest.mark.parametrize("bad", ["", "AAPL;DROP", "A B", "../etc", "TOOLONGTICKERSYMBOL"])
def test_normalize_ticker_rejects_malformed(bad: str) -> None:
    with pytest.raises(InvalidTickerError, match="invalid ticker"):
        normalize_ticker(bad)


def test_check_range_rejects_reversed_dates() -> None:
    check_range(date(2012, 1, 1), date(2012, 1, 1))
    with pytest.raises(InvalidRangeError, match="swap the dates"):
        check_range(date(2013, 1, 1), date(2012, 1, 1))


def test_to_raw_frame_keeps_duplicates_and_order_and_fills_missing_adj_close() -> None:
    frame = pd.DataFrame(
        {
            "open": [1, 2, 3],
            "high": [1, 2, 3],
            "low": [1, 2, 3],
            "close": [1, 2, 3],
            "volume": [5, 6, 7],
        },
        index=pd.to_datetime(["2012-01-04", "2012-01-03", "2012-01-03"]),
    )
    raw = to_raw_frame(frame)
    assert list(raw.index.strftime("%Y-%m-%d")) == ["2012-01-04", "2012-01-03", "2012-01-03"]
    assert raw["adj_close"].isna().all()
    assert raw.dtypes.eq("float64").all()


def test_adjustment_rebases_to_last_bar_and_undoes_a_split() -> None:
    # A 2:1 split between day 2 and day 3: raw close halves, the source's adj_close does not.
    raw = to_raw_frame(
        pd.DataFrame(
            {
                "open": [100.0, 102.0, 51.0, 52.0],
                "high": [101.0, 103.0, 52.0, 53.0],
                "low": [99.0, 101.0, 50.0, 51.0],
                "close": [100.0, 102.0, 51.5, 52.0],
                "volume": [1000.0, 1000.0, 2000.0, 2000.0],
                # source adj_close also carries a later 7:1 split (factor 1/7 everywhere)
                "adj_close": [50.0 / 7, 51.0 / 7, 51.5 / 7, 52.0 / 7],
            },
            index=pd.bdate_range("2012-01-02", periods=4),
        )
    )
    factors = adjustment_factors(raw)
    np.testing.assert_allclose(factors.to_numpy(), [0.5, 0.5, 1.0, 1.0])
    adjusted = adjust_point_in_time(raw)
    # last bar equals what traded that day; the split disappears from the adjusted series
    assert adjusted["close"].iloc[-1] == 52.0
    np.testing.assert_allclose(adjusted["close"].to_numpy(), [50.0, 51.0, 51.5, 52.0])
    np.testing.assert_allclose(adjusted["volume"].to_numpy(), [2000.0, 2000.0, 2000.0, 2000.0])


def test_adjustment_without_adj_close_is_identity() -> None:
    raw = make_raw(adj=False)
    pd.testing.assert_frame_equal(adjust_point_in_time(raw), raw.drop(columns="adj_close"))


def test_point_in_time_adjustment_ignores_events_after_the_window() -> None:
    """Adjusting a window ending at t must not depend on corporate actions after t."""
    raw = make_raw(periods=20)
    later = raw.copy()
    # a dividend after day 10 changes the source's adj_close of every earlier day
    later.loc[later.index[:10], "adj_close"] *= 0.97
    first = adjust_point_in_time(raw.iloc[:10])
    second = adjust_point_in_time(later.iloc[:10])
    pd.testing.assert_frame_equal(first, second)


def test_provenance_round_trips_through_dict() -> None:
    p = Provenance(
        provider="bundled",
        ticker="AAPL",
        source="pkg",
        fetched_at=datetime(2024, 1, 2, tzinfo=UTC),
        adjustment="x",
        start=date(2012, 1, 3),
        end=date(2012, 12, 31),
        rows=250,
        notes=("a",),
    )
    assert Provenance.from_dict(p.to_dict()) == p
    assert p.to_dict()["end"] == "2012-12-31"
