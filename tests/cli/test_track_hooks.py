"""Every entry point that shows a call records it once in the track record: ``signal`` (one
ticker or a watchlist), ``ask`` (a verified answer with a signal; not a refusal) and the API."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from data.store import PredictionStore, make_engine, upgrade
from tests.api.conftest import api_on
from tests.cli.runner import run


def _calls(source: str) -> list[tuple[str, str, int]]:
    engine = make_engine(f"sqlite:///{Path(os.environ['SIGNALDESK_HOME']).resolve()}/signaldesk.db")
    upgrade(engine)
    frame = PredictionStore(engine).calls(as_of=date(2013, 3, 1), source=source)
    engine.dispose()
    return [(r.ticker, str(r.as_of.date()), int(r.horizon_days)) for r in frame.itertuples()]


def test_signal_and_its_watchlist_record_their_calls_once() -> None:
    for _ in range(2):  # the same call twice: recorded once
        assert run("signal", "IBM", "--as-of", "2012-06-29").returncode == 0
    assert _calls("signal") == [("IBM", "2012-06-29", h) for h in (1, 5, 20)]
    out = run("signal", "--watchlist", "AAPL,FB", "--as-of", "2012-06-29")
    assert out.returncode == 1  # FB: too little history, recorded nothing
    assert sorted(_calls("signal")) == sorted(
        [(t, "2012-06-29", h) for t in ("AAPL", "IBM") for h in (1, 5, 20)]
    )


def test_ask_records_a_verified_signal_answer_and_not_a_refusal() -> None:
    assert run("ask", "Should I buy MSFT?", "--as-of", "2012-06-29").returncode == 0
    assert _calls("ask") == [("MSFT", "2012-06-29", h) for h in (1, 5, 20)]
    run("ask", "Will MSFT double next year, guaranteed?", "--as-of", "2012-06-29")
    run("ask", "What is MSFT's RSI?", "--as-of", "2012-06-28")  # no signal shown
    assert _calls("ask") == [("MSFT", "2012-06-29", h) for h in (1, 5, 20)]


def test_the_api_records_the_calls_it_serves() -> None:
    with api_on() as served:
        headers = served.headers("read")
        got = served.client.get("/v1/signal/GOOG?as_of=2012-06-29", headers=headers)
        assert got.status_code == 200
        again = served.client.get("/v1/signal/GOOG?as_of=2012-06-29", headers=headers)
        assert again.status_code == 200
        body = {"tickers": ["IBM", "GOOG"], "as_of": "2012-06-29"}
        assert served.client.post("/v1/signals", json=body, headers=headers).status_code == 200
    assert sorted(_calls("api")) == sorted(
        [(t, "2012-06-29", h) for t in ("GOOG", "IBM") for h in (1, 5, 20)]
    )
