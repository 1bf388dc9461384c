"""Readiness (``loop.health``): each check's status and detail, stale data a warning and never
unready, the freshness read from the loop's data checks or else from the stored bars."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from sqlalchemy.engine import Engine

from data.bars import to_raw_frame
from data.store import BarStore, DriftCheckStore, NewDriftCheck, make_engine, upgrade
from loop.health import (
    Check,
    Dependencies,
    Readiness,
    check_cache,
    check_data,
    check_database,
    check_models,
    freshness,
    latest_revision,
)

AS_OF = date(2013, 3, 1)


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    found = make_engine(f"sqlite:///{tmp_path / 'health.db'}")
    upgrade(found)
    return found


def _data_check(day: date, ticker: str, last_bar: date) -> NewDriftCheck:
    details = {"last_bar": last_bar.isoformat(), "stale_days": (day - last_bar).days}
    return NewDriftCheck(
        as_of=day, scope="data", subject=ticker, drifted=False, score=None, summary="",
        details=details,
    )  # fmt: skip


def _bars(last: str, n: int = 5) -> pd.DataFrame:
    days = pd.bdate_range(end=last, periods=n)
    close = 100.0 + np.arange(n)
    frame = pd.DataFrame(
        {"open": close, "high": close + 1, "low": close - 1, "close": close, "volume": 1e6,
         "adj_close": close},
        index=days,
    )  # fmt: skip
    return to_raw_frame(frame)


def test_the_database_is_ready_at_the_newest_revision(engine: Engine, tmp_path: Path) -> None:
    ok = check_database(engine)
    assert ok.status == "ok" and ok.info["revision"] == ok.info["latest"] == latest_revision()
    behind = check_database(make_engine(f"sqlite:///{tmp_path / 'new.db'}"))  # never migrated
    assert behind.status == "error" and behind.info["revision"] is None
    assert behind.detail.endswith("run signaldesk db upgrade")


def test_a_cache_that_cannot_be_read_is_an_error() -> None:
    class Down:
        def get(self, key: str) -> bytes | None:
            raise ConnectionError("Error 111 connecting to redis:6379. Connection refused.")

    assert check_cache({}, kind="memory").status == "ok"
    down = check_cache(Down(), kind="redis")
    assert down.as_json() == {
        "status": "error",
        "detail": "Error 111 connecting to redis:6379. Connection refused.",
        "error": "ConnectionError",
        "kind": "redis",
    }


def test_freshness_reads_the_latest_data_checks(engine: Engine) -> None:
    DriftCheckStore(engine).add(
        [
            _data_check(date(2013, 2, 1), "IBM", date(2013, 2, 1)),
            _data_check(date(2013, 2, 28), "IBM", date(2013, 2, 28)),  # the latest one counts
            _data_check(date(2013, 2, 28), "AAPL", date(2013, 2, 15)),
        ]
    )
    fresh = freshness(engine, as_of=AS_OF, stale_after_days=7)
    assert fresh.status == "warning"
    assert fresh.info["source"] == "data_checks" and fresh.info["tickers"] == 2
    assert fresh.info["stale"] == {"AAPL": {"last_bar": "2013-02-15", "days": 14}}
    assert fresh.detail == "1 of 2 tickers end more than 7 days before 2013-03-01: AAPL"
    assert freshness(engine, as_of=AS_OF, stale_after_days=14).status == "ok"


def test_freshness_reads_the_stored_bars_without_data_checks(engine: Engine) -> None:
    assert freshness(engine, as_of=AS_OF, stale_after_days=7).as_json() == {
        "status": "ok",
        "detail": "no data checked or stored yet",
        "as_of": "2013-03-01",
        "stale_after_days": 7,
        "source": "none",
        "tickers": 0,
    }
    BarStore(engine).upsert_many(
        [("IBM", "yahoo", _bars("2013-03-01")), ("IBM", "stooq", _bars("2013-01-31"))]
    )
    fresh = freshness(engine, as_of=AS_OF, stale_after_days=7)
    assert fresh.status == "ok" and fresh.info["source"] == "database"
    assert fresh.info["newest_bar"] == "2013-03-01"  # the newest of its sources
    stale = freshness(engine, as_of=date(2013, 3, 20), stale_after_days=7)
    assert stale.status == "warning" and stale.info["stale"]["IBM"]["days"] == 19


def test_stale_data_is_a_warning_and_no_source_an_error() -> None:
    bundled = SimpleNamespace(name="bundled", online=False)
    stale = Check("warning", "1 of 1 tickers end more than 7 days before 2013-03-01: IBM")
    data = check_data([bundled], stale)
    assert data.status == "warning" and data.detail.startswith("sources: bundled; 1 of 1")
    assert data.info["freshness"]["status"] == "warning"
    assert Readiness({"data": data}).ready  # stale data: still ready
    none = check_data([])
    assert none.status == "error" and not Readiness({"data": none}).ready
    assert Readiness({"data": none}).status_code == 503


def test_the_model_registry(tmp_path: Path) -> None:
    assert check_models(tmp_path / "models").info == {"registered": 0, "champions": 0}
    (tmp_path / "models").mkdir()
    assert check_models(tmp_path / "models").status == "ok"
    (tmp_path / "models" / "champions.jsonl").write_text('{"slot": "IBM-h5"')  # cut short
    broken = check_models(tmp_path / "models")
    assert broken.status == "error" and broken.info["error"] == "RegistryCorruptError"
    (tmp_path / "file").write_text("")
    assert check_models(tmp_path / "file").detail == "the models path is not a folder"


def test_dependencies_read_the_freshness_at_most_once_a_ttl(engine: Engine, tmp_path: Path) -> None:
    days: list[date] = []

    def as_of() -> date:
        days.append(AS_OF)
        return AS_OF

    dependencies = Dependencies(
        engine=engine,
        cache={},
        cache_kind="memory",
        sources=lambda: [SimpleNamespace(name="bundled", online=False)],
        models_dir=tmp_path / "models",
        stale_after_days=7,
        as_of=as_of,
    )
    first, second = dependencies.check(), dependencies.check()
    assert first.checks["data"] == second.checks["data"] and first.ready and len(days) == 1
    assert set(first.as_json()["checks"]) == {"database", "cache", "data", "models"}
