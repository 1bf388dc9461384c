"""Eight writers at once on one home — three briefings, two questions on their own threads, a
data load and two ingests — on SQLite and on PostgreSQL: every process succeeds, and every row
that each wrote is there once, and both ingested filings are searchable."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.reliability.conftest import Home, make_home, table_rows

DATES = ("2013-02-26", "2013-02-27", "2013-02-28")
FILINGS = {
    "AAPL_10-K_2010-10-27_0001193125-10-238044.txt": (
        "Item 1A. Risk Factors\n\nThe Company depends on the availability of flash memory "
        "from a small number of suppliers. " * 20
    ),
    "MSFT_10-K_2010-07-30_0001193125-10-171791.txt": (
        "Item 1A. Risk Factors\n\nOur business depends on licensing revenue from Windows and "
        "Office in a market where piracy remains widespread. " * 20
    ),
}


def _writers(home: Home, tmp: Path) -> dict[str, list[str]]:
    commands: dict[str, list[str]] = {}
    for day in DATES:
        out = str(tmp / f"out-{day}")
        commands[f"briefing {day}"] = ["briefing", "--watchlist", "AAPL,IBM", "--as-of", day]
        commands[f"briefing {day}"] += ["--out", out, "--format", "json"]
    for thread, question in (("t-msft", "Should I buy Microsoft?"), ("t-ibm", "IBM's VaR?")):
        commands[f"ask {thread}"] = ["ask", question, "--as-of", "2013-02-28", "--thread", thread]
    commands["data load"] = ["data", "load", "MSFT"]
    for name, text in FILINGS.items():
        folder = tmp / name.split("_")[0]
        folder.mkdir()
        (folder / name).write_text(text)
        commands[f"ingest {folder.name}"] = ["ingest", "folder", str(folder)]
    return commands


def _all_at_once(home: Home, commands: dict[str, list[str]]) -> dict[str, tuple[int, str]]:
    procs = {name: home.start(*args) for name, args in commands.items()}
    results = {}
    for name, proc in procs.items():
        try:
            _, err = proc.communicate(timeout=240)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
        results[name] = (proc.returncode, err)
    return results


def _check(home: Home, engine: sa.Engine, tmp: Path) -> None:
    commands = _writers(home, tmp)
    assert len(commands) == 8
    assert home.run("db", "upgrade").returncode == 0  # first-run setup is another test's subject
    results = _all_at_once(home, commands)
    failed = {name: err for name, (code, err) in results.items() if code != 0}
    assert failed == {}

    briefings = table_rows(engine, "SELECT as_of FROM briefings ORDER BY as_of")
    assert [str(day) for (day,) in briefings] == list(DATES)
    signals = table_rows(engine, "SELECT ticker, as_of FROM signals")
    assert len(signals) == len(set(signals)) == 2 * len(DATES)
    bars = table_rows(engine, "SELECT count(*), count(DISTINCT date) FROM daily_bars")
    assert bars[0][0] == bars[0][1] > 3000  # MSFT once per day

    for query, ticker in (("flash memory suppliers", "AAPL"), ("Windows piracy", "MSFT")):
        found = home.run("search", query, "--ticker", ticker, "--json")
        assert found.returncode == 0, found.stderr
        assert json.loads(found.stdout)["passages"], f"{ticker}'s filing is not searchable"
    follow_up = home.run("ask", "and its VaR?", "--as-of", "2013-02-28", "--thread", "t-msft")
    assert follow_up.returncode == 0 and "MSFT" in follow_up.stdout


# eight processes on two cores, then the checks: bounded, but above the suite's 300 s default
pytestmark = [pytest.mark.reliability, pytest.mark.timeout(900)]


def test_eight_writers_on_sqlite(home: Home, tmp_path: Path) -> None:
    _check(home, home.sqlite(), tmp_path)


@pytest.mark.postgres
def test_eight_writers_on_postgresql(tmp_path: Path, pg_schema_url: str) -> None:
    home = make_home(tmp_path / "home", database_url=pg_schema_url)
    engine = sa.create_engine(pg_schema_url)
    try:
        _check(home, engine, tmp_path)
    finally:
        engine.dispose()
