"""No look-ahead anywhere in the learning loop: every decision of day t (the calls, the retrains
and their outcomes, the champions) is the same when the data end at t."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from data.providers.bundled import BundledProvider
from loop.simulate import simulate, trading_days
from quant.track.policy import RetrainPolicy
from tests.loop._loop import make_loop
from tests.tools._truncated import Truncated

pytestmark = pytest.mark.slow


def _plain(value: object) -> object:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return round(value, 12) if isinstance(value, float) else value


def _decisions(loop, day: date) -> dict:  # noqa: ANN001
    """Day ``day``'s calls, retrain decisions and champions."""
    calls = loop.predictions.calls(as_of=day, source="loop")
    today = calls[pd.to_datetime(calls["as_of"]).dt.date == day]
    events = loop.events.events(as_of=day, since=day)
    return {
        "calls": sorted(
            tuple(
                _plain(v)
                for v in (r.ticker, r.horizon_days, r.action, r.score, r.prob_up, r.model_id)
            )
            for r in today.itertuples()
        ),
        "events": sorted(
            tuple(_plain(v) for v in (r.slot, r.trigger, r.outcome, r.model_id, r.champion_id))
            for r in events.itertuples()
        ),
        "champions": {s: getattr(loop.champion(s, day), "model_id", None) for _, s in loop.slots()},
    }


def test_every_decision_of_day_t_is_the_same_when_the_data_end_at_t(tmp_path: Path):
    policy = RetrainPolicy(every_days=14, min_calls=5, window=10, cooldown_days=3, min_rows=5)
    start, end = date(2011, 3, 1), date(2011, 4, 15)
    full = make_loop(tmp_path / "full", BundledProvider(), ["IBM"], policy=policy)
    simulate(full, start=start, end=end, drift_every=5)
    days = trading_days(full, start=start, end=end)
    assert any(r for r in full.events.events(as_of=end).itertuples()), "no decision to compare"
    for t in (days[len(days) // 2], days[-1]):
        cut = make_loop(tmp_path / f"cut-{t}", Truncated(t), ["IBM"], policy=policy)
        simulate(cut, start=start, end=t, drift_every=5)
        for day in (t, days[days.index(t) - 1]):
            assert _decisions(cut, day) == _decisions(full, day), day
