"""``signaldesk monitor`` after ``signaldesk briefing`` on consecutive dates: each call is recorded
once, outcomes appear only when due, a final outcome is never rewritten, and outcomes resolved
from data that end at t (a CSV source cut at t) equal those of the full data for the calls due
by t (in this process through tests/cli/runner.py)."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from data.providers.bundled import BundledProvider
from data.service import MarketData
from tests.cli.runner import run
from tests.conftest import isolate

DATES = ("2013-02-20", "2013-02-21", "2013-02-22", "2013-02-25", "2013-02-26")
TICKERS = ("AAPL", "IBM")
HORIZONS = (1, 5, 20)


def _monitor(*args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    out = run("monitor", *args, "--json", "--calls", env_extra=env)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def _key(call: dict[str, Any]) -> tuple[str, str, int]:
    return call["ticker"], call["as_of"], call["horizon_days"]


def _closes() -> dict[str, pd.Series]:
    market = MarketData([BundledProvider()], calendar=None)
    return {t: market.bars(t, end=date(2013, 3, 1)).frame["close"] for t in TICKERS}


@pytest.fixture(scope="module")
def briefed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database holding the briefings of AAPL,IBM on five consecutive trading days (one of
    them run twice), copied for each test."""
    root = tmp_path_factory.mktemp("briefed")
    with pytest.MonkeyPatch.context() as mp:
        isolate(mp, root)  # the autouse isolation is per test; this fixture is per module
        for day in (*DATES, DATES[1]):
            out = run(
                "briefing", "--watchlist", ",".join(TICKERS), "--as-of", day, "--format", "json",
                "--out", str(root / "out"), "--no-progress",
            )  # fmt: skip
            assert out.returncode == 0, out.stderr
    return root / "home" / "signaldesk.db"


def _home(briefed: Path, folder: Path) -> dict[str, str]:
    """A home of its own holding a copy of the briefed database."""
    (folder / "home").mkdir(parents=True)
    with sqlite3.connect(briefed) as src, sqlite3.connect(folder / "home" / "signaldesk.db") as dst:
        src.backup(dst)
    return {"SIGNALDESK_HOME": str(folder / "home")}


def test_each_call_once_and_outcomes_only_when_due(briefed: Path, tmp_path: Path) -> None:
    env = _home(briefed, tmp_path / "copy")
    first = _monitor("--as-of", "2013-02-27", env=env)
    calls = first["calls"]
    keys = [_key(c) for c in calls]
    assert sorted(keys) == sorted((t, d, h) for t in TICKERS for d in DATES for h in HORIZONS)
    assert {c["source"] for c in calls} == {"briefing"}
    # due by 2013-02-27: every 1-bar call (02-26's ends on 02-27) and the 5-bar call of 02-20
    due = {(t, d, 1) for t in TICKERS for d in DATES} | {(t, DATES[0], 5) for t in TICKERS}
    assert {_key(c) for c in calls if c["outcome_date"] is not None} == due
    assert first["resolved_now"] == len(due) and first["waiting"] == 30 - len(due)
    closes = _closes()
    for c in calls:
        if c["outcome_date"] is None:
            assert c["outcome_return"] is None and c["hit"] is None
            continue
        series = closes[c["ticker"]]
        entry = series.index.get_loc(pd.Timestamp(c["as_of"]))
        assert c["outcome_date"] == f"{series.index[entry + c['horizon_days']]:%Y-%m-%d}"
        expected = series.iloc[entry + c["horizon_days"]] / series.iloc[entry] - 1
        assert c["outcome_return"] == pytest.approx(expected, rel=1e-9)
        direction = {"BUY": 1, "STRONG BUY": 1, "SELL": -1, "STRONG SELL": -1}.get(c["action"])
        assert c["hit"] == (None if direction is None else direction * expected > 0)
    record = first["track_record"]
    assert (record["calls"], record["resolved"], record["pending"]) == (30, len(due), 30 - len(due))

    later = _monitor("--as-of", "2013-03-01", env=env)
    now_due = due | {(t, d, 5) for t in TICKERS for d in DATES[1:3]}
    assert {_key(c) for c in later["calls"] if c["outcome_date"]} == now_due
    assert later["resolved_now"] == len(now_due) - len(due)
    before = {_key(c): c for c in calls}
    for c in later["calls"]:
        if _key(c) in due:
            assert c == before[_key(c)]  # final: never rewritten
    # read as known on an earlier day, the later outcomes are pending again
    again = _monitor("--as-of", "2013-02-27", env=env)
    assert again["calls"] == calls and again["resolved_now"] == 0


def _csv_folder(folder: Path, *, end: str) -> Path:
    folder.mkdir(parents=True)
    for ticker in TICKERS:
        raw = BundledProvider().fetch(ticker, start=None, end=date.fromisoformat(end)).frame
        raw = raw.loc[:end]  # the provider serves all it has; the chain trims, not it
        raw.rename_axis("date").reset_index().to_csv(folder / f"{ticker}.csv", index=False)
    return folder


def test_outcomes_from_data_cut_at_t_equal_the_full_datas_and_none_comes_early(
    briefed: Path, tmp_path: Path
) -> None:
    cut, full = _home(briefed, tmp_path / "cut"), _home(briefed, tmp_path / "full")
    short = _csv_folder(tmp_path / "short", end="2013-02-27")
    whole = _csv_folder(tmp_path / "whole", end="2013-03-01")
    # the cut data end on 02-27: asked for 03-01, the resolver still cannot see past 02-27
    seen = _monitor("--as-of", "2013-03-01", "--source", f"csv:{short}", env=cut)["calls"]
    known = _monitor("--as-of", "2013-03-01", "--source", f"csv:{whole}", env=full)["calls"]
    assert [_key(c) for c in seen] == [_key(c) for c in known]
    due = [c["outcome_date"] is not None and c["outcome_date"] <= "2013-02-27" for c in known]
    assert [c["outcome_date"] is not None for c in seen] == due
    assert 0 < sum(due) < sum(c["outcome_date"] is not None for c in known)
    for s, k, d in zip(seen, known, due, strict=True):
        if d:
            assert s["outcome_return"] == pytest.approx(k["outcome_return"], rel=1e-12)
            assert (s["outcome_date"], s["hit"]) == (k["outcome_date"], k["hit"])


def test_the_table_and_its_errors(briefed: Path, tmp_path: Path) -> None:
    env = _home(briefed, tmp_path / "copy")
    table = run("monitor", "--as-of", "2013-03-01", "--by", "horizon", env_extra=env)
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert (
        lines[0]
        == "as of 2013-03-01: 16 call(s) resolved now; 30 call(s) recorded, 16 resolved, 14 pending"
    )
    assert [line.split()[:2] for line in lines[3:6]] == [
        ["1", "10/10"],
        ["5", "6/10"],
        ["20", "0/10"],
    ]
    bad = run("monitor", "--by", "weather", env_extra=env)
    assert bad.returncode == 2 and bad.stderr.startswith("error: --by 'weather'")
    future = run("monitor", "--as-of", "2999-01-01", env_extra=env)
    assert future.returncode == 2 and "after today" in future.stderr
    empty = run("monitor")  # this test's own home: nothing recorded
    assert empty.returncode == 0 and empty.stdout.startswith("no calls recorded")
    missing = run("monitor", "--source", f"csv:{tmp_path / 'nothing'}", env_extra=env)
    assert missing.returncode == 1, missing.stderr
    assert "warning: AAPL:" in missing.stderr and "calls stay pending" in missing.stderr
