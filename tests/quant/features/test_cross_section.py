"""Cross-sectional ranks and z-scores: hand cases and properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quant.features import cross_sectional, rank_and_zscore


def test_ties_share_the_average_rank_and_missing_values_take_no_part() -> None:
    values = np.array([1.0, 1.0, 2.0, np.nan, 5.0, np.inf])
    dates = np.array([0, 0, 0, 0, 1, 1])
    tickers = np.array([0, 1, 2, 3, 0, 1])
    rank, z = rank_and_zscore(values, date_code=dates, ticker_code=tickers)
    np.testing.assert_allclose(rank[:3], [0.25, 0.25, 1.0])
    sd = np.std([1.0, 1.0, 2.0], ddof=1)
    np.testing.assert_allclose(z[:3], (np.array([1.0, 1.0, 2.0]) - 4 / 3) / sd)
    assert np.isnan(rank[3]) and np.isnan(z[3])
    # date 1 has one finite value (inf does not count): below min_count, so NaN
    assert np.isnan(rank[4:]).all() and np.isnan(z[4:]).all()


def test_a_constant_cross_section_has_ranks_but_no_z_scores() -> None:
    rank, z = rank_and_zscore(
        np.array([3.0, 3.0, 3.0]), date_code=np.zeros(3, int), ticker_code=np.arange(3)
    )
    np.testing.assert_allclose(rank, [0.5, 0.5, 0.5])
    assert np.isnan(z).all()


def test_min_count_and_the_panel_wrapper() -> None:
    index = pd.MultiIndex.from_tuples(
        [("2020-01-02", "A"), ("2020-01-02", "B"), ("2020-01-03", "A"), ("2020-01-03", "B"),
         ("2020-01-03", "C")],
        names=["date", "ticker"],
    )  # fmt: skip
    panel = pd.DataFrame({"x": [1.0, 2.0, 3.0, 1.0, 2.0]}, index=index)
    out = cross_sectional(panel, min_count=3)
    assert list(out.columns) == ["cs_rank_x", "cs_z_x"]
    assert out.loc["2020-01-02"].isna().all(axis=None)  # two names < min_count
    np.testing.assert_allclose(out.loc["2020-01-03", "cs_rank_x"], [1.0, 0.0, 0.5])
    np.testing.assert_allclose(out.loc["2020-01-03", "cs_z_x"], [1.0, -1.0, 0.0])
    with pytest.raises(ValueError, match="MultiIndex"):
        cross_sectional(panel.reset_index(level="ticker"))


cells = st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(cells, min_size=1, max_size=7), min_size=1, max_size=6))
def test_properties_on_random_panels(table: list[list[float | None]]) -> None:
    rows = [(d, t, v) for d, row in enumerate(table) for t, v in enumerate(row) if v is not None]
    if not rows:
        return
    dates, tickers, values = (np.array(col) for col in zip(*rows, strict=True))
    values = values.astype("float64")
    rank, z = rank_and_zscore(values, date_code=dates, ticker_code=tickers)
    for d in np.unique(dates):
        on = dates == d
        x, r, s = values[on], rank[on], z[on]
        if on.sum() < 2:
            assert np.isnan(r).all() and np.isnan(s).all()
            continue
        assert ((r >= 0) & (r <= 1)).all()
        assert r.sum() == pytest.approx(len(x) / 2)  # average ranks always sum to n(n+1)/2
        order = np.argsort(x, kind="stable")
        assert (np.diff(r[order]) >= 0).all()  # ranks never go against the values
        if np.std(x, ddof=1) > 1e-6 * max(1.0, np.abs(x).max()):
            assert abs(s.mean()) < 1e-9 and s.std(ddof=1) == pytest.approx(1.0, rel=1e-9)
