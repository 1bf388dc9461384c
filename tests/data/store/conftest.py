"""Fixtures for the store tests: a migrated database on SQLite (always) and PostgreSQL (marked).

PostgreSQL tests run in a schema created for this test session (``sd_test_<random>``, reached
through ``search_path``) and dropped at the end; they skip when the server does not answer.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator

import numpy as np
import pandas as pd
import pytest
from sqlalchemy.engine import Engine

from data.bars import to_raw_frame
from data.store import StoreUnavailableError, make_engine, metadata, upgrade

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _schema_url(schema: str) -> str:
    return f"{PG_URL}?options=-csearch_path%3D{schema}"


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[Engine]:
    """An engine on the PostgreSQL test database; skips when the server does not answer."""
    try:
        engine = make_engine(PG_URL, connect_timeout=2)
    except StoreUnavailableError as err:
        pytest.skip(f"PostgreSQL not available at 127.0.0.1:5432: {err}")
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def pg_schema(pg_admin: Engine) -> Iterator[Callable[[], str]]:
    """A factory of fresh schemas (URLs whose search_path is that schema), dropped at the end."""
    created: list[str] = []

    def new_schema() -> str:
        schema = f"sd_test_{secrets.token_hex(4)}"
        with pg_admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        created.append(schema)
        return _schema_url(schema)

    yield new_schema
    with pg_admin.begin() as conn:
        for schema in created:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(scope="session")
def pg_url(pg_schema: Callable[[], str]) -> str:
    """The session's migrated PostgreSQL schema."""
    url = pg_schema()
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


def _truncate(engine: Engine) -> None:
    tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path) -> Iterator[Engine]:
    """A migrated, empty database: a SQLite file under tmp_path, or the PostgreSQL schema."""
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path / 'db' / 'store.db'}")
        upgrade(eng)
    else:
        eng = make_engine(request.getfixturevalue("pg_url"))
        _truncate(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def make_bars() -> Callable[..., pd.DataFrame]:
    """Builds valid raw bars: ``make_bars(n, start="2024-01-02", seed=0, adj=True)``."""

    def build(n: int, *, start: str = "2024-01-02", seed: int = 0, adj: bool = True):
        rng = np.random.default_rng(seed)
        close = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, n)))
        open_ = close * (1 + rng.normal(0, 0.003, n))
        frame = pd.DataFrame(
            {
                "open": open_,
                "high": np.maximum(open_, close) * 1.01,
                "low": np.minimum(open_, close) * 0.99,
                "close": close,
                "volume": rng.integers(1_000, 1_000_000, n).astype(float),
            },
            index=pd.DatetimeIndex(pd.bdate_range(start, periods=n).to_numpy(), name="date"),
        )
        if adj:
            frame["adj_close"] = close * 0.9
        return to_raw_frame(frame)

    return build
