"""An online provider that flaps: a real HTTP server on 127.0.0.1 in place of Yahoo's chart API,
failing every other request, hanging, or answering garbage, HTML or nothing. The chain retries
what is transient, opens the provider's breaker after repeated failures, falls back to the next
source, and says in one line what went wrong when nothing is left.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from core.settings import Settings
from tests.reliability.conftest import Home, make_home

# real processes on a shared 2-core machine: bounded, but above the suite's 300 s default
pytestmark = [pytest.mark.reliability, pytest.mark.timeout(900)]

CHART = (Path(__file__).parents[1] / "data" / "fixtures" / "yahoo_chart_splt.json").read_bytes()
BUNDLED_DAYS = ("2012-01-03", "2012-03-30")  # inside the bundled fallback's coverage
CHART_DAYS = ("2024-06-03", "2024-06-10")  # inside the served chart's coverage
LOG_LINE = re.compile(r"^\d\d:\d\d:\d\d (DEBUG|INFO|WARNING|ERROR) ")  # the console log's lines
HANG_S = 2.0  # longer than the client's timeout below, bounded so the server thread ends


@dataclass
class Flapping:
    """What the server answers: ``mode`` for each request, counted in ``requests``."""

    mode: str = "ok"
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self) -> tuple[int, str, bytes]:
        with self.lock:
            self.requests += 1
            n = self.requests
        if self.mode == "every-other" and n % 2 == 1:
            return 503, "text/plain", b"busy"
        if self.mode == "down":
            return 500, "text/plain", b"internal error"
        if self.mode == "hang":
            time.sleep(HANG_S)
        return {
            "garbage": (200, "application/json", bytes(range(256)) * 4),
            "html": (200, "text/html", b"<html><body><h1>Service unavailable</h1></body></html>"),
            "empty": (200, "application/json", b""),
        }.get(self.mode, (200, "application/json", CHART))


@pytest.fixture
def server() -> Iterator[tuple[Flapping, str]]:
    state = Flapping()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            status, kind, body = state.answer()
            try:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (its timeout): nothing to answer

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def _settings(home: Path, url: str, **extra: object) -> dict[str, str]:
    values = {
        "yahoo_base_url": url,
        "http_timeout_s": "0.5",
        "retry_attempts": "3",
        "retry_base_delay_s": "0.01",
        "retry_max_delay_s": "0.02",
    }
    return values | {k: str(v) for k, v in extra.items()}


def _home(tmp_path: Path, url: str, **extra: object) -> Home:
    return make_home(tmp_path / "home", **_settings(tmp_path, url, **extra))


def _fetch(
    home: Home, sources: str, *, days: tuple[str, str] = BUNDLED_DAYS
) -> tuple[int, str, str]:
    args = ("data", "fetch", "AAPL", "--start", days[0], "--end", days[1])
    done = home.run(*args, "--source", sources, "--json", timeout=60)
    return done.returncode, done.stdout, done.stderr


def test_every_other_request_failing_is_retried_and_served(
    server: tuple[Flapping, str], tmp_path: Path
) -> None:
    state, url = server
    state.mode = "every-other"
    code, out, err = _fetch(_home(tmp_path, url), "yahoo", days=CHART_DAYS)
    assert code == 0, err
    assert json.loads(out)["provenance"]["provider"] == "yahoo"
    assert state.requests == 2  # one failure, one retry that worked


@pytest.mark.parametrize("mode", ["down", "hang", "garbage", "html", "empty"])
def test_a_broken_provider_falls_back_to_the_next_source(
    server: tuple[Flapping, str], tmp_path: Path, mode: str
) -> None:
    state, url = server
    state.mode = mode
    code, out, err = _fetch(_home(tmp_path, url), "yahoo,bundled")
    assert code == 0, err
    assert json.loads(out)["provenance"]["provider"] == "bundled"


@pytest.mark.parametrize("mode", ["down", "hang", "garbage", "html", "empty"])
def test_a_broken_provider_alone_gives_one_line_and_exit_3(
    server: tuple[Flapping, str], tmp_path: Path, mode: str
) -> None:
    state, url = server
    state.mode = mode
    code, out, err = _fetch(_home(tmp_path, url), "yahoo")
    assert code == 3, err
    assert "Traceback" not in err and out == ""
    # the retries are logged as they happen; the outcome is one line that names the provider
    (said,) = [line for line in err.strip().splitlines() if not LOG_LINE.match(line)]
    assert said.startswith("error: ") and "yahoo" in said


def test_the_breaker_stops_calling_a_provider_that_keeps_failing(
    server: tuple[Flapping, str], tmp_path: Path
) -> None:
    from agent.services import build_market_data

    state, url = server
    state.mode = "down"
    settings = Settings(home=tmp_path / "home", **_settings(tmp_path, url))  # type: ignore[arg-type]
    market = build_market_data(settings, sources="yahoo,bundled")
    for ticker in ("AAPL", "MSFT", "IBM", "GOOG", "^GSPC"):
        frame = market.bars(ticker, start=date(2012, 1, 3), end=date(2012, 3, 30))
        assert len(frame) > 50 and frame.provenance.provider == "bundled"
    # three tickers' worth of retries opened the breaker; the last two never reached the server
    assert state.requests == settings.breaker_threshold * settings.retry_attempts
