"""What the API's routes share, built once per process from the settings: the database and its
keys, the token issuer, the rate-limit buckets, the response cache, the tool context the
computations start from, and the agent (built on first ``/v1/ask``)."""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.engine import Engine

from api.cache import MemoryCache, ResponseCache, folder_version
from api.jobs import JobRunner, JobStore
from api.keys import KeyStore
from api.limits import Buckets, MemoryBuckets
from api.tokens import TokenIssuer
from core.asof import today
from core.secrets import checked_secret, home_secret
from core.settings import Settings, SettingsError
from tools.context import ToolContext

__all__ = ["Services", "api_secrets", "build_services"]

log = logging.getLogger(__name__)

_LAST_DAY_TTL_S = 60.0  # new bars show in an undated request's default date within a minute


def api_secrets(settings: Settings) -> list[str]:
    """The token secrets: ``SIGNALDESK_API_SECRETS`` (the first signs), else in dev and test
    one generated under home; ``prod`` refuses to start without the setting."""
    env = "SIGNALDESK_API_SECRETS"
    if settings.api_secrets is not None:
        parts = [p for p in settings.api_secrets.get_secret_value().split(",") if p.strip()]
        if not parts:
            raise SettingsError(f"{env} is empty: give one or more secrets, comma-separated")
        return [checked_secret(p, env=env) for p in parts]
    if settings.profile == "prod":
        raise SettingsError(
            f"the prod profile needs {env}: the API will not sign tokens with a generated secret "
            "(python -c 'import secrets; print(secrets.token_urlsafe(48))')"
        )
    path = settings.home / "api" / ".token_secret"
    return [home_secret(None, env=env, path=path, what="API token secret", losing="tokens end")]


@dataclass
class Services:
    settings: Settings
    engine: Engine
    keys: KeyStore
    tokens: TokenIssuer
    buckets: Buckets
    cache: ResponseCache
    base: ToolContext
    jobs: JobRunner
    _agent: Any = None
    _agent_lock: threading.Lock = field(default_factory=threading.Lock)
    _open: ExitStack = field(default_factory=ExitStack)
    # ticker -> (when, the default as-of): finding the data's last day reads the bars
    _last_days: dict[str | None, tuple[float, date]] = field(default_factory=dict)

    def context(self, as_of: date) -> ToolContext:
        """The tool context of one request, at ``as_of``."""
        return dataclasses.replace(self.base, as_of=as_of)

    def default_as_of(self, ticker: str | None) -> date:
        """A request with no ``as_of``: the last day offline data hold for the ticker (see
        ``Settings.as_of_default``), else today."""
        now = today()
        if self.settings.as_of_default != "data":
            return now
        seen = self._last_days.get(ticker)
        if seen is not None and time.monotonic() - seen[0] < _LAST_DAY_TTL_S and seen[1] <= now:
            return seen[1]
        try:
            last = self.base.market.last_day(today=now, tickers=[ticker] if ticker else None)
        except (LookupError, ValueError):
            return now
        self._last_days[ticker] = (time.monotonic(), last or now)
        return last or now

    def versions(self, ticker: str | None = None) -> dict[str, str]:
        """What, besides the request, a computed response about ``ticker`` depends on."""
        return {
            "config": self.base.config.fingerprint(),
            "models": folder_version(self.settings.models_dir),
            "data": self._data_version(ticker),
        }

    def _data_version(self, ticker: str | None) -> str:
        """Per source: its price files' newest time (files), when the ticker's stored bars last
        changed (the database); nothing for sources that only a TTL bounds (online)."""
        parts = []
        for provider in self.base.market.providers:
            folder = getattr(provider, "directory", None)
            version = getattr(provider, "version", None)
            if folder is not None:
                parts.append(f"{provider.name}:{folder_version(folder)}")
            elif callable(version) and ticker is not None:
                parts.append(f"{provider.name}:{version(ticker)}")
            else:
                parts.append(provider.name)
        return "|".join(parts)

    def agent(self) -> Any:  # noqa: ANN401 - agent.runner.Agent, built on first use
        """The agent, with its threads on the configured database (so a thread goes on
        whichever worker or replica takes the next turn)."""
        with self._agent_lock:
            if self._agent is None:
                from agent.runner import open_agent

                self._agent = self._open.enter_context(open_agent(self.settings))
            return self._agent

    def close(self) -> None:
        self.jobs.close()
        self._open.close()
        self.engine.dispose()


def build_services(settings: Settings, *, buckets: Buckets | None = None) -> Services:
    from agent.services import build_tool_context
    from data.store import make_engine, upgrade

    engine = make_engine(settings.sqlalchemy_url)
    upgrade(engine)
    cache: ResponseCache = MemoryCache()
    if settings.redis_url is not None:
        from api.cache import RedisCache
        from api.limits import RedisBuckets

        client = _redis(settings)
        cache = RedisCache(client)
        buckets = buckets or RedisBuckets(client)
    jobs = JobStore(engine)
    jobs.abandon_stalled()
    return Services(
        settings=settings,
        engine=engine,
        keys=KeyStore(engine),
        tokens=TokenIssuer(api_secrets(settings), ttl_s=settings.api_token_ttl_s),
        buckets=buckets or MemoryBuckets(),
        cache=cache,
        base=build_tool_context(settings, as_of=today()),
        jobs=JobRunner(jobs),
    )


def _redis(settings: Settings) -> Any:  # noqa: ANN401 - redis.Redis
    import redis

    assert settings.redis_url is not None
    return redis.Redis.from_url(
        settings.redis_url.get_secret_value(), socket_timeout=2.0, socket_connect_timeout=2.0
    )
