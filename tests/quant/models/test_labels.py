from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from quant.models import label_end_date, make_labels


def test_forward_returns_and_labels_match_hand_computation(closes: dict[str, pd.Series]) -> None:
    labels = make_labels(closes)
    aapl = closes["AAPL"]
    t = pd.Timestamp("2012-09-19")
    i = aapl.index.get_loc(t)
    row = labels.loc[(t, "AAPL")]
    for h in (1, 5, 20):
        expected = aapl.iloc[i + h] / aapl.iloc[i] - 1
        assert row[f"ret_{h}d"] == pytest.approx(expected, rel=1e-12)
        assert row[f"up_{h}d"] == (1.0 if expected > 0 else 0.0)
        assert row[f"end_{h}d"] == aapl.index[i + h]
    # AAPL peaked on 2012-09-19: the next 20 sessions lost money
    assert row["up_20d"] == 0.0 and row["ret_20d"] < -0.05


def test_values_by_hand_on_a_tiny_series() -> None:
    dates = pd.bdate_range("2020-01-01", periods=5)
    close = pd.Series([10.0, 11.0, 11.0, 9.9, 12.0], index=dates)
    labels = make_labels({"X": close}, horizons=[1, 2]).droplevel("ticker")
    np.testing.assert_allclose(labels["ret_1d"], [0.1, 0.0, -0.1, 12 / 9.9 - 1, np.nan])
    np.testing.assert_array_equal(labels["up_1d"], [1.0, 0.0, 0.0, 1.0, np.nan])  # flat is 0
    np.testing.assert_allclose(labels["ret_2d"], [0.1, -0.1, 12 / 11 - 1, np.nan, np.nan])
    assert list(labels["end_2d"]) == [dates[2], dates[3], dates[4], pd.NaT, pd.NaT]


def test_the_last_h_bars_have_no_label_and_nothing_is_filled(
    closes: dict[str, pd.Series],
) -> None:
    labels = make_labels(closes)
    for ticker in closes:
        rows = labels.xs(ticker, level="ticker")
        for h in (1, 5, 20):
            assert rows[f"up_{h}d"].iloc[-h:].isna().all()
            assert rows[f"ret_{h}d"].iloc[-h:].isna().all()
            assert rows[f"end_{h}d"].iloc[-h:].isna().all()
            assert rows[f"up_{h}d"].iloc[:-h].notna().all()


def test_labels_on_truncated_prices_are_the_known_part_of_the_full_labels(
    closes: dict[str, pd.Series],
) -> None:
    """Look-ahead: on data cut at T, a label exists exactly when its end date is <= T, and it
    then equals the label computed on the full history."""
    cut = pd.Timestamp("2011-06-30")
    full = make_labels(closes)
    part = make_labels({t: c.loc[:cut] for t, c in closes.items()})
    for h in (1, 5, 20):
        known = full[f"end_{h}d"] <= cut
        pd.testing.assert_series_equal(
            part[f"ret_{h}d"], full.loc[part.index, f"ret_{h}d"].where(known.loc[part.index])
        )
        assert part[f"up_{h}d"].notna().sum() == known.loc[part.index].sum()


def test_label_end_date_helper() -> None:
    dates = pd.bdate_range("2020-01-01", periods=5)
    assert label_end_date(dates[1], horizon=2, dates=dates) == dates[3]
    assert label_end_date(dates[3], horizon=2, dates=dates) is pd.NaT
    with pytest.raises(KeyError):
        label_end_date(pd.Timestamp(date(2019, 1, 1)), horizon=1, dates=dates)


def test_unsorted_prices_are_refused() -> None:
    close = pd.Series([1.0, 2.0], index=pd.DatetimeIndex(["2020-01-02", "2020-01-01"]))
    with pytest.raises(ValueError, match="increasing"):
        make_labels({"X": close})
