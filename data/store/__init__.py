"""The SignalDesk database: schema, engines, migrations and the bar store.

Usage::

    engine = make_engine("sqlite:///data/signaldesk.db")   # or postgresql://...
    upgrade(engine)                                          # create/migrate the schema
    store = BarStore(engine)
    store.upsert_bars(ticker="AAPL", source="yahoo", raw=frame)
    bars = store.read_bars(ticker="AAPL", source="yahoo", start=None, end=date(2024, 12, 31))

The package receives URLs explicitly; it never reads settings.
"""

from typing import TYPE_CHECKING, Any

from data.store._result import UpsertResult
from data.store._types import JSONType, UTCDateTime, utc_now
from data.store.alerts import AlertStore
from data.store.bars import BarStore, TickerSummary
from data.store.engine import make_engine, normalize_url, ping
from data.store.errors import (
    InvalidBarsError,
    StoreError,
    StoreUnavailableError,
    TimescaleUnavailableError,
    UnsupportedDatabaseError,
)
from data.store.loop import DriftCheckStore, LoopEventStore, NewDriftCheck, NewLoopEvent
from data.store.models import (
    Alert,
    ApiJob,
    ApiKey,
    Backtest,
    BacktestTrade,
    Briefing,
    DailyBar,
    Document,
    DriftCheck,
    EvalRun,
    Instrument,
    LoopEvent,
    Prediction,
    QuarantinedBar,
    Signal,
    bar_values_hash,
    metadata,
)
from data.store.predictions import NewCall, Outcome, PendingCall, PredictionStore

__all__ = [
    "Alert",
    "AlertStore",
    "ApiJob",
    "ApiKey",
    "bar_values_hash",
    "Backtest",
    "BacktestTrade",
    "BarStore",
    "Briefing",
    "DailyBar",
    "Document",
    "DriftCheck",
    "DriftCheckStore",
    "EvalRun",
    "Instrument",
    "InvalidBarsError",
    "LoopEvent",
    "LoopEventStore",
    "JSONType",
    "NewCall",
    "NewDriftCheck",
    "NewLoopEvent",
    "Outcome",
    "PendingCall",
    "Prediction",
    "PredictionStore",
    "QuarantinedBar",
    "Signal",
    "StoreError",
    "StoreUnavailableError",
    "TickerSummary",
    "TimescaleUnavailableError",
    "UTCDateTime",
    "UnsupportedDatabaseError",
    "UpsertResult",
    "current_revision",
    "make_engine",
    "metadata",
    "normalize_url",
    "ping",
    "schema_diff",
    "upgrade",
    "utc_now",
]


if TYPE_CHECKING:
    from data.store.migrate import current_revision, schema_diff, upgrade

_MIGRATE = ("current_revision", "schema_diff", "upgrade")


def __getattr__(name: str) -> Any:  # noqa: ANN401
    """The migration functions load Alembic on first use only: a command that only reads or
    writes rows (``signal`` recording its call) starts without it."""
    if name in _MIGRATE:
        from data.store import migrate

        return getattr(migrate, name)
    raise AttributeError(f"module 'data.store' has no attribute {name!r}")
