"""Initial schema: instruments, bars, quarantine, signals, predictions, backtests, briefings,
documents, eval runs.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TS = sa.DateTime(timezone=True)


def _ohlcv(nullable: bool) -> list[sa.Column]:
    names = ("open", "high", "low", "close", "volume")
    cols: list[sa.Column[float]] = [sa.Column(n, sa.Double(), nullable=nullable) for n in names]
    return [*cols, sa.Column("adj_close", sa.Double(), nullable=True)]


def _market_tables() -> None:
    op.create_table(
        "instruments",
        sa.Column("ticker", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=True),
        sa.Column("asset_class", sa.String(), nullable=False),
        sa.Column("exchange", sa.String(), nullable=True),
        sa.Column("currency", sa.String(), nullable=True),
        sa.Column("first_date", sa.Date(), nullable=True),
        sa.Column("last_date", sa.Date(), nullable=True),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("ticker", name="pk_instruments"),
        sa.CheckConstraint("asset_class IN ('equity', 'index')", name="ck_instruments_asset_class"),
    )
    op.create_table(
        "daily_bars",
        sa.Column("ticker", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        *_ohlcv(nullable=False),
        sa.Column("loaded_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("ticker", "source", "date", name="pk_daily_bars"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "quarantined_bars",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("ticker", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        *_ohlcv(nullable=True),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("values_hash", sa.String(), nullable=False),
        sa.Column("quarantined_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_quarantined_bars"),
        sa.ForeignKeyConstraint(
            ["ticker"],
            ["instruments.ticker"],
            ondelete="CASCADE",
            name="fk_quarantined_bars_ticker_instruments",
        ),
        sa.UniqueConstraint(
            "ticker",
            "source",
            "date",
            "reason",
            "values_hash",
            name="uq_quarantined_bars_ticker_source_date_reason_values_hash",
        ),
    )


def _signal_tables() -> None:
    op.create_table(
        "signals",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("ticker", sa.String(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("score", sa.Double(), nullable=False),
        sa.Column("confidence", sa.Double(), nullable=False),
        sa.Column("position_size", sa.Double(), nullable=False),
        sa.Column("components", JSON, nullable=False),
        sa.Column("config_hash", sa.String(), nullable=False),
        sa.Column("run_id", sa.String(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_signals"),
        sa.UniqueConstraint(
            "ticker", "as_of", "config_hash", name="uq_signals_ticker_as_of_config_hash"
        ),
    )
    op.create_index("ix_signals_run_id", "signals", ["run_id"])
    op.create_table(
        "predictions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("model_id", sa.String(), nullable=False),
        sa.Column("ticker", sa.String(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("horizon_days", sa.Integer(), nullable=False),
        sa.Column("prob_up", sa.Double(), nullable=False),
        sa.Column("predicted_label", sa.Integer(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("outcome_return", sa.Double(), nullable=True),
        sa.Column("outcome_label", sa.Integer(), nullable=True),
        sa.Column("outcome_filled_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_predictions"),
        sa.UniqueConstraint(
            "model_id",
            "ticker",
            "as_of",
            "horizon_days",
            name="uq_predictions_model_id_ticker_as_of_horizon_days",
        ),
        sa.CheckConstraint("prob_up >= 0 AND prob_up <= 1", name="ck_predictions_prob_up"),
    )
    op.create_index("ix_predictions_ticker_as_of", "predictions", ["ticker", "as_of"])


def _backtest_tables() -> None:
    op.create_table(
        "backtests",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("ticker", sa.String(), nullable=False),
        sa.Column("strategy", sa.String(), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.Column("params", JSON, nullable=False),
        sa.Column("metrics", JSON, nullable=False),
        sa.Column("walk_forward", sa.Boolean(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_backtests"),
    )
    op.create_index("ix_backtests_ticker_strategy", "backtests", ["ticker", "strategy"])
    op.create_table(
        "backtest_trades",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("backtest_id", sa.Integer(), nullable=False),
        sa.Column("entry_date", sa.Date(), nullable=False),
        sa.Column("exit_date", sa.Date(), nullable=True),
        sa.Column("side", sa.String(), nullable=False),
        sa.Column("entry_price", sa.Double(), nullable=False),
        sa.Column("exit_price", sa.Double(), nullable=True),
        sa.Column("weight", sa.Double(), nullable=False),
        sa.Column("pnl", sa.Double(), nullable=True),
        sa.Column("return_pct", sa.Double(), nullable=True),
        sa.Column("costs", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_backtest_trades"),
        sa.ForeignKeyConstraint(
            ["backtest_id"],
            ["backtests.id"],
            ondelete="CASCADE",
            name="fk_backtest_trades_backtest_id_backtests",
        ),
    )
    op.create_index("ix_backtest_trades_backtest_id", "backtest_trades", ["backtest_id"])


def _report_tables() -> None:
    op.create_table(
        "briefings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("watchlist_key", sa.String(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("report_dir", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_briefings"),
        sa.UniqueConstraint("watchlist_key", "as_of", name="uq_briefings_watchlist_key_as_of"),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("ticker", sa.String(), nullable=True),
        sa.Column("form", sa.String(), nullable=True),
        sa.Column("title", sa.String(), nullable=True),
        sa.Column("fiscal_period", sa.String(), nullable=True),
        sa.Column("filing_date", sa.Date(), nullable=True),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("content_hash", sa.String(), nullable=False),
        sa.Column("n_chunks", sa.Integer(), nullable=False),
        sa.Column("ingested_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_documents"),
        sa.UniqueConstraint("content_hash", name="uq_documents_content_hash"),
    )
    op.create_index("ix_documents_ticker_filing_date", "documents", ["ticker", "filing_date"])
    op.create_table(
        "eval_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("suite", sa.String(), nullable=False),
        sa.Column("model", sa.String(), nullable=False),
        sa.Column("code_version", sa.String(), nullable=False),
        sa.Column("settings", JSON, nullable=False),
        sa.Column("metrics", JSON, nullable=False),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("finished_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_eval_runs"),
    )
    op.create_index("ix_eval_runs_suite_started_at", "eval_runs", ["suite", "started_at"])


def upgrade() -> None:
    _market_tables()
    _signal_tables()
    _backtest_tables()
    _report_tables()


def downgrade() -> None:
    for index, table in (
        ("ix_eval_runs_suite_started_at", "eval_runs"),
        ("ix_documents_ticker_filing_date", "documents"),
        ("ix_backtest_trades_backtest_id", "backtest_trades"),
        ("ix_backtests_ticker_strategy", "backtests"),
        ("ix_predictions_ticker_as_of", "predictions"),
        ("ix_signals_run_id", "signals"),
    ):
        op.drop_index(index, table_name=table)
    for table in (
        "eval_runs",
        "documents",
        "briefings",
        "backtest_trades",
        "backtests",
        "predictions",
        "signals",
        "quarantined_bars",
        "daily_bars",
        "instruments",
    ):
        op.drop_table(table)
