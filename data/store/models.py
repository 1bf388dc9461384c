"""The SignalDesk database schema as SQLModel tables.

All tables hang off ``metadata`` (not the global ``SQLModel.metadata``), so that the store's
migrations compare against exactly these tables. Timestamps are timezone-aware UTC
(``UTCDateTime``); JSON columns are JSON on SQLite and JSONB on PostgreSQL. Changing a table
here means writing a migration in ``migrations/versions`` (the schema test fails until then).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Mapping
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from data.store._types import JSONType, UTCDateTime, utc_now

__all__ = [
    "Alert",
    "ApiJob",
    "ApiKey",
    "Backtest",
    "BacktestTrade",
    "Briefing",
    "DailyBar",
    "Document",
    "DriftCheck",
    "EvalRun",
    "Instrument",
    "LoopEvent",
    "Prediction",
    "QuarantinedBar",
    "Signal",
    "bar_values_hash",
    "default_asset_class",
    "metadata",
]

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class _Table(SQLModel):
    metadata: ClassVar[sa.MetaData] = metadata
    __table__: ClassVar[sa.Table]  # set by SQLAlchemy on each table=True model


def default_asset_class(ticker: str) -> str:
    """The asset class given to a new instrument: ``index`` for ``^GSPC``-like symbols."""
    return "index" if ticker.startswith("^") else "equity"


_BAR_VALUES = ("open", "high", "low", "close", "volume", "adj_close")


def bar_values_hash(row: Mapping[str, Any]) -> str:
    """A short, stable hex digest of a bar's received values, for telling apart copies of a day.

    row: ``open high low close volume adj_close`` (a missing key, None and NaN all mean "no
    value"). Each value is written with 12 significant digits (enough for any price and for
    split-adjusted volumes in the tens of billions, while a parser's last-bit noise rounds
    away), ``-0.0`` as ``0``, so the same values give the same digest in every process.
    """
    canonical: list[str | None] = []
    for name in _BAR_VALUES:
        value = row.get(name)
        if value is None or math.isnan(value):
            canonical.append(None)
        else:
            canonical.append(f"{float(value) + 0.0:.12g}")
    payload = json.dumps(canonical, separators=(",", ":")).encode()
    return hashlib.sha256(payload).hexdigest()[:16]


def _values_hash_default(context: Any) -> str:
    return bar_values_hash(context.get_current_parameters())


def _utc(*, nullable: bool = False) -> Any:
    if nullable:
        return Field(default=None, sa_type=UTCDateTime, nullable=True)
    return Field(default_factory=utc_now, sa_type=UTCDateTime, nullable=False)


def _json() -> Any:
    return Field(default_factory=dict, sa_type=JSONType, nullable=False)


def _price(*, nullable: bool = False) -> Any:
    return Field(default=None, sa_type=sa.Double, nullable=nullable)


class Instrument(_Table, table=True):
    """A ticker the database holds bars for; first/last date span all its sources."""

    __tablename__ = "instruments"
    __table_args__ = (sa.CheckConstraint("asset_class IN ('equity', 'index')", name="asset_class"),)

    ticker: str = Field(primary_key=True)
    name: str | None = None
    asset_class: str = "equity"
    exchange: str | None = None
    currency: str | None = None
    first_date: dt.date | None = None
    last_date: dt.date | None = None
    updated_at: dt.datetime = _utc()


class DailyBar(_Table, table=True):
    """One raw daily bar as traded, per (ticker, source), with the source's adjusted close.

    The primary key (ticker, source, date) is also the index for "one ticker's bars from one
    source between two dates" (equality on the first two columns, a range on the third); on
    SQLite the table is ``WITHOUT ROWID``, so the rows themselves are stored in that order.
    A second index on (ticker, date) would only serve reads across sources, which the store
    does not do, and would slow every load.

    ``ticker`` deliberately has no foreign key to ``instruments``: on PostgreSQL the
    per-row referential check more than doubles a bulk load (1M rows: 1.9 s without, 5.5 s
    with). The only writer, ``BarStore``, creates the instrument in the same transaction.
    """

    __tablename__ = "daily_bars"
    __table_args__ = ({"sqlite_with_rowid": False},)

    ticker: str = Field(primary_key=True)
    source: str = Field(primary_key=True)
    date: dt.date = Field(primary_key=True)
    open: float = _price()
    high: float = _price()
    low: float = _price()
    close: float = _price()
    volume: float = _price()
    adj_close: float | None = _price(nullable=True)
    loaded_at: dt.datetime = _utc()


class QuarantinedBar(_Table, table=True):
    """A bar that failed quality checks, with its values as received and the broken rules.

    Copies of one day with different values are different rows: the key includes
    ``values_hash`` (``bar_values_hash`` of the row's values, filled in on insert when not
    given), so only exact copies collapse and quarantining the same rows again adds nothing.
    """

    __tablename__ = "quarantined_bars"
    __table_args__ = (sa.UniqueConstraint("ticker", "source", "date", "reason", "values_hash"),)

    id: int | None = Field(default=None, primary_key=True)
    ticker: str = Field(foreign_key="instruments.ticker", ondelete="CASCADE")
    source: str
    date: dt.date
    open: float | None = _price(nullable=True)
    high: float | None = _price(nullable=True)
    low: float | None = _price(nullable=True)
    close: float | None = _price(nullable=True)
    volume: float | None = _price(nullable=True)
    adj_close: float | None = _price(nullable=True)
    reason: str
    values_hash: str | None = Field(
        default=None, nullable=False, sa_column_kwargs={"default": _values_hash_default}
    )
    quarantined_at: dt.datetime = _utc()


class Signal(_Table, table=True):
    """A computed signal for a ticker at an as-of date under one configuration."""

    __tablename__ = "signals"
    __table_args__ = (sa.UniqueConstraint("ticker", "as_of", "config_hash"),)

    id: int | None = Field(default=None, primary_key=True)
    ticker: str
    as_of: dt.date
    action: str
    score: float = Field(sa_type=sa.Double)
    confidence: float = Field(sa_type=sa.Double)
    position_size: float = Field(sa_type=sa.Double)
    components: dict[str, Any] = _json()
    config_hash: str
    run_id: str | None = Field(default=None, index=True)
    created_at: dt.datetime = _utc()


_NO_MODEL = sa.text("model_id IS NULL")
_A_MODEL = sa.text("model_id IS NOT NULL")


class Prediction(_Table, table=True):
    """A call the product made, written once, and what happened over its horizon.

    A call is a ticker's ``action`` at ``as_of`` read over ``horizon_days`` trading bars: the
    confluence signal (``score`` in [0, 1], no stated probability) or a model forecast
    (``prob_up``: the model's probability of a rise, ``model_id``). ``source`` names the entry
    point that made it (briefing, replay, signal, ask, chat, api...). A call is stored once per
    (source, ticker, as_of, horizon_days) and what made it: the signal configuration
    (``config_hash``) for a call without a model, the model (``model_id``) for a forecast, whose
    ``config_hash`` is informative only (None when unknown). Two partial unique indexes say so:
    a NULL would never collide in a plain unique constraint.

    The outcome columns are empty until the resolver finds the bar ``horizon_days`` after the
    entry bar (the last bar on or before ``as_of``), then filled once and never rewritten:
    ``outcome_return`` (close to close), ``hit`` (NULL for a call without a direction),
    ``trailing_return_20`` (the 20-bar return up to the entry bar: the momentum baseline's
    input, read from the same data) and ``resolved_at``.
    """

    __tablename__ = "predictions"
    __table_args__ = (
        sa.CheckConstraint("prob_up >= 0 AND prob_up <= 1", name="prob_up"),
        sa.CheckConstraint("horizon_days >= 1", name="horizon_days"),
        sa.CheckConstraint("config_hash IS NOT NULL OR model_id IS NOT NULL", name="maker"),
        sa.Index(
            "uq_predictions_call",
            "source",
            "ticker",
            "as_of",
            "horizon_days",
            "config_hash",
            unique=True,
            sqlite_where=_NO_MODEL,
            postgresql_where=_NO_MODEL,
        ),
        sa.Index(
            "uq_predictions_model_call",
            "source",
            "ticker",
            "as_of",
            "horizon_days",
            "model_id",
            unique=True,
            sqlite_where=_A_MODEL,
            postgresql_where=_A_MODEL,
        ),
        sa.Index(None, "ticker", "as_of"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source: str
    ticker: str
    as_of: dt.date
    horizon_days: int
    action: str
    score: float | None = _price(nullable=True)
    prob_up: float | None = _price(nullable=True)
    config_hash: str | None = None
    model_id: str | None = None
    run_id: str | None = None
    created_at: dt.datetime = _utc()
    entry_date: dt.date | None = None
    outcome_date: dt.date | None = None
    outcome_return: float | None = _price(nullable=True)
    trailing_return_20: float | None = _price(nullable=True)
    hit: bool | None = None
    resolved_at: dt.datetime | None = _utc(nullable=True)


class Backtest(_Table, table=True):
    """One backtest run: what was tested, with which parameters, and how it did."""

    __tablename__ = "backtests"
    __table_args__ = (sa.Index(None, "ticker", "strategy"),)

    id: int | None = Field(default=None, primary_key=True)
    ticker: str
    strategy: str
    start: dt.date
    end: dt.date
    params: dict[str, Any] = _json()
    metrics: dict[str, Any] = _json()
    walk_forward: bool = False
    created_at: dt.datetime = _utc()


class BacktestTrade(_Table, table=True):
    """One trade of a backtest; deleted with its backtest."""

    __tablename__ = "backtest_trades"

    id: int | None = Field(default=None, primary_key=True)
    backtest_id: int = Field(foreign_key="backtests.id", ondelete="CASCADE", index=True)
    entry_date: dt.date
    exit_date: dt.date | None = None
    side: str
    entry_price: float = Field(sa_type=sa.Double)
    exit_price: float | None = _price(nullable=True)
    weight: float = Field(sa_type=sa.Double)
    pnl: float | None = _price(nullable=True)
    return_pct: float | None = _price(nullable=True)
    costs: float = Field(default=0.0, sa_type=sa.Double)


class Briefing(_Table, table=True):
    """A daily briefing for a watchlist; one per (watchlist, as-of): re-running replaces it."""

    __tablename__ = "briefings"
    __table_args__ = (sa.UniqueConstraint("watchlist_key", "as_of"),)

    id: int | None = Field(default=None, primary_key=True)
    watchlist_key: str
    as_of: dt.date
    created_at: dt.datetime = _utc()
    payload: dict[str, Any] = _json()
    report_dir: str | None = None


class Document(_Table, table=True):
    """Metadata of an ingested document (its chunks live in the vector store)."""

    __tablename__ = "documents"
    __table_args__ = (sa.Index(None, "ticker", "filing_date"),)

    id: str = Field(primary_key=True)
    ticker: str | None = None
    form: str | None = None
    title: str | None = None
    fiscal_period: str | None = None
    filing_date: dt.date | None = None
    source: str
    content_hash: str = Field(unique=True)
    n_chunks: int = 0
    ingested_at: dt.datetime = _utc()


class EvalRun(_Table, table=True):
    """One run of an eval suite: against which model and code, with what results."""

    __tablename__ = "eval_runs"
    __table_args__ = (sa.Index(None, "suite", "started_at"),)

    id: int | None = Field(default=None, primary_key=True)
    suite: str
    model: str
    code_version: str
    settings: dict[str, Any] = _json()
    metrics: dict[str, Any] = _json()
    started_at: dt.datetime = _utc()
    finished_at: dt.datetime | None = _utc(nullable=True)


class ApiKey(_Table, table=True):
    """A key of the serving API (``signaldesk serve keys``): only a hash of its secret is kept.

    The key a client holds is ``sdk_{id}_{secret}``; ``secret_hash`` is the SHA-256 of the
    secret (32 random bytes: a fast hash is enough, nothing can be guessed by trying)."""

    __tablename__ = "api_keys"

    id: str = Field(primary_key=True)
    name: str
    secret_hash: str
    scopes: list[str] = Field(default_factory=list, sa_type=JSONType, nullable=False)
    rate_per_minute: float | None = Field(default=None, sa_type=sa.Double, nullable=True)
    created_at: dt.datetime = _utc()
    expires_at: dt.datetime | None = _utc(nullable=True)
    revoked_at: dt.datetime | None = _utc(nullable=True)


class ApiJob(_Table, table=True):
    """A long request of the serving API (a briefing run): its state and progress, readable
    from any worker or replica (``GET /v1/jobs/{id}``)."""

    __tablename__ = "api_jobs"

    id: str = Field(primary_key=True)
    kind: str
    key_id: str  # the API key that started it: only that key reads it
    state: str  # queued | running | done | failed
    done: int = 0
    total: int = 0
    result: dict[str, Any] = _json()
    error: str | None = None
    created_at: dt.datetime = _utc()
    updated_at: dt.datetime = _utc()


class DriftCheck(_Table, table=True):
    """One drift check at an as-of date (``signaldesk jobs run drift``, the simulation): of a
    model (``scope`` "model": its features and P(up), recent window vs training window) or of a
    ticker's data (``scope`` "data": staleness, gaps, quarantines). ``subject`` is the model id
    or the ticker; ``score`` the largest PSI (a model) or None; ``details`` the full result.
    Stored once per (as_of, scope, subject): a re-run of the same day keeps the first."""

    __tablename__ = "drift_checks"
    __table_args__ = (
        sa.UniqueConstraint("as_of", "scope", "subject"),
        sa.CheckConstraint("scope IN ('model', 'data')", name="scope"),
    )

    id: int | None = Field(default=None, primary_key=True)
    as_of: dt.date = Field(index=True)
    scope: str
    subject: str
    drifted: bool
    score: float | None = _price(nullable=True)
    summary: str
    details: dict[str, Any] = _json()
    created_at: dt.datetime = _utc()


class LoopEvent(_Table, table=True):
    """A decision of the learning loop at an as-of date: a retrain (``trigger`` schedule,
    accuracy, drift or manual; ``outcome`` promoted or kept, with the reason), a manual promotion
    or a rollback. ``slot`` names the models that replace one another (tickers and horizon);
    ``model_id`` the challenger (or the model promoted), ``champion_id`` the champion before."""

    __tablename__ = "loop_events"

    id: int | None = Field(default=None, primary_key=True)
    as_of: dt.date = Field(index=True)
    kind: str  # retrain | promote | rollback
    slot: str
    trigger: str | None = None
    outcome: str  # promoted | kept | failed | rolled_back
    model_id: str | None = None
    champion_id: str | None = None
    reason: str
    details: dict[str, Any] = _json()
    created_at: dt.datetime = _utc()


class Alert(_Table, table=True):
    """An alert raised by the loop (accuracy below the floor, drift, a failed or stale data
    refresh, a failed briefing), stored whether or not it was sent. ``key`` de-duplicates: an
    alert whose key was sent within the de-duplication window is stored as ``suppressed``.
    ``deliveries``: per channel (webhook, email) "sent", "failed: why" or "skipped"."""

    __tablename__ = "alerts"

    id: int | None = Field(default=None, primary_key=True)
    as_of: dt.date = Field(index=True)
    kind: str
    key: str = Field(index=True)
    severity: str  # warning | critical
    title: str
    body: str
    details: dict[str, Any] = _json()
    status: str  # sent | failed | suppressed | unsent
    deliveries: dict[str, Any] = _json()
    created_at: dt.datetime = _utc()
