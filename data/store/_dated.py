"""Rows of a table dated by an ``as_of`` column, read point in time: what the loop's stores
(drift checks, loop events, alerts) share."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine


def dated_rows(
    engine: Engine,
    table: sa.Table,
    columns: Sequence[str],
    *,
    as_of: date,
    since: date | None = None,
    order_by: Sequence[str] = ("as_of", "id"),
    **equal: str | None,
) -> pd.DataFrame:
    """``columns`` of the rows dated in [since, as_of] whose columns ``equal`` their given
    values (a None value: no filter), ordered by ``order_by``; ``as_of`` as datetime64."""
    c = table.c
    query = sa.select(*(c[name] for name in columns)).where(c.as_of <= as_of)
    if since is not None:
        query = query.where(c.as_of >= since)
    for name, value in equal.items():
        if value is not None:
            query = query.where(c[name] == value)
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(*(c[name] for name in order_by))).all()
    frame = pd.DataFrame(rows, columns=list(columns))
    frame["as_of"] = pd.to_datetime(frame["as_of"])
    return frame
