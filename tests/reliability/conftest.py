"""The reliability suite: real processes killed with SIGKILL, concurrent writers, providers that
flap and servers that go away. Every test here is marked ``reliability`` (``make reliability``
runs them; ``make test`` leaves them out); each bounds its own time (process timeouts) and starts
its servers on loopback.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

EXE = [sys.executable, "-c", "from cli import main; main()"]
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Home:
    """One SignalDesk home and the environment that a ``signaldesk`` process runs in."""

    path: Path
    env: dict[str, str]

    def run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*EXE, *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def start(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [*EXE, *args],
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )

    def sqlite(self) -> sa.Engine:
        return sa.create_engine(f"sqlite:///{self.path / 'signaldesk.db'}")


def make_home(root: Path, **settings: str) -> Home:
    """A fresh home under ``root``; ``settings`` are SIGNALDESK_* values (lower-case names)."""
    root.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIGNALDESK_")}
    env |= {"SIGNALDESK_HOME": str(root), "SIGNALDESK_PROFILE": "test"}
    env |= {f"SIGNALDESK_{k.upper()}": v for k, v in settings.items()}
    return Home(root, env)


@pytest.fixture
def home(tmp_path: Path) -> Home:
    return make_home(tmp_path / "home")


def kill_when(
    proc: subprocess.Popen[str], ready: Callable[[], bool], *, delay: float, timeout: float = 60
) -> bool:
    """SIGKILL ``proc`` ``delay`` seconds after ``ready()`` first holds (polled every 20 ms).

    Returns whether the process was still running when it was killed (a kill that comes after
    the process ended proves nothing; the caller asserts on it)."""
    deadline = time.monotonic() + timeout
    while not ready():
        if proc.poll() is not None or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    time.sleep(delay)
    alive = proc.poll() is None
    if alive:
        proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    return alive and proc.returncode == -signal.SIGKILL


def table_rows(engine: sa.Engine, sql: str) -> list[tuple[object, ...]]:
    """Rows of ``sql`` (empty when the table does not exist yet)."""
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.exec_driver_sql(sql)]
    except sa.exc.OperationalError:
        return []
    except sa.exc.ProgrammingError:
        return []


@pytest.fixture
def pg_schema_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema, dropped afterwards; skips when
    the server on 127.0.0.1:5432 does not answer."""
    try:
        admin = sa.create_engine(PG_URL, connect_args={"connect_timeout": 2})
        with admin.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except sa.exc.OperationalError as err:
        pytest.skip(f"PostgreSQL not available at 127.0.0.1:5432: {err.orig}")
    schema = f"sd_rel_{secrets.token_hex(4)}"
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.dispose()
