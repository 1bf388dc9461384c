"""The EDGAR client against a local HTTP server serving small invented fixtures; no network."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from retrieval.sources.edgar_online import (
    EdgarClient,
    EdgarRequestError,
    EdgarUnavailableError,
    MissingUserAgentError,
    UnknownTickerError,
)

UA = "SignalDesk tests tests@example.com"


@dataclass
class FakeClock:
    """Monotonic time that only moves when the code under test sleeps."""

    t: float = 0.0
    sleeps: list[float] = field(default_factory=list)

    def __call__(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += seconds


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, clock: FakeClock) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.clock = clock
        self.routes: dict[str, bytes] = {}
        self.failures: dict[str, list[tuple[int, dict[str, str], float]]] = {}
        self.log: list[tuple[str, str, float]] = []  # path, user agent, fake time
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def paths(self) -> list[str]:
        return [path for path, _, _ in self.log]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        with self.server.lock:
            self.server.log.append(
                (self.path, self.headers.get("User-Agent", ""), self.server.clock())
            )
            planned = self.server.failures.get(self.path)
            failure = planned.pop(0) if planned else None
        if failure:
            status, headers, delay = failure
            time.sleep(delay)
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()
            return
        body = self.server.routes.get(self.path)
        self.send_response(200 if body is not None else 404)
        self.end_headers()
        self.wfile.write(body or b"not found")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def server(clock: FakeClock, fixtures: Path) -> Iterator[_Server]:
    srv = _Server(clock)
    base = fixtures / "edgar_online"
    srv.routes = {
        "/files/company_tickers.json": (base / "company_tickers.json").read_bytes(),
        "/submissions/CIK0000999999.json": (base / "CIK0000999999.json").read_bytes(),
        "/submissions/CIK0000999999-submissions-001.json": (
            base / "CIK0000999999-submissions-001.json"
        ).read_bytes(),
        "/Archives/edgar/data/999999/000099999921000009/acme-20210703.htm": (
            base / "acme-10q.htm"
        ).read_bytes(),
        "/Archives/edgar/data/999999/000099999921000007/acme-20210403.htm": (
            base / "acme-10q.htm"
        ).read_bytes(),
        "/Archives/edgar/data/999999/000099999921000004/acme-20201231.htm": (
            base / "acme-10k.htm"
        ).read_bytes(),
        "/Archives/edgar/data/999999/000099999919000002/acme-20181231.htm": (
            base / "acme-10k.htm"
        ).read_bytes(),
    }
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def _client(server: _Server, clock: FakeClock, cache: Path, **kwargs: object) -> EdgarClient:
    return EdgarClient(
        UA,
        cache_dir=cache,
        www_url=server.url,
        data_url=server.url,
        clock=clock,
        sleep=clock.sleep,
        **kwargs,  # type: ignore[arg-type]
    )


def test_a_user_agent_is_required(tmp_path: Path) -> None:
    for empty in ("", "   "):
        with pytest.raises(MissingUserAgentError, match="User-Agent"):
            EdgarClient(empty, cache_dir=tmp_path)


def test_cik_lookup_and_unknown_ticker(server: _Server, clock: FakeClock, tmp_path: Path) -> None:
    with _client(server, clock, tmp_path) as client:
        assert client.cik("acme") == "0000999999"
        assert client.cik("BRK.Z") == "0000777777"
        with pytest.raises(UnknownTickerError, match="'NOPE'.*company_tickers.json"):
            client.cik("NOPE")
    assert {ua for _, ua, _ in server.log} == {UA}
    assert server.paths() == ["/files/company_tickers.json"]  # later lookups hit the cache


def test_index_is_filtered_by_form_and_date(
    server: _Server, clock: FakeClock, tmp_path: Path
) -> None:
    with _client(server, clock, tmp_path) as client:
        recent = client.filings("ACME", since=date(2021, 3, 1))
        assert [(r.form, r.filed) for r in recent] == [
            ("10-Q", date(2021, 8, 6)),
            ("10-Q", date(2021, 5, 7)),
        ]
        assert "/submissions/CIK0000999999-submissions-001.json" not in server.paths()
        annual = client.filings("ACME", forms="10-K")  # one form as a plain string works too
    assert [(r.accession, r.report_date) for r in annual] == [
        ("0000999999-21-000004", date(2020, 12, 31)),
        ("0000999999-19-000002", date(2018, 12, 31)),  # from the older index page
    ]


def test_fetch_filings_builds_documents(server: _Server, clock: FakeClock, tmp_path: Path) -> None:
    with _client(server, clock, tmp_path) as client:
        docs = client.fetch_filings("ACME", since=date(2021, 1, 1))
    assert [(d.id, d.form, d.available_on) for d in docs] == [
        ("0000999999-21-000009", "10-Q", date(2021, 8, 6)),
        ("0000999999-21-000007", "10-Q", date(2021, 5, 7)),
        ("0000999999-21-000004", "10-K", date(2021, 2, 26)),
    ]
    q2, _, annual = docs
    assert (q2.ticker, q2.cik, q2.company, q2.fiscal_period, q2.period_end) == (
        "ACME",
        "0000999999",
        "ACME Widgets Corp.",
        "2021Q2",
        date(2021, 7, 3),
    )
    assert (
        q2.source == f"{server.url}/Archives/edgar/data/999999/000099999921000009/acme-20210703.htm"
    )
    assert "Net sales | $109" in q2.text
    assert (annual.fiscal_period, [s.name for s in annual.sections]) == (
        "FY2020",
        ["Cover", "Item 1", "Item 1A", "Item 7"],
    )


def test_rate_limit_is_respected(
    server: _Server, clock: FakeClock, tmp_path: Path, fixtures: Path
) -> None:
    page = (fixtures / "edgar_online" / "acme-10q.htm").read_bytes()
    accessions = [f"0000888888-20-{k:06d}" for k in range(30)]
    server.routes["/submissions/CIK0000888888.json"] = json.dumps(
        {
            "name": "Beta Corp",
            "fiscalYearEnd": "1231",
            "filings": {
                "recent": {
                    "accessionNumber": accessions,
                    "filingDate": [f"2020-{1 + k // 3:02d}-{10 + k % 3:02d}" for k in range(30)],
                    "reportDate": ["2019-12-31"] * 30,
                    "form": ["10-Q"] * 30,
                    "primaryDocument": ["beta.htm"] * 30,
                }
            },
        }
    ).encode()
    for acc in accessions:
        server.routes[f"/Archives/edgar/data/888888/{acc.replace('-', '')}/beta.htm"] = page
    with _client(server, clock, tmp_path) as client:
        docs = client.fetch_filings("BETA")
    assert len(docs) == 30
    times = [t for _, _, t in server.log]
    assert len(times) == 32  # tickers, submissions, 30 documents
    eps = 1e-6  # the fake clock adds floats
    assert all(b - a >= 0.1 - eps for a, b in zip(times, times[1:], strict=False))
    for start in times:  # no one-second window holds more than 10 requests
        assert sum(start <= t < start + 1.0 - eps for t in times) <= 10
    assert clock.t == pytest.approx(0.1 * 31)  # and the limiter did not wait longer than needed


def test_retry_on_503_then_success(server: _Server, clock: FakeClock, tmp_path: Path) -> None:
    server.failures["/files/company_tickers.json"] = [(503, {}, 0.0), (503, {}, 0.0)]
    with _client(server, clock, tmp_path, backoff_s=1.0) as client:
        assert client.cik("ACME") == "0000999999"
    assert server.paths().count("/files/company_tickers.json") == 3
    assert [s for s in clock.sleeps if s >= 1.0] == [1.0, 2.0]


def test_retry_after_is_honoured_on_429(server: _Server, clock: FakeClock, tmp_path: Path) -> None:
    server.failures["/files/company_tickers.json"] = [(429, {"Retry-After": "7"}, 0.0)]
    with _client(server, clock, tmp_path) as client:
        assert client.cik("ACME") == "0000999999"
    assert 7.0 in clock.sleeps


def test_timeouts_are_retried(server: _Server, clock: FakeClock, tmp_path: Path) -> None:
    server.failures["/files/company_tickers.json"] = [(200, {}, 0.6)]
    with _client(server, clock, tmp_path, timeout_s=0.2) as client:
        assert client.cik("ACME") == "0000999999"
    assert server.paths().count("/files/company_tickers.json") == 2


def test_persistent_failures_raise_named_errors(
    server: _Server, clock: FakeClock, tmp_path: Path
) -> None:
    server.failures["/files/company_tickers.json"] = [(503, {}, 0.0)] * 10
    with _client(server, clock, tmp_path, attempts=3) as client:
        with pytest.raises(EdgarUnavailableError, match="after 3 attempts"):
            client.cik("ACME")
        assert server.paths().count("/files/company_tickers.json") == 3
        server.routes.pop("/submissions/CIK0000999999.json")
        server.failures.clear()
        with pytest.raises(EdgarRequestError, match="HTTP 404"):
            client.filings("ACME")
    assert server.paths().count("/submissions/CIK0000999999.json") == 1  # no retry on 404


def test_cache_hit_avoids_a_second_request(
    server: _Server, clock: FakeClock, tmp_path: Path
) -> None:
    with _client(server, clock, tmp_path / "cache") as client:
        first = client.fetch_filings("ACME", since=date(2021, 1, 1))
    requests = len(server.log)
    assert requests == 5  # tickers, submissions, three documents
    with _client(server, clock, tmp_path / "cache") as client:
        again = client.fetch_filings("ACME", since=date(2021, 1, 1))
    assert again == first
    assert len(server.log) == requests
    later = lambda: time.time() + 2 * 86400  # noqa: E731  (two days on: the index files expired)
    with _client(server, clock, tmp_path / "cache", now=later) as client:
        client.fetch_filings("ACME", since=date(2021, 1, 1))
    assert server.paths()[requests:] == [
        "/files/company_tickers.json",
        "/submissions/CIK0000999999.json",
    ]


def test_index_json_fixture_is_what_the_sec_serves(fixtures: Path) -> None:
    record = json.loads((fixtures / "edgar_online" / "CIK0000999999.json").read_text())
    recent = record["filings"]["recent"]
    assert len({len(v) for v in recent.values()}) == 1  # columnar arrays of equal length
