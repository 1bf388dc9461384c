"""The scheduled jobs of the learning loop, each a method of ``Loop`` run at an as-of day.

In production each runs from cron or a Kubernetes CronJob (``signaldesk jobs run NAME``); the
simulation (``loop.simulate``) runs them in this order every trading day:

1. ``refresh``: (when given a bar store and a source to load from) loads the watchlist's recent
   bars into the database; then checks each ticker's data as the tools will read it: a ticker
   that cannot be read raises a ``data_refresh`` alert, one whose last bar is older than
   ``stale_after_days`` a ``data_stale`` alert.
2. ``outcomes``: resolves every recorded call whose horizon has passed (``tools.track``).
3. ``accuracy``: per slot (a ticker's model at the ML horizon), the champion's rolling hit rate
   over its last ``policy.window`` resolved forecasts; an ``accuracy`` alert when it falls
   below ``policy.min_accuracy`` with at least ``policy.min_calls`` resolved.
4. ``drift`` (weekly in the simulation): each champion's feature and P(up) drift and each
   ticker's data quality (``tools.drift``), stored in ``drift_checks``; a ``drift`` alert when
   a model that had not drifted at its previous check has.
5. ``retrain``: per slot, the policy's trigger (``quant.track.policy``; drift counts when a
   check since the last retrain newly found the champion drifted: a drift that persists is
   left to the schedule); a retrain trains a challenger and promotes it only if it wins
   (``loop.retrain``); stored in ``loop_events``.
6. ``calls``: the day's signals for the watchlist (``tools.signal_batch``) and the champions'
   forecasts, recorded once in ``predictions`` (source ``loop``).

Point in time: every job reads data through ``ctx.market`` cut at the day (``ToolContext``),
the stores are read "as known on" the day, and models are those trained by the day. Alerts
never stop the loop (a channel that is down is recorded as failed).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from time import perf_counter
from typing import Any

import pandas as pd

from core.settings import Settings
from data.errors import DataError
from data.refresh import load_ticker
from data.service import MarketData
from data.store import (
    DriftCheckStore,
    LoopEventStore,
    NewDriftCheck,
    NewLoopEvent,
    PredictionStore,
)
from data.store.bars import BarStore
from loop.alerts import Alerter, AlertIn, AlertResult
from loop.retrain import RetrainResult, retrain_slot, slot_name
from quant.models import ModelCard, ModelError, ModelNotFoundError, ModelRegistry
from quant.track.policy import RetrainPolicy, SlotState, retrain_trigger, rolling_hit_rate
from tools.context import RunMemo, ToolContext
from tools.drift import TickerQuality, data_quality, model_drift
from tools.signal_batch import SignalResult, signals
from tools.track import record_calls, resolve_due

__all__ = ["DayReport", "Loop", "LoopSettings", "after_close"]

SOURCE = "loop"


def after_close(day: date) -> datetime:
    """The stamp of a decision taken on ``day`` after the close (22:00 UTC): what the
    simulation records as "when", so that its model ids and stamps are reproducible."""
    return datetime.combine(day, time(22, 0), tzinfo=UTC)


@dataclass(frozen=True)
class LoopSettings:
    """The loop's knobs (from ``core.settings.Settings``: ``retrain_*``, ``drift_*``)."""

    watchlist: tuple[str, ...]
    horizon: int = 5
    kind: str = "xgb"
    policy: RetrainPolicy = field(default_factory=RetrainPolicy)
    compare_days: int = 126
    record_months: int = 42
    drift_window_days: int = 60
    psi_threshold: float = 0.2
    ks_pvalue: float = 0.01
    stale_after_days: int = 5


@dataclass
class DayReport:
    """What the jobs did on one day (the parts that ran)."""

    day: date
    recorded: int = 0
    resolved: int = 0
    call_failures: dict[str, str] = field(default_factory=dict)
    hit_rates: dict[str, tuple[float, int]] = field(default_factory=dict)
    drift: dict[str, bool] = field(default_factory=dict)
    drift_psi: dict[str, float | None] = field(default_factory=dict)
    data: dict[str, TickerQuality] = field(default_factory=dict)
    retrains: list[RetrainResult] = field(default_factory=list)
    alerts: list[AlertResult] = field(default_factory=list)
    loaded: list[dict[str, Any]] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # per job, wall clock


@dataclass
class Loop:
    """The jobs over one watchlist. ``ctx``: the tool context (its ``as_of`` is replaced by
    each day's); ``clock``: the stamp of a decision taken on a day (``after_close`` in a
    simulation, the wall clock in production)."""

    ctx: ToolContext
    settings: LoopSettings
    predictions: PredictionStore
    drift_checks: DriftCheckStore
    events: LoopEventStore
    alerter: Alerter
    clock: Callable[[date], datetime] = after_close
    _reads: dict[date, pd.DataFrame] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.ctx.models_dir is None:
            raise ValueError("the loop needs a models directory (settings.models_dir)")
        self.registry = ModelRegistry(self.ctx.models_dir)

    # -- helpers -------------------------------------------------------------------------
    def context(self, day: date, memo: RunMemo | None = None) -> ToolContext:
        """The tool context of ``day`` (one memo shared by that day's jobs)."""
        return dataclasses.replace(self.ctx, as_of=day, memo=memo or RunMemo())

    def slots(self) -> list[tuple[str, str]]:
        """(ticker, slot) of every ticker of the watchlist, at the loop's horizon."""
        return [(t, slot_name(t, self.settings.horizon)) for t in self.settings.watchlist]

    def champion(self, slot: str, day: date) -> ModelCard | None:
        try:
            return self.registry.champion(slot, as_of=day)
        except ModelNotFoundError:
            return None

    def _alert(self, report: DayReport, alert: AlertIn) -> None:
        report.alerts.append(self.alerter.raise_alert(alert))

    def _forecasts(self, ticker: str, day: date) -> pd.DataFrame:
        """The loop's recorded forecasts on ``ticker`` at its horizon, as known on ``day``
        (read once per day until calls are recorded or resolved)."""
        if day not in self._reads:
            self._reads[day] = self.predictions.calls(
                as_of=day, source=SOURCE, horizon_days=self.settings.horizon, forecasts_only=True
            )
        calls = self._reads[day]
        return calls[calls["ticker"] == ticker]

    def _quality(self, ticker: str, day: date) -> TickerQuality:
        return data_quality(
            self.ctx.market,
            ticker,
            as_of=day,
            window_days=self.settings.drift_window_days,
            stale_after_days=self.settings.stale_after_days,
        )

    def _refresh_failed(
        self, report: DayReport, ticker: str, title: str, body: str, details: dict[str, Any]
    ) -> None:
        alert = AlertIn(
            as_of=report.day,
            kind="data_refresh",
            key=f"data_refresh:{ticker}",
            severity="critical",
            title=title,
            body=body,
            details=details,
        )
        self._alert(report, alert)

    # -- the jobs ------------------------------------------------------------------------
    def refresh(
        self,
        day: date,
        report: DayReport,
        *,
        load_from: MarketData | None = None,
        bar_store: BarStore | None = None,
        load_days: int = 10,
    ) -> None:
        """Load the recent bars (when ``load_from`` and ``bar_store`` are given), then check
        every ticker's data at ``day``; alerts for failures and stale data."""
        if load_from is not None and bar_store is not None:
            start = day - timedelta(days=load_days)
            for ticker in self.settings.watchlist:
                result = load_ticker(load_from, bar_store, ticker, start, day)
                report.loaded.append(result)
                if "error" in result:
                    title = f"Data refresh failed for {ticker}"
                    body = str(result["error"]).splitlines()[0]
                    self._refresh_failed(report, ticker, title, body, result)
        for ticker in self.settings.watchlist:
            quality = report.data[ticker] = self._quality(ticker, day)
            if quality.error is not None:
                title = f"No bars can be read for {ticker}"
                details = quality.model_dump(mode="json")
                self._refresh_failed(report, ticker, title, quality.error, details)
            elif quality.stale:
                self._alert(
                    report,
                    AlertIn(
                        as_of=day,
                        kind="data_stale",
                        key=f"data_stale:{ticker}:{quality.last_bar}",
                        title=f"{ticker}'s data are stale: last bar {quality.last_bar}",
                        body=f"{quality.stale_days} days since the last bar (more than "
                        f"{self.settings.stale_after_days})",
                        details=quality.model_dump(mode="json"),
                    ),
                )

    def outcomes(self, day: date, report: DayReport) -> None:
        """Resolve every recorded call due by ``day``."""
        summary = resolve_due(
            self.predictions, self.ctx.market, as_of=day, resolved_at=self.clock(day)
        )
        self._reads.clear()
        report.resolved += summary.resolved

    def _hits(
        self, ticker: str, champion: ModelCard, day: date, *, before: bool = False
    ) -> tuple[float, ...]:
        """The champion's resolved forecasts' hits in outcome order, as known on ``day``
        (``before``: without the outcomes dated ``day``, as the previous run saw them)."""
        calls = self._forecasts(ticker, day)
        mine = calls[(calls["model_id"] == champion.model_id) & calls["hit"].notna()]
        if before:
            mine = mine[mine["outcome_date"] < pd.Timestamp(day)]
        mine = mine.sort_values(["outcome_date", "as_of"], kind="stable")
        return tuple(float(h) for h in mine["hit"])

    def accuracy(self, day: date, report: DayReport) -> None:
        """Each champion's rolling hit rate; an alert when today's outcomes bring it below the
        floor (from the data, so a job run in its own process alerts once per fall too)."""
        policy = self.settings.policy
        for ticker, slot in self.slots():
            champion = self.champion(slot, day)
            if champion is None:
                continue
            rate, n = rolling_hit_rate(self._hits(ticker, champion, day), window=policy.window)
            report.hit_rates[slot] = (rate, n)
            if not self._below(rate, n):
                continue
            was, n_was = rolling_hit_rate(
                self._hits(ticker, champion, day, before=True), window=policy.window
            )
            if self._below(was, n_was):
                continue  # fell before today's outcomes: alerted then
            self._alert(
                report,
                AlertIn(
                    as_of=day,
                    kind="accuracy",
                    key=f"accuracy:{slot}:{champion.model_id}",
                    severity="critical",
                    title=f"{slot}: hit rate {rate:.1%} is below {policy.min_accuracy:.0%}",
                    body=f"model {champion.model_id}: {rate:.1%} of its last {n} resolved "
                    f"{self.settings.horizon}-day forecasts were right",
                    details={"slot": slot, "model_id": champion.model_id, "hit_rate": rate, "n": n},
                ),
            )

    def _below(self, rate: float, n: int) -> bool:
        policy = self.settings.policy
        return n >= policy.min_calls and rate < policy.min_accuracy

    def drift(self, day: date, report: DayReport, *, ctx: ToolContext | None = None) -> None:
        """Drift of each champion and of each ticker's data at ``day``, stored; an alert when a
        model drifts that had not at its previous check."""
        ctx = ctx or self.context(day)
        s = self.settings
        checks: list[NewDriftCheck] = []
        for _ticker, slot in self.slots():
            champion = self.champion(slot, day)
            if champion is None:
                continue
            try:
                result = model_drift(
                    ctx,
                    champion,
                    window_days=s.drift_window_days,
                    psi_threshold=s.psi_threshold,
                    ks_pvalue=s.ks_pvalue,
                )
            except (DataError, ModelError, ValueError) as err:
                report.drift[slot] = False
                checks.append(
                    NewDriftCheck(
                        as_of=day,
                        scope="model",
                        subject=champion.model_id,
                        drifted=False,
                        score=None,
                        summary=f"not checked: {str(err).splitlines()[0]}",
                    )
                )
                continue
            psi = [r.psi for r in result.features if r.psi is not None]
            summary = (
                f"{len(result.drifted_features)} of {len(result.features)} features drifted"
                + (
                    f" ({', '.join(result.drifted_features[:5])})"
                    if result.drifted_features
                    else ""
                )
                + ("; P(up) drifted" if result.probability.drifted else "")
            )
            report.drift[slot] = result.drifted
            report.drift_psi[slot] = max(psi) if psi else None
            previous = self.drift_checks.checks(as_of=day - timedelta(days=1), scope="model")
            previous = previous[previous["subject"] == champion.model_id]
            was = bool(previous["drifted"].iloc[-1]) if len(previous) else False
            checks.append(
                NewDriftCheck(
                    as_of=day,
                    scope="model",
                    subject=champion.model_id,
                    drifted=result.drifted,
                    score=max(psi) if psi else None,
                    summary=summary,
                    details=result.model_dump(mode="json"),
                )
            )
            if result.drifted and not was:
                self._alert(
                    report,
                    AlertIn(
                        as_of=day,
                        kind="drift",
                        key=f"drift:{champion.model_id}",
                        title=f"{slot}: model {champion.model_id} drifted",
                        body=summary,
                        details={
                            "slot": slot,
                            "model_id": champion.model_id,
                            "drifted_features": list(result.drifted_features),
                            "probability_psi": result.probability.psi,
                        },
                    ),
                )
        for ticker in s.watchlist:
            quality = report.data.get(ticker) or self._quality(ticker, day)
            bad = quality.error is not None or quality.stale or quality.quarantined > 0
            checks.append(
                NewDriftCheck(
                    as_of=day,
                    scope="data",
                    subject=ticker,
                    drifted=bad,
                    score=None,
                    summary=quality.error
                    or f"last bar {quality.last_bar}, {quality.quarantined} quarantined, "
                    f"{quality.missing_sessions} missing sessions",
                    details=quality.model_dump(mode="json"),
                )
            )
        self.drift_checks.add(checks)

    def _state(
        self,
        ticker: str,
        slot: str,
        champion: ModelCard | None,
        day: date,
        *,
        retrains: pd.DataFrame,
        checks: pd.DataFrame,
    ) -> SlotState:
        """The policy's view of ``slot`` on ``day``; ``retrains``: the retrain events and
        ``checks`` the model drift checks known on ``day`` (all slots)."""
        if champion is None:
            return SlotState(champion_as_of=None)
        events = retrains[retrains["slot"] == slot]
        last = events["as_of"].max().date() if len(events) else None
        checks = checks[checks["subject"] == champion.model_id].sort_values("as_of")
        drifted = checks["drifted"].astype(bool)
        began = drifted & ~drifted.shift(1, fill_value=False)  # drift newly found
        since = pd.Timestamp(max(last or champion.as_of, champion.as_of))
        return SlotState(
            champion_as_of=champion.as_of,
            last_retrain=last,
            hits=self._hits(ticker, champion, day),
            drifted=bool((began & (checks["as_of"] > since)).any()),
        )

    def retrain(self, day: date, report: DayReport, *, ctx: ToolContext | None = None) -> None:
        """Retrain each slot the policy says to (module doc); every decision stored."""
        ctx = ctx or self.context(day)
        s = self.settings
        retrains = self.events.events(as_of=day, kind="retrain")
        checks = self.drift_checks.checks(as_of=day, scope="model")
        for ticker, slot in self.slots():
            champion = self.champion(slot, day)
            state = self._state(ticker, slot, champion, day, retrains=retrains, checks=checks)
            trigger = retrain_trigger(s.policy, state, as_of=day)
            if trigger is None:
                continue
            try:
                result = retrain_slot(
                    ctx,
                    ticker,
                    horizon=s.horizon,
                    kind=s.kind,
                    trigger=trigger,
                    live_calls=self._forecasts(ticker, day),
                    policy=s.policy,
                    compare_days=s.compare_days,
                    record_months=s.record_months,
                    created_at=self.clock(day),
                )
            except (DataError, ModelError, ValueError, LookupError) as err:
                result = RetrainResult(
                    as_of=day,
                    slot=slot,
                    trigger=trigger,
                    challenger=None,
                    champion_id=champion.model_id if champion else None,
                    promoted=False,
                    reason=f"training failed: {str(err).splitlines()[0]}",
                )
                self._alert(
                    report,
                    AlertIn(
                        as_of=day,
                        kind="retrain",
                        key=f"retrain:{slot}",
                        title=f"{slot}: retraining failed",
                        body=result.reason,
                        details={"slot": slot, "trigger": trigger.kind},
                    ),
                )
            report.retrains.append(result)
            self.events.add(_event(result))

    def calls(self, day: date, report: DayReport, *, ctx: ToolContext | None = None) -> None:
        """The day's signals (and the champions' forecasts behind them), recorded once."""
        ctx = ctx or self.context(day)
        evidence = []
        for outcome in signals(ctx, list(self.settings.watchlist)):
            if isinstance(outcome, SignalResult):
                evidence += [outcome.evidence, *outcome.supporting]
            else:
                report.call_failures[outcome.ticker] = outcome.message
        report.recorded += record_calls(
            self.predictions, evidence, source=SOURCE, run_id=f"loop-{day.isoformat()}"
        )
        self._reads.clear()

    def run_day(self, day: date, *, drift: bool = True) -> DayReport:
        """Every job of ``day`` in order (module doc); ``drift``: whether the drift check runs."""
        report = DayReport(day=day)
        ctx = self.context(day)  # one memo: the day's feature panel is built once
        jobs: list[tuple[str, Callable[[], None]]] = [
            ("refresh", lambda: self.refresh(day, report)),
            ("outcomes", lambda: self.outcomes(day, report)),
            ("accuracy", lambda: self.accuracy(day, report)),
            ("drift", lambda: self.drift(day, report, ctx=ctx)),
            ("retrain", lambda: self.retrain(day, report, ctx=ctx)),
            ("calls", lambda: self.calls(day, report, ctx=ctx)),
        ]
        for name, job in jobs:
            if name == "drift" and not drift:
                continue
            began = perf_counter()
            job()
            report.seconds[name] = perf_counter() - began
        return report


def _event(result: RetrainResult) -> NewLoopEvent:
    details: dict[str, Any] = {"trigger_reason": result.trigger.reason}
    if result.challenger is not None:
        record = result.challenger.record
        details |= {
            "verdict": record.verdict,
            "walk_forward_accuracy": record.overall.accuracy,
            "walk_forward_baseline": record.overall.baseline_accuracy,
            "folds": len(record.folds),
        }
    for name, scores in (
        ("champion_scores", result.champion_scores),
        ("challenger_scores", result.challenger_scores),
    ):
        if scores is not None:
            details[name] = scores.model_dump(mode="json")
    return NewLoopEvent(
        as_of=result.as_of,
        kind="retrain",
        slot=result.slot,
        trigger=result.trigger.kind,
        outcome=result.outcome,
        model_id=result.challenger.model_id if result.challenger else None,
        champion_id=result.champion_id,
        reason=result.reason,
        details=details,
    )


def loop_settings(settings: Settings, watchlist: Sequence[str], *, horizon: int) -> LoopSettings:
    """``LoopSettings`` from ``core.settings.Settings``."""
    return LoopSettings(
        watchlist=tuple(watchlist),
        horizon=horizon,
        policy=RetrainPolicy(
            every_days=settings.retrain_every_days,
            min_accuracy=settings.retrain_min_accuracy,
            min_calls=settings.retrain_min_calls,
            window=settings.retrain_accuracy_window,
            on_drift=settings.retrain_on_drift,
            cooldown_days=settings.retrain_cooldown_days,
        ),
        compare_days=settings.retrain_compare_days,
        drift_window_days=settings.drift_window_days,
        psi_threshold=settings.drift_psi_threshold,
        ks_pvalue=settings.drift_ks_pvalue,
        stale_after_days=settings.stale_after_days,
    )
