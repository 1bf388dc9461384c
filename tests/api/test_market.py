"""The computations over HTTP: the same Evidence as the CLI, errors as one JSON object with the
status a client acts on, a whole watchlist in one request, and a cache that sees new models."""

from __future__ import annotations

import json
from datetime import date

import pytest

from agent.services import build_tool_context
from core.settings import load_settings
from tests.api.conftest import Api, api_on
from tests.cli.runner import run
from tools.signal import signal_evidence
from tools.technicals import technicals_evidence

DAY = "2012-06-29"


def test_signal_is_what_the_cli_prints(api: Api) -> None:
    got = api.client.get(f"/v1/signal/ibm?as_of={DAY}", headers=api.headers("read"))
    assert got.status_code == 200 and got.headers["x-cache"] == "miss"
    cli = json.loads(run("signal", "IBM", "--as-of", DAY, "--json").stdout)
    assert got.json() == cli
    ctx = build_tool_context(load_settings(), as_of=date(2012, 6, 29))
    evidence, _ = signal_evidence(ctx, "IBM")
    assert got.json()["id"] == evidence.id and got.json()["values"]["action"] in {
        "STRONG SELL",
        "SELL",
        "HOLD",
        "BUY",
        "STRONG BUY",
    }


def test_an_undated_request_is_as_of_the_datas_last_day(api: Api) -> None:
    got = api.client.get("/v1/technicals/MSFT", headers=api.headers("read")).json()
    assert got["as_of"] == "2013-03-01" and got["window"]["end"] == "2013-03-01"
    ctx = build_tool_context(load_settings(), as_of=date(2013, 3, 1))
    assert got["id"] == technicals_evidence(ctx, "MSFT").id


def test_risk_forecast_and_prices(api: Api) -> None:
    headers = api.headers("read")
    risk = api.client.get(
        f"/v1/risk/AAPL?as_of={DAY}&horizon=5&levels=0.9&levels=0.99", headers=headers
    ).json()
    rows = {(r["horizon_days"], r["level"]) for r in risk["values"]["results"]}
    assert rows == {(1, 0.9), (1, 0.99), (5, 0.9), (5, 0.99)}
    no_model = api.client.get(f"/v1/forecast/AAPL?as_of={DAY}", headers=headers)
    assert no_model.status_code == 404 and no_model.json()["error"]["code"] == "no_model"
    prices = api.client.get(
        "/v1/prices/AAPL?start=2013-02-20&end=2013-02-25", headers=headers
    ).json()
    assert prices["rows"] == 4 and [b["date"] for b in prices["bars"]][-1] == "2013-02-25"


@pytest.mark.parametrize(
    ("url", "status", "code"),
    [
        ("/v1/signal/ZZZZ", 404, "unknown_ticker"),
        ("/v1/signal/$$$", 422, "invalid_request"),
        ("/v1/signal/BRK..B!", 422, "invalid_request"),
        (f"/v1/signal/FB?as_of={DAY}", 422, "insufficient_history"),
        ("/v1/signal/AAPL?as_of=2999-01-01", 400, "bad_request"),
        ("/v1/signal/AAPL?as_of=yesterday", 422, "invalid_request"),
        ("/v1/signal/GOOG?as_of=2004-06-30", 404, "no_data"),
        ("/v1/risk/IBM?horizon=0", 422, "invalid_request"),
        ("/v1/risk/IBM?levels=1.5", 422, "invalid_request"),
        ("/v1/prices/IBM?start=2013-01-10&end=2013-01-01", 400, "bad_request"),
        ("/v1/nowhere", 404, "not_found"),
    ],
)
def test_bad_input_is_one_json_error(api: Api, url: str, status: int, code: str) -> None:
    got = api.client.get(url, headers=api.headers("read"))
    assert (got.status_code, got.json()["error"]["code"]) == (status, code), got.text
    assert set(got.json()) == {"error"} and "Traceback" not in got.text


def test_a_source_that_is_down_is_503_with_retry_after(tmp_path) -> None:  # noqa: ANN001
    with api_on(
        sources=["yahoo"],
        yahoo_base_url="http://127.0.0.1:9",
        retry_attempts=1,
        retry_base_delay_s=0,
    ) as api:
        got = api.client.get("/v1/signal/AAPL?as_of=2020-01-02", headers=api.headers("read"))
        assert got.status_code == 503 and got.json()["error"]["code"] == "unavailable"
        assert int(got.headers["retry-after"]) > 0


def test_a_watchlist_in_one_request_each_ticker_answering_for_itself(api: Api) -> None:
    headers = api.headers("read")
    got = api.client.post(
        "/v1/signals",
        json={"tickers": ["aapl", "FB", "ZZZZ", "IBM", "AAPL"], "as_of": DAY},
        headers=headers,
    ).json()
    assert got["as_of"] == DAY
    by = {r["ticker"]: r for r in got["signals"]}
    assert list(by) == ["AAPL", "FB", "ZZZZ", "IBM"]  # repeated tickers once, in order
    assert by["FB"]["error"]["code"] == "insufficient_history"
    assert by["ZZZZ"]["error"]["code"] == "unknown_ticker"
    single = api.client.get(f"/v1/signal/IBM?as_of={DAY}", headers=headers).json()
    assert by["IBM"]["signal"] == single
    api.services.settings.api_max_tickers = 3  # type: ignore[misc]
    many = api.client.post("/v1/signals", json={"tickers": ["A", "B", "C", "D"]}, headers=headers)
    assert many.status_code == 422 and many.json()["error"]["code"] == "too_many_tickers"
    empty = api.client.post("/v1/signals", json={"tickers": []}, headers=headers)
    assert empty.status_code == 422


def test_the_cache_reuses_and_sees_a_new_model(api: Api) -> None:
    headers = api.headers("read")
    url = f"/v1/signal/MSFT?as_of={DAY}"
    first = api.client.get(url, headers=headers)
    again = api.client.get(url, headers=headers)
    assert (first.headers["x-cache"], again.headers["x-cache"]) == ("miss", "hit")
    assert first.content == again.content
    models = api.services.settings.models_dir
    models.mkdir(parents=True, exist_ok=True)
    (models / "new-model.json").write_text("{}")
    assert api.client.get(url, headers=headers).headers["x-cache"] == "miss"
    other_day = api.client.get("/v1/signal/MSFT?as_of=2012-06-28", headers=headers)
    assert other_day.headers["x-cache"] == "miss"


def test_the_cache_sees_new_bars_loaded_into_the_database(tmp_path) -> None:  # noqa: ANN001
    from data.providers.bundled import BundledProvider

    assert run("data", "load", "IBM", "--end", "2012-12-31").returncode == 0
    with api_on(sources=["db"]) as api:
        headers = api.headers("read")
        url = "/v1/signal/IBM?as_of=2012-06-29"
        assert api.client.get(url, headers=headers).headers["x-cache"] == "miss"
        assert run("data", "load", "IBM", "--end", "2012-12-31").returncode == 0  # nothing new
        assert api.client.get(url, headers=headers).headers["x-cache"] == "hit"
        raw = BundledProvider().fetch("IBM", start=date(2013, 1, 2), end=date(2013, 1, 31)).frame
        folder = tmp_path / "more"
        folder.mkdir()
        raw.reset_index().to_csv(folder / "IBM.csv", index=False)
        loaded = run("data", "load", "IBM", "--end", "2013-01-31", "--source", f"csv:{folder}")
        assert loaded.returncode == 0, loaded.stderr
        assert api.client.get(url, headers=headers).headers["x-cache"] == "miss"
