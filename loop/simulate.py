"""The production loop replayed on history: ``simulate(loop, start=..., end=...)`` advances a
clock one trading day at a time and runs, at each day, exactly the jobs production runs
(``Loop.run_day``: refresh checks, outcomes, accuracy, drift every ``drift_every`` days,
retrain under the policy, the day's calls). The trading days are the first watchlist ticker's
bar dates in [start, end]; every job sees only the data up to its day.

The result (``Simulation``) holds the timeline (per day: each slot's rolling hit rate, drift,
alerts and retrains), the track record at the end beside always-buy and momentum, the retrains
by trigger and outcome, the alerts, and the time spent.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from datetime import date
from time import perf_counter

import pandas as pd
from pydantic import BaseModel, ConfigDict

from loop.jobs import SOURCE, DayReport, Loop
from quant.track import track_record

__all__ = ["AlertRow", "DayPoint", "RetrainRow", "Simulation", "TrackLine", "simulate"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", ser_json_inf_nan="strings")


class DayPoint(_Frozen):
    day: date
    hit_rates: dict[str, float | None]
    resolved_forecasts: dict[str, int]
    drift_psi_max: dict[str, float | None]
    drifted: dict[str, bool]
    alerts: int
    retrains: int


class RetrainRow(_Frozen):
    day: date
    slot: str
    trigger: str
    outcome: str
    model_id: str | None
    champion_id: str | None
    reason: str
    verdict: str | None
    walk_forward_accuracy: float | None


class AlertRow(_Frozen):
    day: date
    kind: str
    status: str
    title: str


class TrackLine(_Frozen):
    """One line of the final track record: the confluence signal's calls or the models'
    forecasts at one horizon, over all resolved calls, beside the baselines on the same calls."""

    maker: str  # signal | model
    horizon: int
    calls: int
    resolved: int
    directional: int
    hit_rate: float | None
    always_buy: float | None
    momentum: float | None
    brier: float | None


class Simulation(_Frozen):
    start: date
    end: date
    watchlist: tuple[str, ...]
    horizon: int
    days: int
    seconds: float
    seconds_per_day: float
    seconds_by_job: dict[str, float]
    track: tuple[TrackLine, ...]
    retrains_by_trigger: dict[str, int]
    promoted: int
    kept: int
    failed: int
    alerts_by_kind: dict[str, int]
    alerts_by_status: dict[str, int]
    timeline: tuple[DayPoint, ...]
    retrains: tuple[RetrainRow, ...]
    alerts: tuple[AlertRow, ...]
    settings: dict[str, object]


def trading_days(loop: Loop, *, start: date, end: date) -> list[date]:
    """The first watchlist ticker's bar dates in [start, end]."""
    bars = loop.ctx.market.bars(loop.settings.watchlist[0], start=start, end=end)
    return [ts.date() for ts in pd.DatetimeIndex(bars.frame.index)]


def _point(report: DayReport, *, min_calls: int) -> DayPoint:
    """The day's point of the timeline: a slot's hit rate only once the policy judges it (at
    least ``min_calls`` resolved forecasts of its champion), None before."""
    rates = {
        s: (None if math.isnan(r) or n < min_calls else r) for s, (r, n) in report.hit_rates.items()
    }
    return DayPoint(
        day=report.day,
        hit_rates=rates,
        resolved_forecasts={s: n for s, (_, n) in report.hit_rates.items()},
        drift_psi_max=dict(report.drift_psi),
        drifted=dict(report.drift),
        alerts=len(report.alerts),
        retrains=len(report.retrains),
    )


def _track(loop: Loop, end: date) -> list[TrackLine]:
    calls = loop.predictions.calls(as_of=end, source=SOURCE)
    calls = calls.assign(maker=calls["model_id"].notna().map({True: "model", False: "signal"}))
    lines = []
    for key, group in calls.groupby(["maker", "horizon_days"], sort=True):
        maker, horizon = str(key[0]), int(key[1])  # type: ignore[call-overload]
        record = track_record(group, as_of=end, by=("horizon_days",))
        row = record.rows[0]
        w = row.windows["all"]
        lines.append(
            TrackLine(
                maker=maker,
                horizon=horizon,
                calls=row.calls,
                resolved=w.calls,
                directional=w.directional,
                hit_rate=w.hit_rate,
                always_buy=w.always_buy,
                momentum=w.momentum,
                brier=w.brier,
            )
        )
    return sorted(lines, key=lambda t: (t.maker != "signal", t.horizon))


def simulate(
    loop: Loop,
    *,
    start: date,
    end: date,
    drift_every: int = 10,
    progress: Callable[[int, int, date], None] | None = None,
) -> Simulation:
    """Run the loop's jobs every trading day in [start, end] (module doc)."""
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    days = trading_days(loop, start=start, end=end)
    if not days:
        raise ValueError(f"no trading days in {start}..{end}")
    began = perf_counter()
    points: list[DayPoint] = []
    retrains: list[RetrainRow] = []
    alerts: list[AlertRow] = []
    by_job: Counter[str] = Counter()
    for i, day in enumerate(days):
        report = loop.run_day(day, drift=i % drift_every == 0)
        by_job.update(report.seconds)
        points.append(_point(report, min_calls=loop.settings.policy.min_calls))
        for r in report.retrains:
            card = r.challenger
            retrains.append(
                RetrainRow(
                    day=day,
                    slot=r.slot,
                    trigger=r.trigger.kind,
                    outcome=r.outcome,
                    model_id=card.model_id if card else None,
                    champion_id=r.champion_id,
                    reason=r.reason,
                    verdict=card.record.verdict if card else None,
                    walk_forward_accuracy=card.record.overall.accuracy if card else None,
                )
            )
        alerts += [
            AlertRow(day=day, kind=a.alert.kind, status=a.status, title=a.alert.title)
            for a in report.alerts
        ]
        if progress is not None:
            progress(i + 1, len(days), day)
    seconds = perf_counter() - began
    outcomes = Counter(r.outcome for r in retrains)
    s = loop.settings
    return Simulation(
        start=start,
        end=end,
        watchlist=s.watchlist,
        horizon=s.horizon,
        days=len(days),
        seconds=seconds,
        seconds_per_day=seconds / len(days),
        seconds_by_job={k: round(v, 3) for k, v in sorted(by_job.items())},
        track=tuple(_track(loop, days[-1])),
        retrains_by_trigger=dict(sorted(Counter(r.trigger for r in retrains).items())),
        promoted=outcomes.get("promoted", 0),
        kept=outcomes.get("kept", 0),
        failed=outcomes.get("failed", 0),
        alerts_by_kind=dict(sorted(Counter(a.kind for a in alerts).items())),
        alerts_by_status=dict(sorted(Counter(a.status for a in alerts).items())),
        timeline=tuple(points),
        retrains=tuple(retrains),
        alerts=tuple(alerts),
        settings={
            "kind": s.kind,
            "drift_every_days": drift_every,
            "policy": s.policy.model_dump(),
            "compare_days": s.compare_days,
            "record_months": s.record_months,
            "drift_window_days": s.drift_window_days,
        },
    )
