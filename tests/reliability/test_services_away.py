"""Servers that go away mid-run: a PostgreSQL and a Redis that the test starts on loopback and
stops while a command is using them.

- PostgreSQL is the store: losing it mid-load ends the command with exit 3 and one line, and
  what was written is whole (each ticker's bars all there or not at all); a re-run completes.
- Redis is only a cache: losing it mid-run costs cache hits, never the answer.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.reliability.conftest import make_home, table_rows

# real processes on a shared 2-core machine: bounded, but above the suite's 300 s default
pytestmark = [pytest.mark.reliability, pytest.mark.timeout(900)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for_port(port: int, *, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


class PrivatePostgres:
    """A throw-away PostgreSQL cluster in ``root`` (run as the ``postgres`` user when we are
    root, as initdb requires), listening on 127.0.0.1:``port`` only."""

    def __init__(self, root: Path) -> None:
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not bins:
            pytest.skip("no PostgreSQL server binaries (initdb) on this machine")
        self.bin = Path(bins[-1]).parent
        self.root, self.port = root, _free_port()
        self.data = root / "data"
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            if shutil.which("runuser") is None:
                pytest.skip("running as root without runuser: initdb refuses root")
            self.as_user = ["runuser", "-u", "postgres", "--"]
            root.chmod(0o777)
        self._pg("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync")

    def _pg(self, tool: str, *args: str) -> None:
        done = subprocess.run(
            [*self.as_user, str(self.bin / tool), *args],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if done.returncode != 0:
            pytest.skip(f"{tool} failed here: {done.stderr.strip()[:300]}")

    def start(self) -> None:
        opts = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off"
        self._pg("pg_ctl", "-D", str(self.data), "-o", opts, "-l", str(self.root / "log"), "start")
        _wait_for_port(self.port)

    def stop(self) -> None:
        self._pg("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"


@pytest.fixture
def postgres() -> Iterator[PrivatePostgres]:
    # not under tmp_path: the postgres user must reach it, and pytest's folders are root's 0700
    root = Path(tempfile.mkdtemp(prefix="signaldesk-pg-"))
    try:
        pg = PrivatePostgres(root)
        pg.start()
        try:
            yield pg
        finally:
            subprocess.run(
                [
                    *pg.as_user,
                    str(pg.bin / "pg_ctl"),
                    "-D",
                    str(pg.data),
                    "-m",
                    "immediate",
                    "stop",
                ],
                capture_output=True,
                timeout=60,
                check=False,
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_postgresql_going_away_mid_load_exits_3_and_leaves_whole_tickers(
    tmp_path: Path, postgres: PrivatePostgres
) -> None:
    home = make_home(tmp_path / "home", database_url=postgres.url)
    assert home.run("db", "upgrade").returncode == 0
    engine = sa.create_engine(postgres.url, poolclass=sa.pool.NullPool)
    load = home.start("data", "load", "--all")
    deadline = time.monotonic() + 60
    while not table_rows(engine, "SELECT 1 FROM daily_bars LIMIT 1"):
        assert load.poll() is None and time.monotonic() < deadline, "the load never wrote"
        time.sleep(0.02)
    postgres.stop()
    _, err = load.communicate(timeout=120)
    assert load.returncode == 3, err
    said = [line for line in err.strip().splitlines() if line.startswith("error")]
    assert len(said) == 1 and "Traceback" not in err

    postgres.start()
    counts = dict(table_rows(engine, "SELECT ticker, count(*) FROM daily_bars GROUP BY ticker"))
    assert home.run("data", "load", "--all").returncode == 0
    full = dict(table_rows(engine, "SELECT ticker, count(*) FROM daily_bars GROUP BY ticker"))
    assert all(counts[t] == full[t] for t in counts), "a ticker was left half-written"
    assert len(full) == 6
    engine.dispose()


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    exe = shutil.which("redis-server")
    if exe is None:
        pytest.skip("redis-server is not installed")
    port = _free_port()
    args = [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    proc = subprocess.Popen([*args, "--dir", str(tmp_path)], stdout=subprocess.DEVNULL)
    _wait_for_port(port)
    try:
        yield proc, port
    finally:
        proc.kill()
        proc.wait(timeout=30)


def test_redis_going_away_mid_run_costs_hits_not_answers(
    tmp_path: Path, redis_server: tuple[subprocess.Popen[bytes], int]
) -> None:
    import redis

    proc, port = redis_server
    home = make_home(tmp_path / "home", redis_url=f"redis://127.0.0.1:{port}/0")
    briefing = ("briefing", "--watchlist", "AAPL,MSFT,IBM,GOOG", "--as-of", "2013-02-28")
    first = home.start(*briefing, "--out", str(tmp_path / "out1"), "--format", "json")
    time.sleep(2.0)  # started, connected to the cache
    proc.kill()
    proc.wait(timeout=30)
    _, err = first.communicate(timeout=180)
    assert first.returncode == 0, err
    assert "Traceback" not in err

    again = home.run(*briefing, "--out", str(tmp_path / "out2"), "--format", "json", timeout=180)
    assert again.returncode == 0, again.stderr
    assert sorted(os.listdir(tmp_path / "out2")) == sorted(os.listdir(tmp_path / "out1"))
    with pytest.raises(redis.ConnectionError):
        redis.Redis(port=port, socket_connect_timeout=0.5).ping()
