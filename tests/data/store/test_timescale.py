"""TimescaleDB for the bars: the SQL ``make_hypertable`` issues (a scripted connection), the
key the hypertable needs, and, on the test PostgreSQL, what happens without the extension (the
test server has none: Debian's registry has no TimescaleDB package) or, where a server has it,
a real hypertable."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from data.store import (
    BarStore,
    DailyBar,
    TimescaleUnavailableError,
    current_revision,
    make_engine,
    schema_diff,
    upgrade,
)
from data.store import timescale as ts


class _Answer:
    def __init__(self, value: object) -> None:
        self.value = value

    def scalar(self) -> object:
        return self.value


class ScriptedConnection:
    """Records the statements; answers the two questions ``make_hypertable`` asks."""

    def __init__(self, *, available: bool, compressed: bool, refuse: str | None = None) -> None:
        self.available, self.compressed, self.refuse = available, compressed, refuse
        self.statements: list[str] = []

    def exec_driver_sql(self, statement: str) -> _Answer:
        self.statements.append(statement)
        if statement == ts.CREATE_EXTENSION and self.refuse:
            raise sa.exc.OperationalError(statement, {}, Exception(self.refuse))
        if statement == ts.AVAILABLE:
            return _Answer(1 if self.available else 0)
        if statement == ts.COMPRESSION_ENABLED:
            return _Answer(self.compressed)
        return _Answer(None)


def test_a_first_run_makes_the_extension_the_hypertable_compression_and_its_policy():
    conn = ScriptedConnection(available=True, compressed=False)
    ts.make_hypertable(conn)
    assert conn.statements == [
        "SELECT count(*) FROM pg_available_extensions WHERE name = 'timescaledb'",
        "CREATE EXTENSION IF NOT EXISTS timescaledb",
        "SELECT create_hypertable('daily_bars', 'date', chunk_time_interval => INTERVAL '1 year',"
        " migrate_data => true, if_not_exists => true, create_default_indexes => false)",
        "SELECT compression_enabled FROM timescaledb_information.hypertables"
        " WHERE hypertable_schema = current_schema() AND hypertable_name = 'daily_bars'",
        "ALTER TABLE daily_bars SET (timescaledb.compress, timescaledb.compress_segmentby ="
        " 'ticker', timescaledb.compress_orderby = 'date, source')",
        "SELECT add_compression_policy('daily_bars', compress_after => INTERVAL '90 days',"
        " if_not_exists => true)",
    ]


def test_a_second_run_leaves_the_compression_settings_alone():
    """Changing them on a table with compressed chunks fails: they are set once."""
    conn = ScriptedConnection(available=True, compressed=True)
    ts.make_hypertable(conn)
    assert ts.ENABLE_COMPRESSION not in conn.statements
    assert "if_not_exists => true" in conn.statements[2] and conn.statements[-1].startswith(
        "SELECT add_compression_policy("
    )


def test_no_extension_stops_before_any_change():
    conn = ScriptedConnection(available=False, compressed=False)
    with pytest.raises(TimescaleUnavailableError, match="does not have the timescaledb extension"):
        ts.make_hypertable(conn)
    assert conn.statements == [ts.AVAILABLE]


def test_an_extension_that_cannot_be_created_is_said_in_one_line():
    refusal = 'extension "timescaledb" must be preloaded\nHINT: add it to shared_preload_libraries'
    conn = ScriptedConnection(available=True, compressed=False, refuse=refusal)
    with pytest.raises(TimescaleUnavailableError) as err:
        ts.make_hypertable(conn)
    assert str(err.value) == (
        'cannot create the timescaledb extension: extension "timescaledb" must be preloaded'
    )
    assert ts.CREATE_HYPERTABLE not in conn.statements


def test_every_unique_key_of_the_bars_holds_the_time_column():
    """A hypertable needs it of every unique index; the bars' primary key is (ticker, source,
    date) and they have no other unique constraint or index."""
    table = DailyBar.__table__
    keys = [list(table.primary_key.columns.keys())]
    keys += [
        list(c.columns.keys())
        for c in table.constraints
        if isinstance(c, sa.UniqueConstraint) and c is not table.primary_key
    ]
    keys += [list(i.columns.keys()) for i in table.indexes if i.unique]
    assert keys == [["ticker", "source", "date"]]
    assert all(ts.TIME_COLUMN in key for key in keys)


def test_sqlite_is_refused(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        with pytest.raises(ValueError, match="PostgreSQL extension"):
            ts.enable_timescale(engine)
    finally:
        engine.dispose()


@pytest.fixture
def migrated(pg_schema: Callable[[], str]) -> Iterator[Engine]:
    """A fresh, migrated PostgreSQL schema."""
    engine = make_engine(pg_schema())
    upgrade(engine)
    yield engine
    engine.dispose()


def _has_timescaledb(engine: Engine) -> bool:
    with engine.connect() as conn:
        return bool(conn.exec_driver_sql(ts.AVAILABLE).scalar())


def _bars_round_trip(engine: Engine, make_bars: Callable[..., Any]) -> None:
    store = BarStore(engine)
    result = store.upsert_bars(ticker="IBM", source="yahoo", raw=make_bars(30))
    assert result.inserted == 30
    read = store.read_bars(ticker="IBM", source="yahoo", start=None, end=date(2024, 12, 31))
    assert len(read) == 30


@pytest.mark.postgres
def test_without_the_extension_the_plain_tables_stay_and_work(migrated, make_bars):
    if _has_timescaledb(migrated):
        pytest.skip("this PostgreSQL server has TimescaleDB: the real test below runs instead")
    with pytest.raises(TimescaleUnavailableError, match="timescaledb extension"):
        ts.enable_timescale(migrated)
    assert current_revision(migrated) == "0004" and schema_diff(migrated) == []
    _bars_round_trip(migrated, make_bars)


@pytest.mark.postgres
def test_a_real_hypertable_where_the_server_has_timescaledb(migrated, make_bars):
    if not _has_timescaledb(migrated):
        pytest.skip(
            "the PostgreSQL server has no timescaledb extension (Debian's registry has no "
            "TimescaleDB package; the timescale/timescaledb image has it)"
        )
    _bars_round_trip(migrated, make_bars)  # rows before: migrate_data moves them into chunks
    ts.enable_timescale(migrated)
    ts.enable_timescale(migrated)  # again: nothing to do
    with migrated.connect() as conn:
        compressed = conn.exec_driver_sql(ts.COMPRESSION_ENABLED).scalar()
        policies = conn.exec_driver_sql(
            "SELECT count(*) FROM timescaledb_information.jobs"
            " WHERE proc_name = 'policy_compression' AND hypertable_name = 'daily_bars'"
        ).scalar()
    assert compressed is True and policies == 1
    assert schema_diff(migrated) == []  # no index added: the schema still matches the models
    store = BarStore(migrated)
    assert store.upsert_bars(ticker="IBM", source="yahoo", raw=make_bars(30)).unchanged == 30
