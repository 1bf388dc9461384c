"""``signaldesk technicals | signal | train | backtest | risk`` as a user runs them."""

from __future__ import annotations

import json

import pytest

from tests.cli.runner import run


def test_technicals_json_carries_as_of_window_and_provenance() -> None:
    out = run("technicals", "AAPL", "--as-of", "2012-09-19", "--json")
    assert out.returncode == 0, out.stderr
    ev = json.loads(out.stdout)
    assert ev["kind"] == "technicals" and ev["as_of"] == "2012-09-19"
    assert ev["window"]["end"] == "2012-09-19"
    assert (
        ev["source"]["provider"] == "bundled"
        and "adjusted as of 2012-09-19" in ev["source"]["adjustment"]
    )
    assert len(ev["values"]["indicators"]) >= 20
    assert ev["values"]["indicators"]["rsi_14"] == pytest.approx(71.121, abs=1e-3)
    assert ev["values"]["technical"]["action"] in {
        "STRONG SELL",
        "SELL",
        "HOLD",
        "BUY",
        "STRONG BUY",
    }


def test_signal_json_is_deterministic_and_states_absent_parts() -> None:
    first = run("signal", "MSFT", "--as-of", "2013-02-28", "--json")
    assert first.returncode == 0, first.stderr
    a = json.loads(first.stdout)
    b = json.loads(run("signal", "MSFT", "--as-of", "2013-02-28", "--json").stdout)
    assert a == b
    assert a["kind"] == "signal" and a["values"]["action"] == "SELL"
    assert a["values"]["components"]["sentiment"]["reason"]
    assert a["values"]["config_fingerprint"]


def test_unknown_ticker_in_signal_is_one_line() -> None:
    out = run("signal", "ZZZZ", "--as-of", "2013-02-28")
    assert out.returncode == 2 and "unknown ticker 'ZZZZ'" in out.stderr
    assert "Traceback" not in out.stderr


def test_signal_of_a_watchlist_is_the_one_ticker_signal_and_names_failures() -> None:
    out = run("signal", "--watchlist", "AAPL,MSFT,FB,ZZZZ", "--as-of", "2013-02-28", "--json")
    assert out.returncode == 1
    rows = json.loads(out.stdout)
    assert [(r["ticker"], r["status"]) for r in rows] == [
        ("AAPL", "ok"),
        ("MSFT", "ok"),
        ("FB", "failed"),
        ("ZZZZ", "failed"),
    ]
    one = json.loads(run("signal", "MSFT", "--as-of", "2013-02-28", "--json").stdout)
    assert rows[1]["evidence"] | {"supporting": rows[1]["supporting"]} == one
    assert rows[2]["error"].endswith("but only 195 are available") and rows[2]["fixable"]
    assert rows[3]["error_type"] == "UnknownTickerError"
    assert out.stderr.strip().splitlines() == ["error: 2 of 4 tickers without a signal: FB, ZZZZ"]


def test_signal_of_a_watchlist_file_prints_a_table(tmp_path) -> None:  # noqa: ANN001
    listed = tmp_path / "watch.txt"
    listed.write_text("# mine\nIBM\nMSFT\nFB\n", encoding="utf-8")
    out = run("signal", "--watchlist-file", str(listed), "--as-of", "2013-02-28")
    assert out.returncode == 1 and "Traceback" not in out.stderr
    table = out.stdout.splitlines()
    assert any(line.split()[:2] == ["MSFT", "SELL"] for line in table)
    assert any(line.split()[:2] == ["FB", "failed"] for line in table)
    assert any(line.startswith("FB: need at least 251 bars up to 2013-02-28") for line in table)
    # the reasons are part of the report; stderr has the one line naming the failed tickers
    assert out.stderr.strip().splitlines() == ["error: 1 of 3 tickers without a signal: FB"]
    fine = run("signal", "--watchlist", "IBM,MSFT", "--as-of", "2013-02-28")
    assert fine.returncode == 0 and fine.stderr == "" and "IBM" in fine.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["MSFT", "--watchlist", "AAPL"], "give a TICKER (MSFT) or a watchlist, not both"),
        ([], "give a TICKER, or --watchlist / --watchlist-file"),
        (["--watchlist", "AAPL,AAPL"], "AAPL is listed twice"),
        (["--watchlist", "A", "--watchlist-file", "w.txt"], "not both"),
    ],
)
def test_signal_needs_a_ticker_or_one_watchlist(args: list[str], message: str) -> None:
    out = run("signal", *args, "--as-of", "2013-02-28")
    assert out.returncode == 2 and message in out.stderr and "Traceback" not in out.stderr


def test_signal_of_a_watchlist_without_a_date_reads_the_last_data_day() -> None:
    out = run("signal", "--watchlist", "ZZZZ,IBM", "--json")
    assert out.returncode == 1
    assert "the last day the offline data hold for IBM" in out.stderr
    assert json.loads(out.stdout)[1]["evidence"]["as_of"] == "2013-03-01"


@pytest.mark.slow
def test_train_registers_a_model_that_signal_then_cites() -> None:
    out = run("train", "IBM", "--end", "2012-12-31", "--horizons", "5", "--json")
    assert out.returncode == 0, out.stderr
    (model,) = json.loads(out.stdout)["models"]
    assert model["verdict"] in {"GO", "NO-GO"} and model["folds"] >= 8
    sig = json.loads(run("signal", "IBM", "--as-of", "2012-12-31", "--json").stdout)
    ml = sig["values"]["components"]["ml"]
    if model["verdict"] == "GO" and not model["leak_suspected"]:
        assert ml["available"] and sig["supporting"][0]["values"]["model_id"] == model["model_id"]
    else:
        assert not ml["available"] and "NO-GO" in ml["reason"] or "leak" in ml["reason"]


@pytest.mark.slow
def test_train_with_a_failing_ticker_exits_1_naming_it() -> None:
    out = run("train", "FB", "IBM", "--end", "2012-12-31", "--horizons", "5")
    assert out.returncode == 1 and "Traceback" not in out.stderr
    # the report on stdout holds each failed ticker's reason; stderr, one line naming them (no
    # progress lines: this is not a terminal and --progress was not asked)
    assert out.stderr.strip().splitlines() == ["error: 1 of 2 tickers not trained: FB"]
    assert "FB: only 0 walk-forward folds fit in 2012-05-18..2012-12-31" in out.stdout
    assert "IBM" in out.stdout
    shown = run("train", "FB", "--end", "2012-12-31", "--horizons", "5", "--progress", "--json")
    assert shown.returncode == 1
    assert shown.stderr.strip().splitlines()[0] == "train: 1/1 FB: error"
    assert json.loads(shown.stdout)["models"][0]["ticker"] == "FB"


@pytest.mark.slow
def test_backtest_aapl_json_reports_everything() -> None:
    out = run(
        "backtest",
        "AAPL",
        "--start",
        "2004-01-01",
        "--end",
        "2013-02-28",
        "--strategy",
        "confluence",
        "--json",
    )
    assert out.returncode == 0, out.stderr
    ev = json.loads(out.stdout)
    v = ev["values"]
    assert ev["as_of"] == "2013-02-28" and ev["window"]["start"] == "2004-01-02"
    assert len(v["folds"]) >= 8
    assert {"walk_forward", "in_sample", "gap", "stability", "baselines", "ml_record"} <= set(v)
    assert {"buy_and_hold", "sma_cross", "random"} <= set(v["baselines"])
    assert v["ml_record"]["verdict"] in {"GO", "NO-GO"}
    assert v["lookahead_violations"] == []


def test_without_as_of_offline_data_are_read_on_their_last_day() -> None:
    out = run("signal", "MSFT", "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["as_of"] == "2013-03-01"  # the bundled data's last bar
    assert "as of 2013-03-01: the last day the offline data hold for MSFT" in out.stderr
    clock = run("signal", "MSFT", "--json", env_extra={"SIGNALDESK_AS_OF_DEFAULT": "today"})
    assert json.loads(clock.stdout)["as_of"] != "2013-03-01"  # the wall clock, stale
