"""The learning loop on real (bundled) data: a planted degradation triggers the accuracy alert
and a retrain within the calls the policy says; a planted feature shift, the drift alert."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from data.bars import to_raw_frame
from data.providers.base import RawBars
from data.providers.bundled import BundledProvider
from loop.simulate import simulate
from quant.features import FEATURE_GROUPS
from quant.track.policy import RetrainPolicy
from tests.loop._loop import make_loop

pytestmark = pytest.mark.slow

HORIZON = 5


def _closes(ticker: str) -> pd.Series:
    raw = BundledProvider().fetch(ticker, start=None, end=date(2013, 12, 31))
    return raw.frame["close"]


def test_a_planted_degradation_raises_the_accuracy_alert_and_a_retrain_on_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """A model right on every call until ``flip``, then wrong on every call: with a window of
    20 resolved calls and a floor of 55%, the 10th wrong call resolved brings the rate to 50%:
    the alert and the retrain come on the day it resolves, not before, not later."""
    import quant.models.forecast as forecast

    closes = _closes("IBM")
    up = (closes.shift(-HORIZON) / closes - 1 > 0).astype(float)
    flip = date(2010, 4, 1)
    real = forecast.predict_proba_up

    def planted(model, row, *, as_of, top_k=5):  # noqa: ANN001, ANN202
        result = real(model, row, as_of=as_of, top_k=top_k)
        truth = float(up.loc[pd.Timestamp(result.row_date)])
        p = 0.9 if truth else 0.1
        return result.model_copy(update={"prob_up": p if result.row_date < flip else 1 - p})

    monkeypatch.setattr(forecast, "predict_proba_up", planted)
    policy = RetrainPolicy(
        every_days=3650,
        min_accuracy=0.55,
        min_calls=20,
        window=20,
        cooldown_days=0,
        on_drift=False,
    )
    loop = make_loop(tmp_path, BundledProvider(), ["IBM"], policy=policy)
    sim = simulate(loop, start=date(2010, 2, 16), end=date(2010, 5, 7), drift_every=10_000)

    calls = loop.predictions.calls(as_of=date(2010, 5, 7), source="loop", ticker="IBM")
    forecasts = calls[calls["model_id"].notna()].sort_values(["outcome_date", "as_of"])
    wrong = forecasts[forecasts["hit"] == False]  # noqa: E712
    assert len(wrong) >= 10 and (pd.to_datetime(wrong["as_of"]).dt.date >= flip).all()
    due = pd.Timestamp(wrong["outcome_date"].iloc[9]).date()  # the 10th wrong call resolves

    alerts = [a for a in sim.alerts if a.kind == "accuracy"]
    assert [a.day for a in alerts] == [due]
    assert "50.0%" in alerts[0].title
    retrains = [r for r in sim.retrains if r.trigger == "accuracy"]
    assert retrains and retrains[0].day == due
    before = [p for p in sim.timeline if p.day < due and p.hit_rates.get("IBM-h5") is not None]
    assert all(p.hit_rates["IBM-h5"] >= 0.55 for p in before)


class Shifted:
    """The bundled provider, with volume multiplied by ``factor`` from ``since`` on."""

    name = "bundled"
    online = False

    def __init__(self, since: date, factor: float) -> None:
        self.inner = BundledProvider()
        self.since, self.factor = pd.Timestamp(since), factor

    def tickers(self) -> list[str]:
        return self.inner.tickers()

    def fetch(self, ticker: str, *, start: date | None, end: date) -> RawBars:
        raw = self.inner.fetch(ticker, start=start, end=end)
        frame = raw.frame.copy()
        frame.loc[frame.index >= self.since, "volume"] *= self.factor
        return RawBars(frame=to_raw_frame(frame), source=raw.source, basis=raw.basis)


def _drift_day(tmp: Path, provider: object, day: date) -> tuple[list, dict]:
    policy = RetrainPolicy(every_days=3650, on_drift=False)
    loop = make_loop(tmp, provider, ["IBM"], policy=policy)
    first = date(2010, 1, 4)
    from loop.jobs import DayReport

    loop.retrain(first, DayReport(day=first))  # the first model, trained before the shift
    report = DayReport(day=day)
    loop.drift(day, report)
    checks = loop.drift_checks.checks(as_of=day, scope="model")
    return report.alerts, checks.iloc[-1]["details"]


def test_a_planted_feature_shift_raises_the_drift_alert(tmp_path: Path):
    day = date(2010, 9, 1)
    _, plain = _drift_day(tmp_path / "plain", BundledProvider(), day)
    alerts, shifted = _drift_day(tmp_path / "shifted", Shifted(date(2010, 6, 1), 40.0), day)
    moved = set(shifted["drifted_features"]) - set(plain["drifted_features"])
    assert [a.alert.kind for a in alerts] == ["drift"]
    assert moved, "the shift must move features that had not drifted"
    from_volume = set(FEATURE_GROUPS["volume"]) | {
        f for f in FEATURE_GROUPS["cross_section"] if "volume" in f
    }
    assert moved <= from_volume, moved - from_volume  # only what volume feeds moved
