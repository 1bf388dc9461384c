"""``signaldesk db upgrade``: the schema, and SIGNALDESK_TIMESCALE (TimescaleDB on PostgreSQL,
ignored with a warning on SQLite, one line and exit 4 where the server lacks the extension)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from cli._output import Exit
from data.store import BarStore, current_revision, make_engine
from tests.cli.runner import run
from tests.data.store.conftest import make_bars, pg_admin, pg_schema  # noqa: F401 - fixtures


def test_upgrade_reaches_the_newest_revision_and_says_so():
    out = run("db", "upgrade", "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {"revision": "0004", "timescale": False}
    assert run("db", "upgrade").stdout.strip() == "database at revision 0004"


def test_timescale_on_sqlite_is_ignored_with_a_warning():
    out = run("db", "upgrade", "--json", env_extra={"SIGNALDESK_TIMESCALE": "true"})
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {"revision": "0004", "timescale": False}
    assert out.stderr.strip() == (
        "warning: SIGNALDESK_TIMESCALE is ignored on SQLite (TimescaleDB is a PostgreSQL "
        "extension): the bars stay in a plain table"
    )


@pytest.mark.postgres
def test_timescale_without_the_extension_is_one_line_and_the_tables_still_work(
    pg_schema: Callable[[], str],  # noqa: F811
    make_bars: Callable[..., Any],  # noqa: F811
):
    url = pg_schema()
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if conn.exec_driver_sql(
                "SELECT count(*) FROM pg_available_extensions WHERE name = 'timescaledb'"
            ).scalar():
                pytest.skip("this PostgreSQL server has TimescaleDB (tests/data/store covers it)")
        out = run(
            "db", "upgrade",
            env_extra={"SIGNALDESK_DATABASE_URL": url, "SIGNALDESK_TIMESCALE": "true"},
        )  # fmt: skip
        assert out.returncode == Exit.CONFIG, out.stdout + out.stderr
        assert out.stderr.strip().splitlines() == [
            "error: SIGNALDESK_TIMESCALE is on but the PostgreSQL server does not have the "
            "timescaledb extension installed: run PostgreSQL with TimescaleDB (e.g. the image "
            "timescale/timescaledb:latest-pg16) or set SIGNALDESK_TIMESCALE=false"
        ]
        assert current_revision(engine) == "0004"  # the migrations stay
        store = BarStore(engine)
        assert store.upsert_bars(ticker="IBM", source="yahoo", raw=make_bars(5)).inserted == 5
        read = store.read_bars(ticker="IBM", source="yahoo", start=None, end=date(2024, 12, 31))
        assert len(read) == 5
        again = run("db", "upgrade", "--json", env_extra={"SIGNALDESK_DATABASE_URL": url})
        assert again.returncode == 0 and json.loads(again.stdout)["timescale"] is False
    finally:
        engine.dispose()
