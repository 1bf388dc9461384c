"""Forward outcomes of calls: hand-computed values, the due rule and truncation (look-ahead)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from quant.track import UnknownActionError, direction_of, forward_outcomes, hits

# Mon 2013-02-04 .. Fri 2013-02-15, with Mon 02-11 missing (a holiday) and a NaN close on 02-13
DAYS = pd.to_datetime(
    ["2013-02-04", "2013-02-05", "2013-02-06", "2013-02-07", "2013-02-08", "2013-02-12",
     "2013-02-13", "2013-02-14", "2013-02-15"]
)  # fmt: skip
CLOSES = pd.Series([100.0, 101.0, 99.0, 102.0, 104.0, 103.0, np.nan, 105.0, 98.0], index=DAYS)


def _out(as_of: list[str], horizon: list[int], lookback: int = 2) -> pd.DataFrame:
    return forward_outcomes(
        CLOSES,
        as_of=pd.DatetimeIndex(pd.to_datetime(as_of)),
        horizon=np.array(horizon, dtype=np.int64),
        lookback=lookback,
    )


def test_entry_is_the_last_bar_on_or_before_the_call_and_returns_are_close_to_close():
    out = _out(["2013-02-06", "2013-02-11", "2013-02-09", "2013-02-13"], [1, 1, 2, 1])
    # 02-06 -> 02-07: 102/99; 02-11 (holiday) enters 02-08 -> 02-12: 103/104;
    # Saturday 02-09 enters 02-08 -> two bars later 02-14 (the NaN close is no bar): 105/104;
    # 02-13 has a NaN close: enters 02-12 -> 02-14
    assert (
        out["entry_date"].tolist()
        == pd.to_datetime(["2013-02-06", "2013-02-08", "2013-02-08", "2013-02-12"]).tolist()
    )
    assert (
        out["outcome_date"].tolist()
        == pd.to_datetime(["2013-02-07", "2013-02-12", "2013-02-14", "2013-02-14"]).tolist()
    )
    assert out["forward_return"].tolist() == pytest.approx(
        [102 / 99 - 1, 103 / 104 - 1, 105 / 104 - 1, 105 / 103 - 1]
    )
    # trailing 2 bars: 99/100, 104/99, 104/99, 103/102
    assert out["trailing_return"].tolist() == pytest.approx(
        [99 / 100 - 1, 104 / 99 - 1, 104 / 99 - 1, 103 / 102 - 1]
    )


def test_a_call_is_due_only_when_its_outcome_bar_exists():
    out = _out(
        ["2013-02-14", "2013-02-15", "2013-02-01", "2013-02-04", "2013-02-20"], [1, 1, 1, 1, 1]
    )
    assert out["outcome_date"].isna().tolist() == [False, True, True, False, True]
    assert out["forward_return"].isna().tolist() == [False, True, True, False, True]
    assert pd.isna(out.loc[2, "entry_date"])  # before the first bar: no entry at all
    assert np.isnan(out.loc[3, "trailing_return"])  # too little history for the lookback
    assert out.loc[4, "entry_date"] == pd.Timestamp("2013-02-15")  # after the data: waits


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"horizon": np.array([0])}, "horizons"),
        ({"horizon": np.array([1, 2])}, "1 calls for 2 horizons"),
        ({"horizon": np.array([1]), "lookback": 0}, "lookback"),
    ],
)
def test_bad_inputs_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        forward_outcomes(CLOSES, as_of=pd.DatetimeIndex([DAYS[0]]), **kwargs)


def test_hits_follow_the_direction_and_hold_has_none():
    actions = ["BUY", "STRONG BUY", "SELL", "STRONG SELL", "HOLD", "BUY", "SELL", "BUY"]
    ret = np.array([0.01, -0.02, -0.01, 0.03, 0.05, 0.0, 0.0, np.nan])
    got = hits(actions=actions, returns=ret)
    np.testing.assert_array_equal(got, [1.0, 0.0, 1.0, 0.0, np.nan, 0.0, 0.0, np.nan])
    assert direction_of(["STRONG SELL", "HOLD", "BUY"]).tolist() == [-1, 0, 1]
    with pytest.raises(UnknownActionError, match="'buy'"):
        hits(actions=["buy"], returns=np.array([0.1]))


@given(
    t=st.integers(min_value=0, max_value=len(DAYS) - 1),
    calls=st.lists(
        st.tuples(st.integers(min_value=-3, max_value=len(DAYS) + 2), st.integers(1, 4)),
        min_size=1,
        max_size=12,
    ),
)
def test_truncated_closes_resolve_exactly_the_calls_due_by_then_with_the_same_numbers(t, calls):
    as_of = pd.DatetimeIndex([DAYS[0] + pd.Timedelta(days=d) for d, _ in calls])
    horizon = np.array([h for _, h in calls], dtype=np.int64)
    cut = DAYS[t]
    full = forward_outcomes(CLOSES, as_of=as_of, horizon=horizon)
    seen = forward_outcomes(CLOSES.loc[:cut], as_of=as_of, horizon=horizon)
    known = full["outcome_date"] <= cut  # NaT: False
    assert seen["outcome_date"].notna().tolist() == known.tolist()
    pd.testing.assert_frame_equal(seen[known], full[known])
