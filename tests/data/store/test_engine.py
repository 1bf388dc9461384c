"""make_engine: URL handling, SQLite settings, transactions, and a clear error when unreachable."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from data.store import (
    StoreUnavailableError,
    UnsupportedDatabaseError,
    make_engine,
    normalize_url,
)


@pytest.mark.parametrize(
    ("url", "driver", "database"),
    [
        ("postgres://u:p@db:5432/sd", "postgresql+psycopg", "sd"),
        ("postgresql://u@db/sd", "postgresql+psycopg", "sd"),
        ("postgresql+psycopg://u@db/sd", "postgresql+psycopg", "sd"),
        ("sqlite:///data/sd.db", "sqlite", "data/sd.db"),
    ],
)
def test_urls_are_normalized_to_psycopg(url, driver, database):
    parsed = normalize_url(url)
    assert parsed.drivername == driver
    assert parsed.database == database


def test_other_databases_are_refused():
    with pytest.raises(UnsupportedDatabaseError, match="unsupported database 'mysql'"):
        normalize_url("mysql://u@db/sd")


def test_sqlite_file_gets_folder_and_pragmas(tmp_path):
    path = tmp_path / "deep" / "er" / "sd.db"
    engine = make_engine(f"sqlite:///{path}", connect_timeout=3)
    with engine.connect() as conn:
        pragmas = {
            name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "foreign_keys", "synchronous", "busy_timeout")
        }
    engine.dispose()
    assert path.exists()
    assert pragmas == {
        "journal_mode": "wal",
        "foreign_keys": 1,
        "synchronous": 1,
        "busy_timeout": 3000,
    }


def test_sqlite_transactions_roll_back(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'sd.db'}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    with engine.connect() as conn:
        conn.exec_driver_sql("INSERT INTO t VALUES (1)")
        conn.rollback()
        conn.exec_driver_sql("INSERT INTO t VALUES (2)")
        conn.commit()
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT x FROM t")).scalars().all() == [2]
    engine.dispose()


def test_sqlite_path_that_cannot_exist_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreUnavailableError, match="cannot create the folder"):
        make_engine(f"sqlite:///{blocker / 'sd.db'}")


def test_unreachable_postgres_is_one_clear_line_without_the_password():
    with pytest.raises(StoreUnavailableError) as info:
        make_engine("postgresql://u:secret@127.0.0.1:1/sd", connect_timeout=1)
    message = str(info.value)
    assert message.startswith("cannot reach database postgresql+psycopg://u:***@127.0.0.1:1/sd: ")
    assert "secret" not in message
    assert "\n" not in message


@pytest.mark.postgres
def test_postgres_answers(pg_admin):
    with pg_admin.connect() as conn:
        assert conn.exec_driver_sql("SELECT 1").scalar() == 1
    assert pg_admin.url.drivername == "postgresql+psycopg"
