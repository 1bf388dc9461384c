"""Every error a user can cause or meet gives one line on stderr, no traceback, and the README's
exit code (0 ok, 1 partial, 2 bad input, 3 a service or the disk unavailable, 4 configuration);
``cli/_errors.py`` maps them. In this process through tests/cli/runner.py."""

from __future__ import annotations

import errno
import json
import sqlite3
from pathlib import Path

import pytest

from tests.cli.runner import Result, run

BAD_SIGNAL_CONFIGS = {
    "unknown-key.json": '{"weights": {"technical": 0.5}}',
    "huge-weights.json": '{"confluence_weights": {"technical": 1e308, "sentiment": 1e308}}',
    "broken.json": "{",
}


def _one_line(out: Result) -> str:
    assert "Traceback" not in out.stderr, out.stderr
    assert out.stderr.count("\n") == 1, out.stderr
    assert out.stderr.startswith("error: "), out.stderr
    return out.stderr


@pytest.fixture
def files(tmp_path: Path) -> Path:
    """A broken CSV folder, bad signal configs and a plain file where a folder belongs."""
    (tmp_path / "csvs").mkdir()
    (tmp_path / "csvs" / "AAPL.csv").write_text("when,price\nyesterday,1\n")
    for name, text in BAD_SIGNAL_CONFIGS.items():
        (tmp_path / name).write_text(text)
    (tmp_path / "a-file").write_text("not a folder\n")
    return tmp_path


CASES = [
    # (id, arguments, environment, exit code, text of the line); {tmp} is the test's folder
    ("broken-csv", ["data", "fetch", "AAPL", "--source", "csv:{tmp}/csvs"], {}, 2, "AAPL.csv"),
    ("ftp-source", ["data", "fetch", "AAPL", "--source", "ftp:x"], {}, 2, "unknown source 'ftp:x'"),
    ("bad-config-env", ["data", "list"], {"SIGNALDESK_SOURCES": "nasdaq"}, 4, "nasdaq"),
    *[
        (
            f"signal-config-{name}",
            ["signal", "MSFT", "--as-of", "2013-02-28"],
            {"SIGNALDESK_SIGNAL_CONFIG": "{tmp}/" + name},
            4,
            "SIGNALDESK_SIGNAL_CONFIG=",
        )
        for name in [*BAD_SIGNAL_CONFIGS, "missing.json"]
    ],
    (
        "embedding-path",
        ["search", "risk factors"],
        {"SIGNALDESK_EMBEDDING_MODEL": "{tmp}/no-such-model"},
        4,
        "no-such-model",
    ),
    *[
        (
            f"redis-{name}",
            ["data", "fetch", "AAPL", "--start", "2012-01-03", "--end", "2012-01-10"],
            {"SIGNALDESK_REDIS_URL": url},
            4,
            "SIGNALDESK_REDIS_URL",
        )
        for name, url in [("url", "notaurl"), ("port", "redis://127.0.0.1:99999/0")]
    ],
    (
        "backtest-reversed-dates",
        ["backtest", "AAPL", "--start", "2013-01-01", "--end", "2012-01-01"],
        {},
        2,
        "swap the dates",
    ),
    ("backtest-strategy", ["backtest", "AAPL", "--strategy", "nonsense"], {}, 2, "nonsense"),
    (
        "briefing-unknown-only",
        ["briefing", "--watchlist", "XYZQ,QQQZ", "--as-of", "2012-06-29", "--no-progress"],
        {},
        2,
        "XYZQ",
    ),
    (
        "briefing-out-is-a-file",
        ["briefing", "--watchlist", "AAPL", "--out", "{tmp}/a-file", "--no-progress"],
        {},
        2,
        "a-file",
    ),
    ("home-is-a-file", ["config", "show"], {"SIGNALDESK_HOME": "{tmp}/a-file"}, 4, "a-file"),
    (
        "home-under-a-file",
        ["data", "list"],
        {"SIGNALDESK_HOME": "{tmp}/a-file/home"},
        4,
        "SIGNALDESK_HOME=",
    ),
    ("home-under-proc", ["config", "show"], {"SIGNALDESK_HOME": "/proc/1/sd-home"}, 4, "/proc"),
    # the dev profile prints INFO logs on stderr: the failure is logged to the file only
    ("dev-profile", ["data", "fetch", "XYZQ"], {"SIGNALDESK_PROFILE": "dev"}, 2, "XYZQ"),
]


@pytest.mark.parametrize(
    ("args", "env", "code", "text"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_error_is_one_line_with_its_exit_code(
    files: Path, args: list[str], env: dict[str, str], code: int, text: str
) -> None:
    if "/proc/" in env.get("SIGNALDESK_HOME", "") and not Path("/proc/1").is_dir():
        pytest.skip("no /proc on this system")
    fill = {"tmp": str(files)}
    out = run(
        *(a.format(**fill) for a in args),
        env_extra={k: v.format(**fill) for k, v in env.items()},
    )
    line = _one_line(out)
    assert out.returncode == code, line
    assert text in line
    assert "check the network" not in line.lower() or code == 3


def test_briefing_out_to_a_file_stores_nothing(files: Path) -> None:
    out = run("briefing", "--watchlist", "AAPL", "--out", str(files / "a-file"), "--no-progress")
    assert out.returncode == 2
    assert "--out" in _one_line(out) and "is a file" in out.stderr
    assert not (files / "home" / "signaldesk.db").exists()  # checked before anything ran
    assert (files / "a-file").read_text() == "not a folder\n"


def test_the_failure_still_reaches_the_log_file(files: Path) -> None:
    out = run("data", "fetch", "XYZQ", env_extra={"SIGNALDESK_PROFILE": "dev"})
    assert out.returncode == 2
    records = [
        json.loads(line)
        for line in (files / "home" / "logs" / "signaldesk.log").read_text().splitlines()
    ]
    failed = [r for r in records if r["msg"] == "command failed"]
    assert len(failed) == 1 and failed[0]["exit_code"] == 2
    assert "XYZQ" in failed[0]["error"]


def _stored(home: Path) -> tuple[int, int]:
    with sqlite3.connect(home / "signaldesk.db") as conn:
        bars = conn.execute("SELECT count(*) FROM daily_bars").fetchone()[0]
        instruments = conn.execute("SELECT count(*) FROM instruments").fetchone()[0]
    return bars, instruments


def _fail_midway(monkeypatch: pytest.MonkeyPatch, error: Exception, *, sqlite_rolls_back: bool):
    """The bars upsert writes the instruments, then fails as a full disk makes it fail."""
    from data.store import _sqlite

    def load(cursor, batch, stamp):  # noqa: ANN001, ANN202
        cursor.executemany(_sqlite._INSTRUMENT_SQL, [("AAPL", "equity", stamp)])
        if sqlite_rolls_back:  # SQLite ends the transaction itself on SQLITE_FULL
            cursor.execute("ROLLBACK")
        raise error

    monkeypatch.setattr(_sqlite, "_load", load)


@pytest.mark.parametrize(
    ("error", "rolls_back"),
    [
        (OSError(errno.ENOSPC, "No space left on device", "signaldesk.db-wal"), False),
        (sqlite3.OperationalError("database or disk is full"), True),
    ],
    ids=["ENOSPC", "SQLITE_FULL"],
)
def test_a_full_disk_during_data_load_exits_3_and_leaves_nothing_half_written(
    files: Path, monkeypatch: pytest.MonkeyPatch, error: Exception, rolls_back: bool
) -> None:
    _fail_midway(monkeypatch, error, sqlite_rolls_back=rolls_back)
    out = run("data", "load", "AAPL", "--start", "2012-01-03", "--end", "2012-03-30")
    line = _one_line(out)
    assert out.returncode == 3, line
    assert "free some space" in line and "cannot rollback" not in line
    assert _stored(files / "home") == (0, 0)  # the instrument row was rolled back too


def test_a_read_only_database_is_configuration(
    files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    error = OSError(errno.EROFS, "Read-only file system", str(files / "home" / "signaldesk.db"))
    _fail_midway(monkeypatch, error, sqlite_rolls_back=False)
    out = run("data", "load", "AAPL", "--start", "2012-01-03", "--end", "2012-03-30")
    line = _one_line(out)
    assert out.returncode == 4, line
    assert "Read-only file system" in line and "SIGNALDESK_HOME" in line
