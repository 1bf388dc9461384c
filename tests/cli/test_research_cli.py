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
def test_train_with_a_failing_ticker_exits_1_naming_it_after_progress() -> None:
    out = run("train", "FB", "IBM", "--end", "2012-12-31", "--horizons", "5")
    assert out.returncode == 1
    lines = out.stderr.strip().splitlines()
    # progress (not a terminal: one plain line per step here), then the reason, then the list
    assert lines[0] == "train: 1/2 FB: error" and lines[1] == "train: 2/2 IBM: trained"
    assert lines[2].startswith("FB: only 0 walk-forward folds fit in 2012-05-18..2012-12-31")
    assert lines[-1] == "error: 1 of 2 tickers not trained: FB"
    assert "Traceback" not in out.stderr and "IBM" in out.stdout
    quiet = run("train", "FB", "--end", "2012-12-31", "--horizons", "5", "--no-progress", "--json")
    assert quiet.returncode == 1 and "train:" not in quiet.stderr
    assert json.loads(quiet.stdout)["models"][0]["ticker"] == "FB"


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
