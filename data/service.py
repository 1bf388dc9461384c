"""``MarketData``: point-in-time daily bars from a chain of providers.

The chain tries providers in order. Each online call goes through the cache, then retries with
backoff, behind a per-provider circuit breaker. The first provider that has rows in the window
wins; its raw bars are trimmed to the window (never a row after ``end``), quality-checked (bad
rows quarantined, never dropped silently), and adjusted as of the window's last day.
"""

from __future__ import annotations

import copy
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from time import perf_counter
from typing import TypeVar

import pandas as pd

from core import metrics, tracing
from core.asof import up_to
from data.bars import Bars, Provenance, adjust_point_in_time, check_range, normalize_ticker
from data.cache import BytesCache, decode_raw, encode_raw
from data.errors import (
    DataError,
    DataUnavailableError,
    EmptyRangeError,
    ProviderError,
    UnknownTickerError,
    UnusableDataError,
)
from data.providers.base import Provider, RawBars
from data.quality import QualityIssue, QualityReport, check_bars, quarantine
from data.resilience import CircuitBreaker, call_with_retry

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ChainPolicy:
    """How hard the chain tries: retries, breaker and cache lifetime."""

    attempts: int = 4
    base_delay_s: float = 1.0
    max_delay_s: float = 4.0
    breaker_threshold: int = 3
    breaker_cooldown_s: float = 300.0
    cache_ttl_s: float = 12 * 3600.0


@dataclass(frozen=True, slots=True)
class Fetched:
    """Raw bars in the requested window, the provider that served them and their quality."""

    raw: pd.DataFrame
    clean: pd.DataFrame
    quarantined: pd.DataFrame
    report: QualityReport
    provenance: Provenance


@dataclass
class _Attempts:
    unknown: list[str] = field(default_factory=list)
    empty: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    transient: bool = False  # a failure that may pass (network, server) was among them
    online: bool = False  # an online source failed: its service is at fault, not the user's data

    def reasons(self) -> str:
        parts = [f"{n}: unknown ticker" for n in self.unknown] + self.empty + self.failed
        return "; ".join(parts)


def _window(frame: pd.DataFrame, start: date | None, end: date) -> pd.DataFrame:
    frame = up_to(frame, as_of=end)
    return frame if start is None else frame.loc[frame.index >= pd.Timestamp(start)]


def _coverage(frame: pd.DataFrame, end: date) -> str:
    """What the source holds, told without describing data after ``end`` (the as-of date): a
    series that starts later says only when it starts."""
    if frame.empty:
        return "no rows at all"
    first, last = frame.index.min().date(), frame.index.max().date()
    if first > end:
        return f"its data start on {first:%Y-%m-%d}, after {end:%Y-%m-%d}"
    return f"has {first:%Y-%m-%d}..{min(last, end):%Y-%m-%d}"


T = TypeVar("T")


class MarketData:
    """Daily bars for a ticker over a window, from the first provider in the chain that has them."""

    def __init__(
        self,
        providers: Sequence[Provider],
        *,
        cache: BytesCache | None = None,
        policy: ChainPolicy = ChainPolicy(),
        calendar: str | None = "XNYS",
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        if not providers:
            raise ValueError("MarketData needs at least one provider")
        self.providers = list(providers)
        self.cache = cache
        self.policy = policy
        self.calendar = calendar
        self._sleep = sleep
        self._now = now
        self.breakers = {
            p.name: CircuitBreaker(
                failure_threshold=policy.breaker_threshold,
                cooldown_s=policy.breaker_cooldown_s,
                clock=clock,
            )
            for p in self.providers
        }

    def last_day(self, *, today: date, tickers: Sequence[str] | None = None) -> date | None:
        """The last day the data hold, when every source is offline (bundled, files, the
        database): the latest bar of ``tickers`` (default: every listed stock) up to ``today``.
        None when a source is online (today's bars may come) or no bar is found."""
        if any(p.online for p in self.providers):
            return None
        listed = (
            list(tickers)
            if tickers is not None
            else [t for p in self.providers for t in (p.tickers() or []) if not t.startswith("^")]
        )
        last: date | None = None
        for ticker in dict.fromkeys(listed):
            try:
                day = self.bars(ticker, end=today).frame.index[-1].date()
            except DataError:
                continue
            last = day if last is None else max(last, day)
        return last

    def remembering(self, size: int = 64) -> MarketData:
        """This market data (same providers, cache, breakers) remembering its last ``size``
        results by (ticker, start, end): a process replaying history over data that do not
        change meanwhile (``signaldesk simulate``) reads and checks a day's bars once, not once
        per job. Not for a process whose database source is loaded while it runs."""
        if size < 1:
            raise ValueError(f"size must be >= 1, got {size}")
        twin = copy.copy(self)
        twin._memo = OrderedDict()
        twin._memo_size = size
        twin._memo_lock = threading.Lock()
        return twin

    _memo: OrderedDict[tuple[str, str, date | None, date], Bars | Fetched] | None = None
    _memo_size = 0
    _memo_lock = threading.Lock()

    def _remembered(self, key: tuple[str, str, date | None, date], make: Callable[[], T]) -> T:
        """``make()``, remembered under ``key`` when remembering (errors are not kept)."""
        memo = self._memo
        if memo is None:
            return make()
        with self._memo_lock:
            if key in memo:
                memo.move_to_end(key)
                return memo[key]  # type: ignore[return-value]
        value = make()
        with self._memo_lock:
            memo[key] = value  # type: ignore[assignment]
            if len(memo) > self._memo_size:
                memo.popitem(last=False)
        return value

    def bars(self, ticker: str, *, start: date | None = None, end: date) -> Bars:
        """Adjusted bars for ``ticker`` in ``[start, end]`` as knowable on ``end``."""

        def make() -> Bars:
            fetched = self.fetch(ticker, start=start, end=end)
            return Bars(frame=adjust_point_in_time(fetched.clean), provenance=fetched.provenance)

        return self._remembered(("bars", normalize_ticker(ticker), start, end), make)

    def fetch(self, ticker: str, *, start: date | None = None, end: date) -> Fetched:
        """Raw bars in the window with their quality report; what ``bars`` and loaders use."""
        symbol = normalize_ticker(ticker)
        check_range(start, end)
        return self._remembered(
            ("fetch", symbol, start, end), lambda: self._fetch(symbol, start, end)
        )

    def _fetch(self, symbol: str, start: date | None, end: date) -> Fetched:
        attempts = _Attempts()
        for provider in self.providers:
            got = self._try(provider, symbol, start, end, attempts)
            if got is not None:
                if attempts.failed:  # said here, not per failure: when all fail, the error does
                    log.warning(
                        "provider failed, fell back",
                        extra={"provider": provider.name, "failed": "; ".join(attempts.failed)},
                    )
                return self._checked(provider, symbol, start, end, *got)
        raise self._failure(symbol, start, end, attempts)

    def _try(
        self, provider: Provider, symbol: str, start: date | None, end: date, attempts: _Attempts
    ) -> tuple[RawBars, datetime, bool] | None:
        breaker = self.breakers[provider.name]
        if not breaker.allow():
            attempts.failed.append(
                f"{provider.name}: skipped, circuit open for {breaker.seconds_left():.0f} s more"
            )
            _observe(provider.name, "skipped", breaker)
            return None
        began = perf_counter()
        with tracing.span(
            f"fetch {provider.name}",
            {"signaldesk.provider": provider.name, "signaldesk.ticker": symbol},
            kind=tracing.SpanKind.CLIENT,
        ) as span:
            status, got = self._attempt(provider, symbol, start, end, attempts, breaker)
            span.set_attribute("signaldesk.status", status)
            if status == "error":
                tracing.set_error(span, attempts.failed[-1][:200])
        _observe(provider.name, status, breaker, seconds=perf_counter() - began)
        return got

    def _attempt(
        self,
        provider: Provider,
        symbol: str,
        start: date | None,
        end: date,
        attempts: _Attempts,
        breaker: CircuitBreaker,
    ) -> tuple[str, tuple[RawBars, datetime, bool] | None]:
        """One provider's try: (status for the metrics, the bars or None)."""
        try:
            raw, fetched_at, cached = self._load(provider, symbol, start, end)
        except UnknownTickerError:
            attempts.unknown.append(provider.name)
            return "unknown", None
        except ProviderError as err:
            # Only a failure that could pass (network, 5xx, rate limit) says the provider is
            # down; a permanent one concerns this request (a corrupt file, a bad symbol) and
            # must not cut the provider off for every other ticker.
            if err.transient:
                breaker.record_failure()
                attempts.transient = True
            attempts.online = attempts.online or provider.online
            log.debug("provider failed", extra={"provider": provider.name, "error": str(err)})
            attempts.failed.append(str(err))
            return "error", None
        breaker.record_success()
        window = _window(raw.frame, start, end)
        if window.empty:
            attempts.empty.append(
                f"{provider.name}: no rows in range ({_coverage(raw.frame, end)})"
            )
            return "empty", None
        trimmed = RawBars(frame=window, source=raw.source, basis=raw.basis, notes=raw.notes)
        return "ok", (trimmed, fetched_at, cached)

    def _load(
        self, provider: Provider, symbol: str, start: date | None, end: date
    ) -> tuple[RawBars, datetime, bool]:
        key = f"bars:v1:{provider.name}:{symbol}:{start}:{end}"
        cache = self.cache if provider.online else None
        if cache is not None:
            blob = cache.get(key)
            metrics.CACHE_REQUESTS.labels("bars", "miss" if blob is None else "hit").inc()
            if blob is not None:
                raw, fetched_at = decode_raw(blob)
                return raw, fetched_at, True
        raw = call_with_retry(
            lambda: provider.fetch(symbol, start=start, end=end),
            attempts=self.policy.attempts,
            base_delay=self.policy.base_delay_s,
            max_delay=self.policy.max_delay_s,
            sleep=self._sleep,
        )
        fetched_at = self._now()
        if cache is not None:
            cache.set(key, encode_raw(raw, fetched_at=fetched_at), ttl_s=self.policy.cache_ttl_s)
        return raw, fetched_at, False

    def _checked(
        self,
        provider: Provider,
        symbol: str,
        start: date | None,
        end: date,
        raw: RawBars,
        fetched_at: datetime,
        cached: bool,
    ) -> Fetched:
        report = check_bars(raw.frame, ticker=symbol, calendar=self.calendar)
        if raw.notes:  # what the provider did on reading (e.g. sorted the rows), as warnings
            notes = (QualityIssue("source_note", "warning", note, ()) for note in raw.notes)
            report = replace(report, issues=(*notes, *report.issues))
        clean, bad = quarantine(raw.frame, report)
        if not bad.empty:
            log.warning(
                "quarantined bad rows",
                extra={"ticker": symbol, "rows": len(bad), "report": report.summary()},
            )
        if clean.empty:
            raise EmptyRangeError(
                f"{symbol}: every bar from {provider.name} in the range failed quality checks; "
                f"run 'signaldesk data check {symbol}' to see why"
            )
        last = clean.index.max().date()
        if clean["adj_close"].notna().any():
            adjustment = (
                f"{raw.basis}; split/dividend-adjusted as of {last.isoformat()} "
                "(factor = adj_close/close, rebased to 1 on the last bar)"
            )
        else:
            adjustment = f"{raw.basis}; used as given (no adjusted close to adjust with)"
        provenance = Provenance(
            provider=provider.name,
            ticker=symbol,
            source=raw.source,
            fetched_at=fetched_at,
            adjustment=adjustment,
            start=clean.index.min().date(),
            end=last,
            rows=len(clean),
            cached=cached,
            quarantined=len(bad),
            notes=tuple(issue.message for issue in report.issues),
        )
        return Fetched(
            raw=raw.frame, clean=clean, quarantined=bad, report=report, provenance=provenance
        )

    def _failure(
        self, symbol: str, start: date | None, end: date, attempts: _Attempts
    ) -> Exception:
        names = [p.name for p in self.providers]
        if attempts.failed and (attempts.transient or attempts.online):
            return DataUnavailableError(
                f"no data for {symbol}: {attempts.reasons()}. "
                "Check the network or try another --source"
            )
        if attempts.failed:  # a local file is unusable (corrupt, malformed): not the network
            return UnusableDataError(
                f"no usable data for {symbol}: {attempts.reasons()}. "
                "Fix the data or try another --source"
            )
        if attempts.empty:
            span = f"{start.isoformat() if start else 'the beginning'}..{end.isoformat()}"
            return EmptyRangeError(
                f"{symbol} has no bars in {span} ({attempts.reasons()}); "
                "pick dates inside that coverage"
            )
        return UnknownTickerError(
            symbol, providers=names, hint="Check the symbol, or add a source with --source."
        )


_BREAKER_CODES = {"closed": 0, "half-open": 1, "open": 2}


def _observe(
    provider: str, status: str, breaker: CircuitBreaker, *, seconds: float | None = None
) -> None:
    """A provider attempt into the metrics; the breaker gauge holds its state after it."""
    metrics.PROVIDER_REQUESTS.labels(provider, status).inc()
    if seconds is not None:
        metrics.PROVIDER_SECONDS.labels(provider).observe(seconds)
    metrics.BREAKER_STATE.labels(provider).set(_BREAKER_CODES[breaker.state])
