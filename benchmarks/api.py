"""Serving API benchmark: a real ``signaldesk serve`` on a loopback port under concurrent users.

Run from the repository root::

    python -m benchmarks.api                  # 60 s per phase, 2 workers
    python -m benchmarks.api --seconds 10     # quicker

In a temporary ``SIGNALDESK_HOME`` (bundled prices, no LLM), one server process with
``--workers`` uvicorn workers; the load generator (asyncio + httpx) runs in this process on the
same machine, so the numbers include its own CPU use on the 2 shared cores.

A user sends a request, reads the answer, waits ``--think`` seconds (uniform 0.5x..1.5x; 1 s by
default: a program polling signals, a person in a dashboard), and sends the next: 100 users
offer about 100 requests a second. Phases, each ``--seconds`` long:

1. baseline: ``GET /healthz`` by the same users (the framework and loopback floor);
2. warm: ``GET /v1/signal/{ticker}?as_of=`` over 20 (ticker, date) pairs requested once before
   (cache hits), 100 users. Target: p95 < 100 ms, no errors;
3. cold: every request a (ticker, date) pair not asked before (cache misses: the computation),
   100 users; reported;
4. saturation: the warm requests with no think time (each user sends as soon as it has its
   answer): the most requests a second the server answers; reported;
5. ask: ``POST /v1/ask`` (the offline planner) with 20 users; p95 reported, no errors;
6. watchlists: ``POST /v1/signals`` with 50 and with 500 synthetic tickers (those of
   ``benchmarks.briefing``: bundled series rescaled and perturbed, read through a ``csv:``
   source), cold (first request) and warm (the same request again), beside the per-ticker path:
   the same 50 tickers by ``GET /v1/signal`` one after another, cold. Targets: 50 tickers
   < 2 s warm, 500 < 10 s warm.

Each phase prints p50/p95/p99, requests per second and errors, and the ratio of its p95 to the
baseline's. Exit status 1 when a target is missed or any request failed.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import itertools
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import httpx
import numpy as np

from benchmarks.briefing import synthetic_prices

TICKERS = ("AAPL", "MSFT", "IBM", "GOOG")
EXE = [sys.executable, "-c", "from cli import main; main()"]


@dataclass
class Phase:
    name: str
    users: int
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0
    kinds: Counter[str] = field(default_factory=Counter)  # what the errors were

    def line(self, baseline: Phase | None) -> str:
        ms = np.array(self.latencies) * 1000 if self.latencies else np.array([np.nan])
        p50, p95, p99 = np.percentile(ms, [50, 95, 99])
        rate = len(self.latencies) / self.seconds if self.seconds else 0.0
        ratio = ""
        if baseline is not None and baseline.latencies:
            floor = np.percentile(np.array(baseline.latencies) * 1000, 95)
            ratio = f"  p95 {p95 / floor:.1f}x baseline"
        return (
            f"{self.name:<8} users {self.users:>3}  requests {len(self.latencies):>6}  "
            f"{rate:7.1f}/s  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  p99 {p99:7.1f} ms  "
            f"errors {self.errors}{ratio}"
            + (f" ({', '.join(f'{k}: {n}' for k, n in self.kinds.items())})" if self.kinds else "")
        )

    def p95_ms(self) -> float:
        return float(np.percentile(np.array(self.latencies) * 1000, 95))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _days() -> Iterator[date]:
    """Weekdays from 2013-02-28 backwards (the bundled data's range): distinct as-of dates."""
    day = date(2013, 2, 28)
    while day > date(2006, 1, 1):
        if day.weekday() < 5:
            yield day
        day -= timedelta(days=1)


async def _run(
    phase: Phase,
    client: httpx.AsyncClient,
    seconds: float,
    send: Callable[[], object],
    *,
    think: float,
) -> Phase:
    deadline = time.perf_counter() + seconds
    rng = random.Random(7)

    async def user() -> None:
        await asyncio.sleep(rng.uniform(0, think))  # users arrive spread over a think time
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                response = await send()  # type: ignore[misc]
                kind = "" if response.status_code == 200 else f"HTTP {response.status_code}"
            except httpx.HTTPError as err:
                kind = type(err).__name__
            if not kind:
                phase.latencies.append(time.perf_counter() - started)
            else:
                phase.errors += 1
                phase.kinds[kind] += 1
            if think:
                await asyncio.sleep(rng.uniform(0.5 * think, 1.5 * think))

    started = time.perf_counter()
    await asyncio.gather(*(user() for _ in range(phase.users)))
    phase.seconds = time.perf_counter() - started
    return phase


async def _bench(
    base: str, token: str, seconds: float, users: int, ask_users: int, think: float
) -> list[Phase]:
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=60) as c:
        warm_pairs = list(itertools.islice(itertools.product(TICKERS, _days()), 20))
        for ticker, day in warm_pairs:  # fill the cache
            (await c.get(f"/v1/signal/{ticker}?as_of={day}")).raise_for_status()
        warm = itertools.cycle(warm_pairs)
        fresh = ((t, d) for d in itertools.islice(_days(), 30, None) for t in TICKERS)
        questions = itertools.cycle(
            [f"What is {t}'s RSI?" for t in TICKERS] + [f"Should I buy {t}?" for t in TICKERS]
        )
        phases = []
        run = functools.partial(_run, client=c, seconds=seconds, think=think)
        phases.append(await run(Phase("baseline", users), send=lambda: c.get("/healthz")))

        def signal(pairs: Iterator[tuple[str, date]]) -> Callable[[], object]:
            def send() -> object:
                ticker, day = next(pairs)
                return c.get(f"/v1/signal/{ticker}?as_of={day}")

            return send

        phases.append(await run(Phase("warm", users), send=signal(warm)))
        phases.append(await run(Phase("cold", users), send=signal(fresh)))
        saturation = Phase("saturate", users)
        phases.append(
            await _run(saturation, client=c, seconds=seconds, send=signal(warm), think=0.0)
        )
        body = lambda: {"question": next(questions), "as_of": "2012-06-29"}  # noqa: E731
        phases.append(
            await run(Phase("ask", ask_users), send=lambda: c.post("/v1/ask", json=body()))
        )
    return phases


def _watchlists(base: str, token: str, names: list[str]) -> list[tuple[str, float, bool]]:
    """(label, seconds, ok) of the watchlist requests (see the module docstring, phase 6)."""
    headers = {"Authorization": f"Bearer {token}"}
    timed: list[tuple[str, float, bool]] = []
    with httpx.Client(base_url=base, headers=headers, timeout=600) as client:
        for n in (50, 500):
            body = {"tickers": names[:n], "as_of": "2013-02-28"}
            for label in ("cold", "warm"):
                started = time.perf_counter()
                got = client.post("/v1/signals", json=body)
                ok = got.status_code == 200 and all("signal" in r for r in got.json()["signals"])
                timed.append(
                    (f"POST /v1/signals {n} tickers, {label}", time.perf_counter() - started, ok)
                )
        started = time.perf_counter()
        oks = [
            client.get(f"/v1/signal/{t}?as_of=2013-02-27").status_code == 200 for t in names[:50]
        ]
        timed.append(("GET /v1/signal x 50 tickers, cold", time.perf_counter() - started, all(oks)))
    return timed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--ask-users", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--think", type=float, default=1.0, help="seconds between a user's requests"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="signaldesk-bench-api-") as tmp:
        names = synthetic_prices(Path(tmp) / "prices", 500)
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("SIGNALDESK_")},
            "SIGNALDESK_HOME": os.path.join(tmp, "home"),
            "SIGNALDESK_PROFILE": "test",
            "SIGNALDESK_API_BURST": "1000000",
            "SIGNALDESK_SOURCES": f"bundled,csv:{Path(tmp) / 'prices'}",
        }
        made = subprocess.run(
            [
                *EXE,
                "serve",
                "keys",
                "create",
                "bench",
                "--scope",
                "read",
                "--scope",
                "ask",
                "--rate",
                "1e9",
            ],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        key = made.stdout.strip()
        port = _free_port()
        server = subprocess.Popen(
            [*EXE, "serve", "--port", str(port), "--workers", str(args.workers)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 90
            while True:
                try:
                    if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    print(server.stderr.read() if server.stderr else "", file=sys.stderr)
                    return 1
                time.sleep(0.3)
            token = httpx.post(f"{base}/v1/token", data={"client_secret": key}).json()
            watchlists = _watchlists(base, token["access_token"], names)
            phases = asyncio.run(
                _bench(
                    base,
                    token["access_token"],
                    args.seconds,
                    args.users,
                    args.ask_users,
                    args.think,
                )
            )
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
    baseline = phases[0]
    print(
        f"signaldesk serve --workers {args.workers}; {args.seconds:g} s per phase; think time "
        f"{args.think:g} s (none in saturate); loopback, generator on the same machine"
    )
    for phase in phases:
        print(phase.line(None if phase is baseline else baseline))
    for label, seconds, ok in watchlists:
        print(f"{label:<40} {seconds:7.2f} s{'' if ok else '  (failed)'}")
    per_ticker = watchlists[-1][1]
    print(f"POST /v1/signals 50 cold is {per_ticker / watchlists[0][1]:.1f}x faster than 50 GETs")
    warm = phases[1]
    failed = sum(p.errors for p in phases) + sum(not ok for _, _, ok in watchlists)
    fifty, five_hundred = watchlists[1][1], watchlists[3][1]
    verdicts = [
        ("warm GET /v1/signal p95 < 100 ms", warm.p95_ms() < 100.0, f"{warm.p95_ms():.1f} ms"),
        ("POST /v1/signals 50 tickers warm < 2 s", fifty < 2.0, f"{fifty:.2f} s"),
        ("POST /v1/signals 500 tickers warm < 10 s", five_hundred < 10.0, f"{five_hundred:.2f} s"),
        ("no failed requests", failed == 0, f"{failed} failed"),
    ]
    for name, ok, value in verdicts:
        print(f"{'PASS' if ok else 'FAIL'} {name}: {value}")
    return 0 if all(ok for _, ok, _ in verdicts) else 1


if __name__ == "__main__":
    raise SystemExit(main())
