"""Test helpers: a learning loop on the bundled data (or a provider the test gives), in a
temporary database and model registry, alerts stored without channels."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from data.providers.base import Provider
from data.service import MarketData
from data.store import (
    DriftCheckStore,
    LoopEventStore,
    PredictionStore,
    make_engine,
    upgrade,
)
from loop.alerts import Alerter
from loop.jobs import Loop, LoopSettings
from quant.track.policy import RetrainPolicy
from tools.context import ToolContext


def make_loop(
    tmp: Path,
    provider: Provider,
    watchlist: Sequence[str],
    *,
    policy: RetrainPolicy,
    **settings: object,
) -> Loop:
    engine = make_engine(f"sqlite:///{tmp / 'loop.db'}")
    upgrade(engine)
    market = MarketData([provider]).remembering()
    ctx = ToolContext(as_of=date(2000, 1, 3), market=market, models_dir=tmp / "models")
    options = {"record_months": 36, "drift_window_days": 40} | settings
    return Loop(
        ctx=ctx,
        settings=dataclasses.replace(
            LoopSettings(watchlist=tuple(watchlist), policy=policy), **options
        ),
        predictions=PredictionStore(engine),
        drift_checks=DriftCheckStore(engine),
        events=LoopEventStore(engine),
        alerter=Alerter(engine, store_only=True),
    )
