"""Migrations: shipped in the package, applied from code, and matching the models exactly."""

from __future__ import annotations

from importlib import resources

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from data.store import current_revision, make_engine, schema_diff, upgrade
from data.store.migrate import SCRIPT_LOCATION, _config


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
    assert current_revision(blank) == _head(blank) == "0001"
    assert schema_diff(blank) == []
    upgrade(blank)  # a second run is a no-op
    assert current_revision(blank) == "0001"


def test_schema_diff_sees_a_missing_index(blank):
    upgrade(blank)
    with blank.begin() as conn:
        conn.exec_driver_sql("DROP INDEX ix_signals_run_id")
    diff = schema_diff(blank)
    assert [d[0] for d in diff] == ["add_index"]
    assert diff[0][1].name == "ix_signals_run_id"
