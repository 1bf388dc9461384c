"""Migrations: shipped in the package, applied from code, and matching the models exactly."""

from __future__ import annotations

from importlib import resources

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from data.store import current_revision, make_engine, schema_diff, upgrade
from data.store.migrate import SCRIPT_LOCATION, VERSION_TABLE, _config
from tests.processes import run_together


def _head(engine: Engine) -> str:
    with engine.connect() as conn:
        heads = ScriptDirectory.from_config(_config(conn)).get_heads()
    assert len(heads) == 1
    return heads[0]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def blank(request: pytest.FixtureRequest, tmp_path) -> Engine:
    """An empty, never migrated database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'blank.db'}"
    else:
        url = request.getfixturevalue("pg_schema")()
    engine = make_engine(url)
    yield engine
    engine.dispose()


def test_migration_scripts_ship_inside_the_package():
    package, folder = SCRIPT_LOCATION.split(":")
    root = resources.files(package) / folder
    assert (root / "env.py").is_file()
    assert (root / "script.py.mako").is_file()
    assert (root / "versions" / "0001_initial.py").is_file()


def test_upgrade_reaches_head_and_matches_the_models(blank):
    assert current_revision(blank) is None
    upgrade(blank)
    assert current_revision(blank) == _head(blank) == "0004"
    assert schema_diff(blank) == []
    upgrade(blank)  # a second run is a no-op
    assert current_revision(blank) == "0004"


def test_schema_diff_sees_a_missing_index(blank):
    upgrade(blank)
    with blank.begin() as conn:
        conn.exec_driver_sql("DROP INDEX ix_signals_run_id")
    diff = schema_diff(blank)
    assert [d[0] for d in diff] == ["add_index"]
    assert diff[0][1].name == "ix_signals_run_id"


# Eight processes migrate one empty database at once (the first run of several commands
# started together): each imports first, then waits for the go file, so they start together.
_MIGRATE = """
import sys, time
from pathlib import Path
from data.store import make_engine, upgrade
go = Path(sys.argv[2])
while not go.exists():
    time.sleep(0.002)
engine = make_engine(sys.argv[1], connect_timeout=30)
upgrade(engine)
engine.dispose()
"""


def test_eight_processes_migrating_an_empty_database_at_once_all_succeed(blank, tmp_path):
    url = blank.url.render_as_string(hide_password=False)
    assert run_together(_MIGRATE, [url], tmp_path / "go") == []
    assert current_revision(blank) == "0004"
    with blank.connect() as conn:
        versions = conn.exec_driver_sql(f"SELECT version_num FROM {VERSION_TABLE}").all()
    assert [tuple(v) for v in versions] == [("0004",)]
    assert schema_diff(blank) == []  # every table and index is there


def test_0003_replaces_the_unused_predictions_table_and_downgrades(blank):
    from alembic import command

    upgrade(blank, "0002")
    upgrade(blank)
    assert schema_diff(blank) == []
    with blank.begin() as conn:
        command.downgrade(_config(conn), "0002")
    with blank.connect() as conn:
        columns = {c["name"] for c in sa.inspect(conn).get_columns("predictions")}
    assert {"predicted_label", "outcome_label"} <= columns  # the 0001 shape again
    upgrade(blank)
    assert current_revision(blank) == "0004" and schema_diff(blank) == []


def test_0003_refuses_to_drop_rows_someone_wrote_by_hand(blank):
    upgrade(blank, "0002")
    with blank.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO predictions (model_id, ticker, as_of, horizon_days, prob_up,"
            " predicted_label, created_at) VALUES ('m', 'IBM', '2013-02-25', 5, 0.6, 1,"
            " '2013-02-25 00:00:00+00')"
        )
    with pytest.raises(RuntimeError, match="holds 1 row"):
        upgrade(blank)
    assert current_revision(blank) == "0002"  # nothing half-done: one transaction
