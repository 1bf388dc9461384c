"""Readiness of a SignalDesk process: can it do its work now?

Every long-running process (the API, the chat, the worker) answers ``GET /readyz`` with
``Readiness.as_json()``: ``{"ready": bool, "checks": {name: {"status", "detail", ...}}}``, 200
when ready and 503 when not. A check's status is ``ok``, ``warning`` (worth a look, still
ready) or ``error`` (not ready):

- ``database``: ``SELECT 1`` answers and the schema is at the newest migration;
- ``cache``: a read round trip;
- ``data``: the configured sources (none is an error) and the data's freshness: the last bar
  of each ticker (from the loop's latest data checks, else from the bars stored in the
  database) against the as-of day; more than ``stale_after_days`` behind is a warning, never
  unready (the process still answers; the data alert says what to do);
- ``models``: the registry folder is readable, its cards and champions log parse; how many
  models and champions it has.

A check never raises: what fails is reported. ``Dependencies`` holds what a process checks and
runs the checks (``check()``), from a probe's thread: they block.
"""

from __future__ import annotations

import functools
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from core.asof import today

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from core.settings import Settings

__all__ = [
    "Check",
    "Dependencies",
    "Readiness",
    "check_cache",
    "check_data",
    "check_database",
    "check_models",
    "freshness",
    "latest_revision",
]

Status = Literal["ok", "warning", "error"]
_PROBE_KEY = "signaldesk:readyz"
_CHECKS_LOOKBACK = timedelta(days=90)  # data checks older than this are not read


class Cache(Protocol):
    def get(self, key: str) -> object: ...


class Source(Protocol):
    name: str
    online: bool


@dataclass(frozen=True)
class Check:
    """One dependency's state: ``detail`` a line for people, ``info`` fields for programs."""

    status: Status
    detail: str
    info: Mapping[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"status": self.status, "detail": self.detail, **self.info}


def _failed(err: BaseException, **info: Any) -> Check:  # noqa: ANN401
    first = (str(err).splitlines() or [""])[0][:200] or type(err).__name__
    return Check("error", first, {"error": type(err).__name__, **info})


def _ms(began: float) -> float:
    return round((time.perf_counter() - began) * 1000, 1)


@dataclass(frozen=True)
class Readiness:
    checks: Mapping[str, Check]

    @property
    def ready(self) -> bool:
        return all(c.status != "error" for c in self.checks.values())

    @property
    def status_code(self) -> int:
        return 200 if self.ready else 503

    def with_checks(self, **more: Check) -> Readiness:
        return Readiness({**self.checks, **more})

    def as_json(self) -> dict[str, Any]:
        return {
            "ready": self.ready,
            "checks": {name: check.as_json() for name, check in self.checks.items()},
        }


@functools.cache
def latest_revision() -> str | None:
    """The newest migration the code ships (read once)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from data.store.migrate import SCRIPT_LOCATION

    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    return ScriptDirectory.from_config(config).get_current_head()


def check_database(engine: Engine) -> Check:
    """``SELECT 1``, then the schema's revision against the newest."""
    from data.store import current_revision, ping

    began = time.perf_counter()
    try:
        ping(engine)
        at = current_revision(engine)
        newest = latest_revision()
    except Exception as err:  # reported, not raised: this check says what is down
        return _failed(err)
    info = {"dialect": engine.dialect.name, "revision": at, "latest": newest, "ms": _ms(began)}
    if at != newest:
        why = f"the schema is at {at or 'no revision'}, the code needs {newest}"
        return Check("error", f"{why}: run signaldesk db upgrade", info)
    return Check("ok", f"{engine.dialect.name}, schema at the newest revision", info)


def check_cache(cache: Cache, *, kind: str) -> Check:
    """A read of a key nobody writes: the cache answers (a miss is an answer)."""
    began = time.perf_counter()
    try:
        cache.get(_PROBE_KEY)
    except Exception as err:  # reported, not raised
        return _failed(err, kind=kind)
    return Check("ok", f"{kind} cache answers", {"kind": kind, "ms": _ms(began)})


def _last_bars(engine: Engine, as_of: date) -> tuple[str, dict[str, date]]:
    """Each ticker's last bar as the loop's latest data checks saw it, else as stored."""
    from data.store import BarStore, DriftCheckStore

    checks = DriftCheckStore(engine).checks(
        as_of=as_of, since=as_of - _CHECKS_LOOKBACK, scope="data"
    )
    if len(checks):
        latest = checks.groupby("subject", sort=True).tail(1)
        found = {
            str(row["subject"]): date.fromisoformat(str(bar))
            for row in latest.to_dict("records")
            if (bar := (row["details"] or {}).get("last_bar"))
        }
        if found:
            return "data_checks", found
    stored: dict[str, date] = {}
    for summary in BarStore(engine).tickers():
        day = summary["last_date"]
        stored[summary["ticker"]] = max(day, stored.get(summary["ticker"], day))
    return ("database", stored) if stored else ("none", {})


def freshness(engine: Engine, *, as_of: date, stale_after_days: int) -> Check:
    """Each ticker's last bar against ``as_of``: a warning when one is more than
    ``stale_after_days`` calendar days behind (or when they cannot be read)."""
    try:
        source, last = _last_bars(engine, as_of)
    except Exception as err:  # reported, not raised
        return Check("warning", f"could not be read: {_failed(err).detail}")
    info: dict[str, Any] = {
        "as_of": as_of.isoformat(),
        "stale_after_days": stale_after_days,
        "source": source,
        "tickers": len(last),
    }
    if not last:
        return Check("ok", "no data checked or stored yet", info)
    stale = {
        ticker: {"last_bar": day.isoformat(), "days": (as_of - day).days}
        for ticker, day in sorted(last.items())
        if (as_of - day).days > stale_after_days
    }
    info |= {"newest_bar": max(last.values()).isoformat(), "stale": stale}
    if stale:
        names = ", ".join(list(stale)[:10]) + (" ..." if len(stale) > 10 else "")
        line = f"{len(stale)} of {len(last)} tickers end more than {stale_after_days} days"
        return Check("warning", f"{line} before {as_of}: {names}", info)
    return Check("ok", f"{len(last)} tickers within {stale_after_days} days of {as_of}", info)


def check_data(
    sources: Sequence[Source], fresh: Check | None = None, *, error: str | None = None
) -> Check:
    """The configured sources (``error``: why they could not be built), with the data's
    freshness (``fresh``) nested; a stale warning makes this check a warning."""
    if error is not None or not sources:
        return Check("error", error or "no data source is configured", {"sources": []})
    names = [s.name for s in sources]
    info: dict[str, Any] = {"sources": names, "online": any(s.online for s in sources)}
    detail = f"sources: {', '.join(names)}"
    if fresh is None:
        return Check("ok", detail, info)
    info["freshness"] = fresh.as_json()
    if fresh.status != "ok":
        return Check("warning", f"{detail}; {fresh.detail}", info)
    return Check("ok", detail, info)


def check_models(models_dir: Path) -> Check:
    """The registry under ``models_dir``: none yet is fine; a folder that cannot be read, a
    card or a champions log that does not parse is an error."""
    if not models_dir.exists():
        return Check("ok", "no model registered yet", {"registered": 0, "champions": 0})
    if not models_dir.is_dir():
        return Check("error", "the models path is not a folder")
    if not os.access(models_dir, os.R_OK | os.X_OK):
        return Check("error", "the models folder cannot be read")
    from quant.models import ModelRegistry

    try:
        registry = ModelRegistry(models_dir)
        registered = len(registry.list())
        champions = registry.champions()
    except Exception as err:  # reported, not raised
        return _failed(err)
    info = {"registered": registered, "champions": len(champions)}
    return Check("ok", f"{registered} models registered, {len(champions)} champions", info)


def settings_cache(settings: Settings) -> tuple[str, Cache]:
    """The cache the process's data reads go through, as a probe whose reads raise when it
    cannot be reached (the data cache itself reads such a failure as a miss)."""
    if settings.redis_url is None:
        from data.cache import DiskCache

        return "disk", DiskCache(settings.cache_dir / "http")
    import redis

    from core.settings import SettingsError

    try:
        client = redis.Redis.from_url(
            settings.redis_url.get_secret_value(), socket_timeout=2.0, socket_connect_timeout=2.0
        )
    except ValueError as err:  # a malformed URL or port (the message holds no secret)
        raise SettingsError(f"SIGNALDESK_REDIS_URL: {str(err).splitlines()[0]}") from None
    return "redis", client


@dataclass
class Dependencies:
    """What a process needs, and their checks. ``as_of``: the day the data's freshness is
    judged at (the process's default as-of day); freshness is read at most every
    ``freshness_ttl_s`` seconds (a probe may come every few seconds)."""

    engine: Engine
    cache: Cache
    cache_kind: str
    sources: Callable[[], Sequence[Source]]
    models_dir: Path
    stale_after_days: int
    as_of: Callable[[], date] = today
    freshness_ttl_s: float = 60.0
    _fresh: tuple[float, Check] | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        engine: Engine,
        sources: Callable[[], Sequence[Source]],
        as_of: Callable[[], date] = today,
    ) -> Dependencies:
        kind, cache = settings_cache(settings)
        return cls(
            engine=engine,
            cache=cache,
            cache_kind=kind,
            sources=sources,
            models_dir=settings.models_dir,
            stale_after_days=settings.stale_after_days,
            as_of=as_of,
        )

    def check(self) -> Readiness:
        return Readiness(
            {
                "database": check_database(self.engine),
                "cache": check_cache(self.cache, kind=self.cache_kind),
                "data": self._data(),
                "models": check_models(self.models_dir),
            }
        )

    def _data(self) -> Check:
        try:
            sources = self.sources()
        except Exception as err:  # reported, not raised
            return check_data([], error=_failed(err).detail)
        return check_data(sources, self._freshness())

    def _freshness(self) -> Check:
        """The data's freshness at the as-of day, found again once ``freshness_ttl_s`` passed
        (finding the as-of day may read the data)."""
        with self._lock:
            kept = self._fresh
            if kept is not None and time.monotonic() - kept[0] < self.freshness_ttl_s:
                return kept[1]
        try:
            day = self.as_of()
        except Exception as err:  # reported, not raised
            fresh = Check("warning", f"the as-of day could not be found: {_failed(err).detail}")
        else:
            fresh = freshness(self.engine, as_of=day, stale_after_days=self.stale_after_days)
        with self._lock:
            self._fresh = (time.monotonic(), fresh)
        return fresh
