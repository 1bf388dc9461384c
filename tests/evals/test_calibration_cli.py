"""``eval calibrate`` (cli/eval_calibrate.py) through a small typer app, offline, on calls
written to the test's own database; and through ``signaldesk`` once the lead registers it."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
import typer
from typer.testing import CliRunner, Result

from cli.eval_calibrate import calibrate
from core.settings import load_settings
from data.errors import InvalidRangeError
from data.providers.bundled import BundledProvider
from data.service import MarketData
from data.store import EvalRun, Signal, make_engine, upgrade
from tests.cli.runner import run

FRIDAYS = [date(2012, 6, d) for d in (1, 8, 15, 22, 29)]
ACTIONS = ["BUY", "SELL", "HOLD", "STRONG BUY", "BUY"]


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def _settings(ctx: typer.Context) -> None:
        ctx.obj = load_settings()

    app.command("calibrate")(calibrate)
    return app


def _invoke(*args: str) -> Result:
    return CliRunner().invoke(_app(), ["calibrate", "--no-progress", *args])


def _engine() -> sa.Engine:
    engine = make_engine(load_settings().sqlalchemy_url)
    upgrade(engine)
    return engine


def _store_calls(tickers: tuple[str, ...], *, config: str = "cfg-a", run: str = "replay-a") -> None:
    rows = [
        {
            "ticker": t,
            "as_of": day,
            "action": action,
            "score": 0.6,
            "confidence": 0.2,
            "position_size": 0.01,
            "components": {},
            "config_hash": config,
            "run_id": run,
        }
        for t in tickers
        for day, action in zip(FRIDAYS, ACTIONS, strict=True)
    ]
    with _engine().begin() as conn:
        conn.execute(Signal.__table__.insert(), rows)


def _next_day_returns(ticker: str) -> list[float]:
    close = MarketData([BundledProvider()]).bars(ticker, end=date(2012, 8, 31)).frame["close"]
    following = close.shift(-1) / close - 1
    return [float(following.loc[: pd.Timestamp(d)].iloc[-1]) for d in FRIDAYS]


def test_stored_calls_are_scored_stored_as_an_eval_run_and_written(tmp_path: Path) -> None:
    _store_calls(("AAPL", "IBM"))
    result = _invoke("--start", "2012-06-01", "--end", "2012-06-30", "--json", "--out", "out")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert (payload["calls"], payload["no_price"], payload["tickers"]) == (10, 0, ["AAPL", "IBM"])
    assert [h["horizon"] for h in payload["horizons"]] == [1, 5, 20]
    h1 = payload["horizons"][0]
    returns = _next_day_returns("AAPL") + _next_day_returns("IBM")
    always = next(s for s in h1["strategies"] if s["name"] == "always_buy")
    assert always["hits"] == sum(r > 0 for r in returns)
    signal = next(s for s in h1["strategies"] if s["name"] == "signal")
    directions = [1, -1, 0, 1, 1] * 2
    assert signal["hits"] == sum(d * r > 0 for d, r in zip(directions, returns, strict=True))
    assert payload["about"]["signal configuration"] == "cfg-a"
    with _engine().connect() as conn:
        run = conn.execute(sa.select(EvalRun.__table__)).mappings().one()
    assert (run["id"], run["suite"], run["model"]) == (
        payload["eval_run"],
        "calibration",
        "signal cfg-a",
    )
    assert run["metrics"]["summary"]["h1_signal_hit_rate"] == signal["hit_rate"]
    assert run["settings"]["calibration"]["horizons"] == [1, 5, 20]
    written = sorted(p.suffix for p in (tmp_path / "out").iterdir())
    assert written == [".html", ".json", ".md"]


def test_watchlist_run_id_and_horizons_narrow_the_scoring() -> None:
    _store_calls(("AAPL", "IBM"))
    one = _invoke(
        "--start",
        "2012-06-01",
        "--end",
        "2012-06-15",
        "--watchlist",
        "IBM",
        "--horizons",
        "5,1",
        "--json",
    )
    assert one.exit_code == 0, one.output
    payload = json.loads(one.stdout)
    assert (payload["calls"], payload["tickers"]) == (3, ["IBM"])
    assert [h["horizon"] for h in payload["horizons"]] == [1, 5]
    text = _invoke("--start", "2012-06-01", "--end", "2012-06-30", "--run-id", "replay-a")
    assert text.exit_code == 0 and "| 1 day | signal | 8 |" in text.stdout
    other = _invoke("--start", "2012-06-01", "--end", "2012-06-30", "--run-id", "replay-b")
    assert other.exit_code == 2 and "no stored calls" in other.output


def test_bad_input_exits_2_or_raises_the_error_main_maps_to_2() -> None:
    none = _invoke("--start", "2012-06-01", "--end", "2012-06-30")
    assert none.exit_code == 2
    assert (
        "no stored calls from 2012-06-01 to 2012-06-30" in none.output and "--replay" in none.output
    )
    bad = _invoke("--start", "2012-06-01", "--end", "2012-06-30", "--horizons", "0,5")
    assert bad.exit_code == 2 and "--horizons '0,5'" in bad.output
    for start, end in (("2012-13-01", "2012-06-30"), ("2012-07-01", "2012-06-30")):
        wrong = _invoke("--start", start, "--end", end)
        assert isinstance(wrong.exception, InvalidRangeError)  # main() prints it, exits 2
    _store_calls(("AAPL",))
    _store_calls(("AAPL",), config="cfg-b", run="replay-b")
    mixed = _invoke("--start", "2012-06-01", "--end", "2012-06-30")
    assert mixed.exit_code == 2 and "pass --run-id" in mixed.output
    assert (
        _invoke("--start", "2012-06-01", "--end", "2012-06-30", "--run-id", "replay-b").exit_code
        == 0
    )


def test_replay_when_nothing_is_stored() -> None:
    result = _invoke(
        "--start", "2012-06-01", "--end", "2012-06-15", "--watchlist", "AAPL", "--replay", "--json"
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["calls"] == 3 and payload["about"]["calls"].startswith("replayed numbers-only")
    with _engine().connect() as conn:
        stored = conn.execute(sa.select(Signal.__table__.c.as_of)).scalars().all()
    assert sorted(stored) == [date(2012, 6, 1), date(2012, 6, 8), date(2012, 6, 15)]


def _registered() -> bool:
    from cli import app

    groups = {g.name: g.typer_instance for g in app.registered_groups}
    group = groups.get("eval")
    return group is not None and any(c.name == "calibrate" for c in group.registered_commands)


@pytest.mark.skipif(not _registered(), reason="`signaldesk eval calibrate` is not registered yet")
def test_signaldesk_eval_calibrate_exit_codes() -> None:
    main = ["eval", "calibrate"]
    days = ["--start", "2012-06-01", "--end", "2012-06-30", "--no-progress"]
    none = run(*main, *days)
    assert none.returncode == 2 and "error: no stored calls" in none.stderr
    bad = run(*main, "--start", "2012-06-31", "--end", "2012-07-01")
    assert bad.returncode == 2 and "is not a date" in bad.stderr
    _store_calls(("IBM",))
    ok = run(*main, *days, "--json")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["calls"] == 5
