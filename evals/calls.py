"""Record a suite's own calls in the track record before it runs (``Suite.calls``), so that
questions about SignalDesk's own calls ("how have your calls on IBM done?") are graded on a
known record in the run's fresh database."""

from __future__ import annotations

import pandas as pd

from core.settings import Settings
from data.store import NewCall, PredictionStore, make_engine
from evals.suite import Suite, SuiteCalls

__all__ = ["record_suite_calls", "suite_calls"]

_FREQ = {"day": "B", "week": "W-FRI", "month": "BME"}
_HORIZONS = (1, 5, 20)  # tools.track.CALL_HORIZONS
_CHUNK = 200  # rows per insert (SQLite caps the parameters of one statement)


def suite_calls(spec: SuiteCalls) -> list[NewCall]:
    """The calls ``spec`` describes, oldest first."""
    days = pd.date_range(spec.start, spec.end, freq=_FREQ[spec.every])
    return [
        NewCall(
            source=spec.source,
            ticker=spec.ticker,
            as_of=day.date(),
            horizon_days=h,
            action=spec.actions[i % len(spec.actions)],
            score=0.5,
            config_hash="eval-suite",
        )
        for i, day in enumerate(days)
        for h in _HORIZONS
    ]


def record_suite_calls(suite: Suite, *, settings: Settings) -> int:
    """Record every call of ``suite`` in ``settings``' database (migrated); how many were new."""
    if not suite.calls:
        return 0
    from data.store import upgrade

    engine = make_engine(settings.sqlalchemy_url)
    try:
        upgrade(engine)
        store = PredictionStore(engine)
        calls = [c for spec in suite.calls for c in suite_calls(spec)]
        return sum(store.record(calls[i : i + _CHUNK]) for i in range(0, len(calls), _CHUNK))
    finally:
        engine.dispose()
