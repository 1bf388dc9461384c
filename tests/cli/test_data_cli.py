"""The ``signaldesk`` CLI end to end, as a user runs it: exit codes, stdout and stderr (in this
process, through tests/cli/runner.py; tests/cli/test_process.py starts real processes)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.cli.runner import run


def test_fetch_aapl_2012_json_has_250_adjusted_rows_and_provenance() -> None:
    out = run("data", "fetch", "AAPL", "--start", "2012-01-03", "--end", "2012-12-31", "--json")
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    assert payload["rows"] == 250 == len(payload["bars"])
    assert payload["bars"][0]["date"] == "2012-01-03"
    assert payload["bars"][-1]["date"] == "2012-12-31"
    assert payload["bars"][-1]["close"] == pytest.approx(532.17, abs=0.005)
    prov = payload["provenance"]
    assert prov["provider"] == "bundled" and prov["ticker"] == "AAPL"
    assert prov["start"] == "2012-01-03" and prov["end"] == "2012-12-31"
    assert "adjusted as of 2012-12-31" in prov["adjustment"]
    assert prov["fetched_at"]


def test_fetch_table_output() -> None:
    out = run("data", "fetch", "msft", "--start", "2013-02-01", "--end", "2013-02-28")
    assert out.returncode == 0, out.stderr
    assert "MSFT daily bars (19 rows)" in out.stdout
    assert "provider: bundled" in out.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("data", "fetch", "XYZQ"), "error: unknown ticker 'XYZQ'"),
        (
            ("data", "fetch", "AAPL", "--start", "2013-01-01", "--end", "2012-01-01"),
            "swap the dates",
        ),
        (("data", "fetch", "AAPL", "--end", "31/12/2012"), "is not a date: use YYYY-MM-DD"),
        (
            ("data", "fetch", "AAPL", "--start", "2020-01-01", "--end", "2020-12-31"),
            "has no bars in",
        ),
        (("data", "fetch", "AA PL"), "invalid ticker"),
    ],
)
def test_user_errors_are_one_line_with_exit_2(args: tuple[str, ...], message: str) -> None:
    out = run(*args)
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1, out.stderr
    assert message in out.stderr
    assert "Traceback" not in out.stderr


def test_bad_configuration_exits_4() -> None:
    out = run("data", "list", env_extra={"SIGNALDESK_SOURCES": "nasdaq"})
    assert out.returncode == 4
    assert "SIGNALDESK_SOURCES: unknown source 'nasdaq'" in out.stderr


def test_check_all_passes_on_the_bundled_set() -> None:
    out = run("data", "check", "--all", "--json")
    assert out.returncode == 0, out.stdout + out.stderr
    payload = json.loads(out.stdout)
    assert payload["ok"] is True
    assert [r["ticker"] for r in payload["reports"]] == [
        "AAPL",
        "FB",
        "GOOG",
        "IBM",
        "MSFT",
        "^GSPC",
    ]
    assert all(r["ok"] for r in payload["reports"])


def _faulty_csv(folder: Path) -> None:
    """Clean business-day bars with four planted faults."""
    days = pd.bdate_range("2012-01-03", "2012-04-30")
    days = days[(days < "2012-02-13") | (days > "2012-02-17")]  # a missing week
    close = 50 * 1.001 ** np.arange(len(days))
    frame = pd.DataFrame(
        {
            "date": days.strftime("%Y-%m-%d"),
            "open": close,
            "high": close * 1.01,
            "low": close * 0.99,
            "close": close,
            "volume": 1e6,
        }
    )
    frame.loc[10, "high"] = frame.loc[10, "low"] * 0.9  # a high below the low
    frame.loc[30:, ["open", "high", "low", "close"]] *= 1.6  # a 60% jump that persists
    frame = pd.concat([frame, frame.iloc[[20]]]).sort_values("date")  # a duplicated date
    folder.mkdir()
    frame.to_csv(folder / "FAULTY.csv", index=False)
    # Presidents' Day (2012-02-20) is a holiday: the business-day range above must not have it
    assert "2012-02-20" in set(frame["date"])


def test_check_flags_planted_faults_in_a_csv(tmp_path: Path) -> None:
    folder = tmp_path / "prices"
    _faulty_csv(folder)
    out = run("data", "check", "--all", "--source", f"csv:{folder}", "--json")
    assert out.returncode == 1, out.stderr
    report = json.loads(out.stdout)["reports"][0]
    rules = {(i["rule"], i["severity"]) for i in report["issues"]}
    messages = " | ".join(i["message"] for i in report["issues"])
    assert report["ok"] is False
    assert {
        ("high_ge_low", "error"),
        ("unique_dates", "error"),
        ("outlier_return", "warning"),
        ("calendar_gap", "warning"),
        ("non_session", "warning"),
    } <= rules, messages
    assert "high 44.99751 < low 49.997233 on 2012-01-17" in messages
    assert "2012-01-31 appears 2 times" in messages
    assert "5 sessions missing 2012-02-13..2012-02-17" in messages  # the missing week
    assert "+60.2% on 2012-02-21" in messages  # the jump
    assert "bar on 2012-02-20 (Monday): no XNYS session" in messages  # a bar on a holiday


def test_load_is_idempotent_and_db_source_reads_it_back() -> None:
    first = run("data", "load", "IBM", "MSFT", "--end", "2012-12-31", "--json")
    assert first.returncode == 0, first.stderr
    results = {r["ticker"]: r for r in json.loads(first.stdout)["results"]}
    assert results["IBM"]["inserted"] == results["IBM"]["rows"] > 3000
    second = json.loads(run("data", "load", "IBM", "MSFT", "--end", "2012-12-31", "--json").stdout)
    for r in second["results"]:
        assert (r["inserted"], r["updated"], r["unchanged"]) == (0, 0, r["rows"])
    fetched = run(
        "data",
        "fetch",
        "IBM",
        "--start",
        "2012-01-03",
        "--end",
        "2012-12-31",
        "--source",
        "db",
        "--json",
    )
    assert fetched.returncode == 0, fetched.stderr
    from_db = json.loads(fetched.stdout)
    direct = json.loads(
        run("data", "fetch", "IBM", "--start", "2012-01-03", "--end", "2012-12-31", "--json").stdout
    )
    assert from_db["provenance"]["provider"] == "db"
    assert from_db["bars"] == direct["bars"]
    listing = json.loads(run("data", "list", "--json").stdout)
    assert {r["ticker"] for r in listing["database"]} == {"IBM", "MSFT"}


def test_demo_runs_offline_and_twice() -> None:
    first = run("demo", "--json")
    assert first.returncode == 0, first.stderr
    payload = json.loads(first.stdout)
    assert payload["as_of"] == "2013-02-28"
    tickers = {r["ticker"]: r for r in payload["tickers"]}
    assert set(tickers) == {"AAPL", "FB", "GOOG", "IBM", "MSFT", "^GSPC"}
    assert tickers["AAPL"]["summary"]["last_date"] == "2013-02-28"
    assert tickers["MSFT"]["signal"]["action"] == "SELL"  # as `signaldesk signal MSFT` says
    assert tickers["FB"]["signal"]["action"] is None  # 196 bars: too little history, and says so
    assert "need at least 251 bars" in tickers["FB"]["signal"]["reason"]
    briefing = payload["briefing"]
    assert briefing["complete"] and briefing["calls"]["MSFT"] == "SELL"
    assert sorted(Path(p).suffix for p in briefing["reports"]) == [".html", ".json", ".md"]
    second = json.loads(run("demo", "--json").stdout)
    assert all(r["load"]["inserted"] == 0 for r in second["tickers"])
    assert second["briefing"]["reports"] == briefing["reports"]  # the same date: replaced


def test_risk_json_is_evidence_with_window() -> None:
    out = run("risk", "IBM", "--as-of", "2011-12-30", "--horizon", "5", "--json")
    assert out.returncode == 0, out.stderr
    ev = json.loads(out.stdout)
    assert ev["kind"] == "risk" and ev["as_of"] == "2011-12-30"
    assert ev["window"]["end"] == "2011-12-30"
    horizons = {r["horizon_days"] for r in ev["values"]["results"]}
    assert horizons == {1, 5}
    assert ev["values"]["drawdown"]["horizon_days"] == 252
