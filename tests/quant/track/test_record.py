"""The track record: hit rates by window, baselines on the same calls, Brier score and log loss
only where a probability is stated, everything as known on the as-of date."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest

from quant.track import KEYS, score_window, track_record

AS_OF = date(2013, 6, 28)


def _calls(rows: list[dict]) -> pd.DataFrame:
    base = {
        "source": "briefing",
        "config_hash": "cfg",
        "model_id": None,
        "horizon_days": 5,
        "ticker": "IBM",
        "action": "BUY",
        "prob_up": np.nan,
        "trailing_return_20": np.nan,
    }
    return pd.DataFrame([base | r for r in rows])


def test_score_window_by_hand():
    s = score_window(
        returns=np.array([0.02, -0.01, 0.03, -0.04]),
        hit=np.array([1.0, 1.0, 0.0, np.nan]),  # BUY hit, SELL hit, SELL miss, HOLD
        trailing=np.array([0.05, 0.0, -0.02, np.nan]),  # momentum: up, none, down, none
        prob_up=np.array([0.7, np.nan, np.nan, 0.4]),
    )
    assert (s.calls, s.directional, s.momentum_calls, s.stated) == (4, 3, 2, 2)
    assert s.hit_rate == pytest.approx(2 / 3)
    assert s.always_buy == pytest.approx(0.5)  # two of the four rose
    assert s.momentum == pytest.approx(0.5)  # up then +2%: hit; down then +3%: miss
    assert s.brier == pytest.approx(((0.7 - 1) ** 2 + (0.4 - 0) ** 2) / 2)
    assert s.log_loss == pytest.approx(-(math.log(0.7) + math.log(0.6)) / 2)
    assert s.mean_return == pytest.approx(0.0)


def test_an_empty_window_is_none_not_a_number():
    empty = np.array([], dtype=np.float64)
    s = score_window(returns=empty, hit=empty, trailing=empty, prob_up=empty)
    assert (s.calls, s.hit_rate, s.always_buy, s.momentum, s.brier, s.log_loss) == (
        0,
        None,
        None,
        None,
        None,
        None,
    )


def test_windows_last_n_and_calendar_days_by_outcome_date():
    # 120 resolved BUYs, one per day ending on AS_OF: the first 20 missed, the rest hit
    outcome = pd.date_range(end=AS_OF, periods=120, freq="D")
    ret = np.where(np.arange(120) < 20, -0.01, 0.01)
    frame = _calls(
        [
            {
                "as_of": d - pd.Timedelta(days=7),
                "outcome_date": d,
                "outcome_return": r,
                "hit": r > 0,
            }
            for d, r in zip(outcome, ret, strict=True)
        ]
    )
    record = track_record(frame, as_of=AS_OF, last=100, days=(30, 90))
    (row,) = record.rows
    w = row.windows
    assert list(w) == ["last_100", "30d", "90d", "all"]
    assert (w["last_100"].calls, w["last_100"].hit_rate) == (100, 1.0)
    assert (w["30d"].calls, w["90d"].calls, w["all"].calls) == (30, 90, 120)
    assert w["all"].hit_rate == pytest.approx(100 / 120)
    assert w["all"].always_buy == pytest.approx(100 / 120)
    assert (row.source, row.ticker, row.horizon_days, row.model_id) == ("briefing", "IBM", 5, None)


def test_outcomes_after_the_as_of_date_are_pending_and_later_calls_absent():
    frame = _calls(
        [
            {"as_of": "2013-06-10", "outcome_date": "2013-06-17", "outcome_return": 0.01,
             "hit": True},
            {"as_of": "2013-06-24", "outcome_date": "2013-07-01", "outcome_return": -0.02,
             "hit": False},  # resolved with later data: not known on AS_OF
            {"as_of": "2013-06-26", "outcome_date": None, "outcome_return": np.nan, "hit": None},
            {"as_of": "2013-07-01", "outcome_date": None, "outcome_return": np.nan, "hit": None},
        ]
    )  # fmt: skip
    record = track_record(frame, as_of=AS_OF)
    assert (record.calls, record.resolved, record.pending) == (3, 1, 2)
    (row,) = record.rows
    assert (row.calls, row.pending, row.windows["all"].calls) == (3, 2, 1)
    assert row.windows["all"].hit_rate == 1.0


def test_groups_follow_by_and_hold_is_left_out_of_the_hit_rate():
    frame = _calls(
        [
            {"as_of": "2013-06-03", "outcome_date": "2013-06-10", "outcome_return": 0.02,
             "hit": True, "trailing_return_20": -0.01},
            {"as_of": "2013-06-03", "outcome_date": "2013-06-10", "outcome_return": 0.01,
             "hit": None, "action": "HOLD", "trailing_return_20": 0.03},
            {"as_of": "2013-06-03", "outcome_date": "2013-06-04", "outcome_return": -0.01,
             "hit": True, "action": "SELL", "horizon_days": 1, "ticker": "AAPL"},
            {"as_of": "2013-06-03", "outcome_date": "2013-06-10", "outcome_return": -0.03,
             "hit": True, "model_id": "m1", "action": "SELL", "prob_up": 0.2,
             "config_hash": None},
        ]
    )  # fmt: skip
    full = track_record(frame, as_of=AS_OF)
    assert full.by == KEYS and len(full.rows) == 4
    hold = next(r for r in full.rows if r.action == "HOLD")
    assert (hold.windows["all"].directional, hold.windows["all"].hit_rate) == (0, None)
    assert hold.windows["all"].momentum == 1.0  # the baselines still score its dates
    model = next(r for r in full.rows if r.model_id == "m1")
    assert model.config_hash is None and model.windows["all"].brier == pytest.approx(0.04)
    by_horizon = track_record(frame, as_of=AS_OF, by=("source", "horizon_days"))
    assert [(r.horizon_days, r.calls) for r in by_horizon.rows] == [(1, 1), (5, 3)]
    five = by_horizon.rows[1].windows["all"]
    assert (five.calls, five.directional, five.hit_rate) == (3, 2, 1.0)
    assert five.always_buy == pytest.approx(2 / 3)
    assert (five.momentum_calls, five.momentum) == (2, pytest.approx(0.5))
    assert five.stated == 1 and five.brier == pytest.approx(0.04)
    assert by_horizon.rows[1].ticker is None  # not grouped by ticker


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"by": ("weather",)}, "by must"), ({"by": ()}, "by must"), ({"last": 0}, "last")],
)
def test_bad_arguments_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        track_record(_calls([]).assign(as_of=[], outcome_date=[], outcome_return=[], hit=[]),
                     as_of=AS_OF, **kwargs)  # fmt: skip


def test_missing_columns_are_named():
    with pytest.raises(ValueError, match="outcome_return"):
        track_record(pd.DataFrame({"source": []}), as_of=AS_OF)
