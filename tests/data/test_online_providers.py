"""YahooProvider and StooqProvider against a scripted HTTP server on 127.0.0.1 (no network).

The Yahoo route emulates the chart API's windowing: it returns only the bars and events inside
``[period1, period2)``, like Yahoo does, so the tests can tell whether later splits are seen.
"""

from __future__ import annotations

import json
import math
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import numpy as np
import pytest

from data.bars import RAW_COLUMNS, adjust_point_in_time
from data.errors import ProviderError, UnknownTickerError
from data.providers.base import Provider
from data.providers.stooq import StooqProvider, stooq_symbol
from data.providers.yahoo import YahooProvider, parse_chart

FIXTURES = Path(__file__).parent / "fixtures"
CHART = json.loads((FIXTURES / "yahoo_chart_splt.json").read_text())
STOOQ_CSV = (FIXTURES / "stooq_aapl_us.csv").read_text()
YAHOO_CLOSE = CHART["chart"]["result"][0]["indicators"]["quote"][0]["close"]
NOT_FOUND = {
    "chart": {
        "result": None,
        "error": {"code": "Not Found", "description": "No data found, symbol may be delisted"},
    }
}
SECRET = "s3cr3t-k3y-123"
UA = "SignalDesk-test/1.0"
JUNE_12 = datetime(2024, 6, 12, tzinfo=UTC)


def _window(period1: int, period2: int) -> dict[str, Any]:
    """The fixture chart cut to ``period1 <= ts < period2``, events included, as Yahoo does."""
    result = json.loads(json.dumps(CHART["chart"]["result"][0]))
    keep = [period1 <= ts < period2 for ts in result["timestamp"]]
    result["timestamp"] = [t for t, k in zip(result["timestamp"], keep, strict=True) if k]
    for block in (result["indicators"]["quote"][0], result["indicators"]["adjclose"][0]):
        for key, values in block.items():
            block[key] = [v for v, k in zip(values, keep, strict=True) if k]
    for kind, events in result["events"].items():
        result["events"][kind] = {t: e for t, e in events.items() if period1 <= e["date"] < period2}
    return {"chart": {"result": [result], "error": None}}


YAHOO: dict[str, tuple[int, str]] = {
    "NOPE": (404, json.dumps(NOT_FOUND)),
    "GONE": (200, json.dumps(NOT_FOUND)),
    "BOOM": (500, "Internal Server Error"),
    "BUSY": (429, "Too Many Requests"),
    "DENIED": (403, "Forbidden"),
    "BARE404": (404, "<html><body>Not Found</body></html>"),
    "GARBLED": (200, '{"chart": {"result": [{"timestamp": [1717421400'),
    "ODD": (
        200,
        json.dumps(
            {"chart": {"result": [{"timestamp": [1717421400], "indicators": {}}], "error": None}}
        ),
    ),
    "EMPTY": (
        200,
        json.dumps(
            {"chart": {"result": [{"meta": {}, "indicators": {"quote": [{}]}}], "error": None}}
        ),
    ),
}
STOOQ: dict[str, tuple[int, str]] = {
    "aapl.us": (200, STOOQ_CSV),
    "nope.us": (200, "No data"),
    "html.us": (200, "<!DOCTYPE html>\n<html><head><title>Stooq</title></head><body>x</body>"),
    "limit.us": (200, "Exceeded the daily hits limit"),
    "busy.us": (503, "Service Unavailable"),
    "cols.us": (200, "Date,Open,Close\n2024-06-03,1,2\n"),
}


@dataclass
class Server:
    url: str
    requests: list[tuple[str, dict[str, list[str]], str]] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)


class _ScriptedServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state = Server(url=f"http://127.0.0.1:{self.server_address[1]}")


class _Handler(BaseHTTPRequestHandler):
    server: _ScriptedServer

    def log_message(self, format: str, *args: Any) -> None:  # keep pytest output clean
        pass

    def do_GET(self) -> None:
        state: Server = self.server.state
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        state.requests.append((parts.path, query, self.headers.get("User-Agent", "")))
        status, body = self._route(parts.path, query, state)
        try:
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.end_headers()
            self.wfile.write(body.encode())
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
            pass

    def _route(self, path: str, query: dict[str, list[str]], state: Server) -> tuple[int, str]:
        if path.startswith("/v8/finance/chart/"):
            symbol = path.rsplit("/", 1)[1]
            if symbol == "SLOW":
                state.release.wait(1.0)
            if symbol in YAHOO:
                return YAHOO[symbol]
            return 200, json.dumps(_window(int(query["period1"][0]), int(query["period2"][0])))
        if path == "/q/d/l/":
            if query["s"] == ["slow.us"]:
                state.release.wait(1.0)
            return STOOQ.get(query["s"][0], (200, "No data"))
        return 404, "not found"


@pytest.fixture(scope="module")
def _live() -> Iterator[Server]:
    httpd = _ScriptedServer()
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.state
    httpd.state.release.set()  # wake handlers still stalling for the timeout tests
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def server(_live: Server) -> Server:
    _live.requests.clear()
    return _live


def yahoo(server: Server, **kwargs: Any) -> YahooProvider:
    kwargs.setdefault("now", lambda: JUNE_12)
    return YahooProvider(base_url=server.url, user_agent=UA, **kwargs)


def stooq(server: Server, **kwargs: Any) -> StooqProvider:
    return StooqProvider(base_url=server.url, user_agent=UA, **kwargs)


def _unix(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


# --- Yahoo ---------------------------------------------------------------------------------


def test_providers_satisfy_protocol(server: Server) -> None:
    for provider in (yahoo(server), stooq(server)):
        assert isinstance(provider, Provider)
        assert provider.online is True
        assert provider.tickers() is None
    assert (YahooProvider.name, StooqProvider.name) == ("yahoo", "stooq")


def test_yahoo_undoes_splits_and_keeps_adjclose_and_null_rows(server: Server) -> None:
    raw = yahoo(server).fetch("SPLT", start=date(2024, 6, 3), end=date(2024, 6, 10))
    frame = raw.frame
    assert list(frame.columns) == list(RAW_COLUMNS)
    assert frame.index.name == "date"
    assert [d.day for d in frame.index] == [3, 4, 5, 6, 7, 10]  # exchange-local days, 13:30 UTC
    # before the 2:1 split (ex-date 7 June) the traded price was twice Yahoo's quote
    assert frame.loc["2024-06-04", "close"] == pytest.approx(2 * YAHOO_CLOSE[1]) == 101.0
    assert frame.loc["2024-06-03", "high"] == pytest.approx(101.2)
    assert frame.loc["2024-06-04", "volume"] == pytest.approx(900_000)
    # on and after the ex-date the quotes are as traded
    assert frame.loc["2024-06-07", "close"] == 51.0
    assert frame.loc["2024-06-07", "volume"] == 5_000_000
    assert frame["adj_close"].tolist()[:2] == [49.752475, 50.25]
    assert frame.loc["2024-06-10", "adj_close"] == 51.5
    assert frame.loc["2024-06-05"].isna().all()  # the null row is kept, not dropped
    assert raw.source.startswith(f"{server.url}/v8/finance/chart/SPLT?period1=")
    assert "adjclose" in raw.basis and "raw" in raw.basis


def test_yahoo_window_before_a_later_split_still_gives_traded_prices(server: Server) -> None:
    # Yahoo's quotes embed every split to date but list only the events inside the period,
    # so the request must reach today for the 7 June split to be undone.
    raw = yahoo(server).fetch("SPLT", start=date(2024, 6, 3), end=date(2024, 6, 5))
    _, query, _ = server.requests[-1]
    assert int(query["period2"][0]) == int(JUNE_12.timestamp())
    window = raw.frame.loc[:"2024-06-04"]
    assert window["close"].tolist() == [100.0, 101.0]
    adjusted = adjust_point_in_time(window)  # point-in-time: last day's price as traded
    assert adjusted["close"].iloc[-1] == pytest.approx(101.0)
    assert adjusted["close"].iloc[0] == pytest.approx(101.0 * 49.752475 / 50.25)


def test_yahoo_request_parameters_and_user_agent(server: Server) -> None:
    now = datetime(2024, 6, 10, 20, 0, tzinfo=UTC)  # end is today: period2 covers all of it
    yahoo(server, now=lambda: now).fetch("SPLT", start=date(2024, 6, 3), end=date(2024, 6, 10))
    path, query, agent = server.requests[-1]
    assert path == "/v8/finance/chart/SPLT"
    assert int(query["period1"][0]) == _unix(date(2024, 6, 3)) == 1717372800
    assert int(query["period2"][0]) == _unix(date(2024, 6, 11))
    assert query["interval"] == ["1d"]
    assert query["events"] == ["div,split"]
    assert query["includeAdjustedClose"] == ["true"]
    assert agent == UA


def test_yahoo_start_none_asks_for_full_history_and_encodes_the_symbol(server: Server) -> None:
    yahoo(server).fetch("^GSPC", start=None, end=date(2024, 6, 10))
    path, query, _ = server.requests[-1]
    assert path == "/v8/finance/chart/%5EGSPC"
    assert int(query["period1"][0]) <= _unix(date(1970, 1, 1))


def test_yahoo_default_user_agent_names_signaldesk(server: Server) -> None:
    YahooProvider(base_url=server.url).fetch("SPLT", start=None, end=date(2024, 6, 10))
    assert "SignalDesk" in server.requests[-1][2]


def test_yahoo_uses_an_injected_client(server: Server) -> None:
    seen: list[httpx.Request] = []
    with httpx.Client(event_hooks={"request": [seen.append]}) as client:
        yahoo(server, client=client).fetch("SPLT", start=None, end=date(2024, 6, 10))
    assert len(seen) == 1 and seen[0].headers["User-Agent"] == UA


@pytest.mark.parametrize("symbol", ["NOPE", "GONE"])
def test_yahoo_unknown_symbol(server: Server, symbol: str) -> None:
    with pytest.raises(UnknownTickerError) as info:
        yahoo(server).fetch(symbol, start=None, end=date(2024, 6, 10))
    assert info.value.ticker == symbol and info.value.providers == ["yahoo"]


@pytest.mark.parametrize(
    ("symbol", "transient", "words"),
    [
        ("BOOM", True, "HTTP 500"),
        ("BUSY", True, "HTTP 429"),
        ("DENIED", False, "HTTP 403"),
        ("BARE404", False, "HTTP 404"),
        ("GARBLED", False, "not JSON"),
        ("ODD", False, "unexpected chart JSON"),
    ],
)
def test_yahoo_failures(server: Server, symbol: str, transient: bool, words: str) -> None:
    with pytest.raises(ProviderError) as info:
        yahoo(server).fetch(symbol, start=None, end=date(2024, 6, 10))
    assert info.value.transient is transient
    assert info.value.provider == "yahoo" and words in str(info.value)


def test_yahoo_timeout_is_transient(server: Server) -> None:
    with pytest.raises(ProviderError, match="no answer within 0.1 s") as info:
        yahoo(server, timeout=0.1).fetch("SLOW", start=None, end=date(2024, 6, 10))
    assert info.value.transient is True


def test_connection_refused_is_transient() -> None:
    with socket.socket() as sock:  # a port on 127.0.0.1 that nothing listens on
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    with pytest.raises(ProviderError) as info:
        YahooProvider(base_url=url, timeout=1.0).fetch("SPLT", start=None, end=date(2024, 6, 10))
    assert info.value.transient is True


def test_yahoo_no_bars_gives_an_empty_raw_frame(server: Server) -> None:
    raw = yahoo(server).fetch("EMPTY", start=date(2024, 6, 8), end=date(2024, 6, 9))
    assert raw.frame.empty and list(raw.frame.columns) == list(RAW_COLUMNS)


# --- Stooq ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ticker", "symbol"),
    [("AAPL", "aapl.us"), ("BRK-B", "brk-b.us"), ("^GSPC", "^spx"), ("VOD.L", "vod.l")],
)
def test_stooq_symbol(ticker: str, symbol: str) -> None:
    assert stooq_symbol(ticker) == symbol


def test_stooq_csv_values_and_request(server: Server) -> None:
    raw = stooq(server).fetch("AAPL", start=date(2024, 6, 3), end=date(2024, 6, 7))
    path, query, agent = server.requests[-1]
    assert path == "/q/d/l/" and agent == UA
    assert query == {"s": ["aapl.us"], "d1": ["20240603"], "d2": ["20240607"], "i": ["d"]}
    frame = raw.frame
    assert list(frame.columns) == list(RAW_COLUMNS) and len(frame) == 5
    assert frame.loc["2024-06-07", "close"] == 196.89
    assert frame.loc["2024-06-03", "volume"] == 50_080_539
    assert math.isnan(frame.loc["2024-06-05", "close"])  # the gap stays for the quality layer
    assert frame["adj_close"].isna().all()
    assert "adjusted by Stooq" in raw.basis and "no adj_close" in raw.basis
    assert raw.source == f"{server.url}/q/d/l/?s=aapl.us&d1=20240603&d2=20240607&i=d"


def test_stooq_api_key_is_sent_but_never_shown(server: Server) -> None:
    # (log lines are masked centrally by core.logs; see tests/agent/test_logs.py)
    provider = stooq(server, api_key=SECRET)
    raw = provider.fetch("AAPL", start=None, end=date(2024, 6, 7))
    _, query, _ = server.requests[-1]
    assert query["apikey"] == [SECRET] and query["d1"] == ["19000101"]
    with pytest.raises(ProviderError) as info:
        provider.fetch("BUSY", start=None, end=date(2024, 6, 7))
    for text in (raw.source, str(info.value), repr(provider)):
        assert SECRET not in text


def test_stooq_no_data_is_unknown_ticker(server: Server) -> None:
    with pytest.raises(UnknownTickerError) as info:
        stooq(server).fetch("NOPE", start=None, end=date(2024, 6, 7))
    assert info.value.providers == ["stooq"] and "nope.us" in str(info.value)


@pytest.mark.parametrize(
    ("ticker", "transient", "words"),
    [
        ("HTML", False, "not Stooq CSV: '<!DOCTYPE html> <html><head><title>Stooq"),
        ("LIMIT", False, "SIGNALDESK_STOOQ_API_KEY"),
        ("BUSY", True, "HTTP 503"),
        ("COLS", False, "missing columns"),
    ],
)
def test_stooq_failures(server: Server, ticker: str, transient: bool, words: str) -> None:
    with pytest.raises(ProviderError) as info:
        stooq(server).fetch(ticker, start=None, end=date(2024, 6, 7))
    assert info.value.transient is transient and words in str(info.value)


def test_stooq_timeout_is_transient_and_hides_the_key(server: Server) -> None:
    slow = stooq(server, timeout=0.1, api_key=SECRET)
    with pytest.raises(ProviderError) as info:
        slow.fetch("SLOW", start=None, end=date(2024, 6, 7))
    assert info.value.transient is True and SECRET not in str(info.value)


def test_yahoo_split_factor_compounds_across_splits() -> None:
    payload = json.loads(json.dumps(CHART))
    splits = payload["chart"]["result"][0]["events"]["splits"]
    splits["1717507800"] = {"date": 1717507800, "numerator": 3, "denominator": 2}
    frame = parse_chart(payload)
    expected = np.array([50.0 * 3, 50.5 * 2, np.nan, 50.25 * 2, 51.0, 51.5])
    np.testing.assert_allclose(frame["close"].to_numpy(), expected)
