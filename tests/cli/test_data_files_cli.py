"""``signaldesk data fetch/load --source csv:DIR`` on folders with the CSV pathologies of issue
23, finding 11, and a planted price spike (finding 6): exit codes and what the user reads."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.cli.runner import run
from tests.data._fakes import make_raw


def _csv(folder: Path, name: str, frame: pd.DataFrame) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    frame.reset_index().to_csv(folder / f"{name}.csv", index=False)
    return folder


def _shuffled(folder: Path) -> Path:
    raw = make_raw("2012-01-03", periods=291).reset_index()
    rows = raw.sample(frac=1.0, random_state=np.random.default_rng(3))
    folder.mkdir(parents=True)
    rows.to_csv(folder / "ACME.csv", index=False)
    return folder


def test_fetch_serves_every_row_of_a_shuffled_csv(tmp_path: Path) -> None:
    folder = _shuffled(tmp_path / "prices")
    out = run("data", "fetch", "ACME", "--end", "2013-06-28", "--source", f"csv:{folder}", "--json")
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    assert payload["rows"] == 291 and payload["provenance"]["quarantined"] == 0
    dates = [bar["date"] for bar in payload["bars"]]
    assert dates == sorted(dates) and dates[0] == "2012-01-03"
    assert any("read sorted by date" in note for note in payload["provenance"]["notes"])


def test_load_stores_every_row_of_a_shuffled_csv(tmp_path: Path) -> None:
    folder = _shuffled(tmp_path / "prices")
    out = run("data", "load", "ACME", "--end", "2013-06-28", "--source", f"csv:{folder}", "--json")
    assert out.returncode == 0, out.stderr
    (result,) = json.loads(out.stdout)["results"]
    assert (result["rows"], result["inserted"], result["quarantined"]) == (291, 291, 0)


def test_fetch_and_load_a_bar_on_new_years_day(tmp_path: Path) -> None:
    folder = _csv(tmp_path / "prices", "ACME", make_raw("2024-01-01", periods=5))
    args = ("--end", "2024-12-31", "--source", f"csv:{folder}", "--json")
    fetched = run("data", "fetch", "ACME", *args)
    assert fetched.returncode == 0, fetched.stderr
    payload = json.loads(fetched.stdout)
    assert payload["rows"] == 5 and payload["bars"][0]["date"] == "2024-01-01"
    assert "bar on 2024-01-01 (Monday): no XNYS session that day" in payload["provenance"]["notes"]
    loaded = run("data", "load", "ACME", *args)
    assert loaded.returncode == 0, loaded.stderr
    assert json.loads(loaded.stdout)["results"][0]["inserted"] == 5


def _colliding(folder: Path) -> Path:
    _csv(folder, "AAPL", make_raw(periods=3))
    _csv(folder, "aapl", make_raw(periods=4))
    if len(list(folder.iterdir())) < 2:
        pytest.skip("this file system does not tell names apart by case")
    return folder


def test_fetch_with_case_colliding_files_is_one_line_naming_both_exit_2(tmp_path: Path) -> None:
    folder = _colliding(tmp_path / "prices")
    out = run("data", "fetch", "AAPL", "--end", "2013-06-28", "--source", f"csv:{folder}")
    assert out.returncode == 2
    assert out.stderr == (
        f"error: csv:{folder}: more than one file for AAPL: AAPL.csv, aapl.csv; keep one and"
        " remove or rename the others\n"
    )


def test_load_with_case_colliding_files_fails_that_ticker_naming_both(tmp_path: Path) -> None:
    folder = _colliding(tmp_path / "prices")
    out = run("data", "load", "AAPL", "--end", "2013-06-28", "--source", f"csv:{folder}", "--json")
    assert out.returncode == 1, out.stderr  # the command ran; the ticker failed
    (result,) = json.loads(out.stdout)["results"]
    assert result["ticker"] == "AAPL" and "AAPL.csv, aapl.csv" in result["error"]


def test_a_planted_spike_is_quarantined_not_served(tmp_path: Path) -> None:
    raw = make_raw("2012-01-03", periods=60)
    raw.loc[raw.index[30], ["open", "high", "low", "close", "adj_close"]] = 1e9
    folder = _csv(tmp_path / "prices", "ACME", raw)
    args = ("--end", "2013-06-28", "--source", f"csv:{folder}", "--json")
    out = run("data", "fetch", "ACME", *args)
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    assert payload["rows"] == 59 and payload["provenance"]["quarantined"] == 1
    assert max(bar["high"] for bar in payload["bars"]) < 140  # 100 rising 0.5% a day
    checked = run("data", "check", "ACME", *args)
    assert checked.returncode == 1  # a quality error
    (report,) = json.loads(checked.stdout)["reports"]
    assert report["quarantined"] == [f"{raw.index[30]:%Y-%m-%d}"]
    assert [i["rule"] for i in report["issues"] if i["severity"] == "error"] == ["price_spike"]


def test_all_on_a_missing_or_empty_folder_names_the_folder_not_the_source_type(
    tmp_path: Path,
) -> None:
    missing = run("data", "check", "--all", "--source", f"csv:{tmp_path / 'nope'}")
    assert missing.returncode == 2
    assert missing.stderr.strip().splitlines() == [
        f"error: --all found no tickers: csv:{tmp_path / 'nope'}: "
        f"folder {tmp_path / 'nope'} does not exist"
    ]
    (tmp_path / "empty").mkdir()
    empty = run("data", "check", "--all", "--source", f"csv:{tmp_path / 'empty'}")
    assert empty.returncode == 2
    assert "holds no price files" in empty.stderr and "needs a source" not in empty.stderr
