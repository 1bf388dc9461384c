"""Prediction tracking: ``predictions`` holds every call the product makes, with its outcome.

The table of 0001 (one model's probability per row, never written by any code path) is
replaced: a call now has its source, action, score, optional stated probability and model,
its signal configuration (the key of a signal's call) or its model (the key of a forecast), and
outcome columns filled once by the resolver. The upgrade refuses
to drop a table that holds rows (nothing writes it before this revision; a row means someone
filled it by hand, and it is theirs to move).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-14
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)
_KEY = ("source", "ticker", "as_of", "horizon_days")
_NO_MODEL = sa.text("model_id IS NULL")
_A_MODEL = sa.text("model_id IS NOT NULL")


def _refuse_rows() -> None:
    rows = op.get_bind().exec_driver_sql("SELECT count(*) FROM predictions").scalar()
    if rows:
        raise RuntimeError(
            f"predictions holds {rows} row(s) written outside SignalDesk; revision 0003 "
            "replaces that table: export or delete them, then migrate again"
        )


def upgrade() -> None:
    _refuse_rows()
    op.drop_index("ix_predictions_ticker_as_of", table_name="predictions")
    op.drop_table("predictions")
    op.create_table(
        "predictions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("ticker", sa.String(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("horizon_days", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("score", sa.Double(), nullable=True),
        sa.Column("prob_up", sa.Double(), nullable=True),
        sa.Column("config_hash", sa.String(), nullable=True),
        sa.Column("model_id", sa.String(), nullable=True),
        sa.Column("run_id", sa.String(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("entry_date", sa.Date(), nullable=True),
        sa.Column("outcome_date", sa.Date(), nullable=True),
        sa.Column("outcome_return", sa.Double(), nullable=True),
        sa.Column("trailing_return_20", sa.Double(), nullable=True),
        sa.Column("hit", sa.Boolean(), nullable=True),
        sa.Column("resolved_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_predictions"),
        sa.CheckConstraint("prob_up >= 0 AND prob_up <= 1", name="ck_predictions_prob_up"),
        sa.CheckConstraint("horizon_days >= 1", name="ck_predictions_horizon_days"),
        sa.CheckConstraint(
            "config_hash IS NOT NULL OR model_id IS NOT NULL", name="ck_predictions_maker"
        ),
    )
    op.create_index(
        "uq_predictions_call",
        "predictions",
        [*_KEY, "config_hash"],
        unique=True,
        sqlite_where=_NO_MODEL,
        postgresql_where=_NO_MODEL,
    )
    op.create_index(
        "uq_predictions_model_call",
        "predictions",
        [*_KEY, "model_id"],
        unique=True,
        sqlite_where=_A_MODEL,
        postgresql_where=_A_MODEL,
    )
    op.create_index("ix_predictions_ticker_as_of", "predictions", ["ticker", "as_of"])


def downgrade() -> None:
    """Back to the 0001 table (its rows are dropped: that table cannot hold a call's shape)."""
    op.drop_table("predictions")
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
