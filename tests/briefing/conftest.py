"""Fixtures for the briefing tests: offline agents on the bundled data, optionally behind
providers that fail or hang for one ticker, and a briefing already run (module-scoped)."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from agent.deps import deps_from_settings
from agent.runner import Agent
from briefing import BriefingReport, Watchlist, run_briefing
from core.settings import load_settings
from data.errors import ProviderError
from data.providers.base import RawBars
from data.providers.bundled import BundledProvider
from data.service import MarketData
from data.store import make_engine, upgrade
from tests.conftest import isolate
from tests.data.store.conftest import engine, pg_admin, pg_schema, pg_url  # noqa: F401

AS_OF = date(2013, 2, 28)
FOUR = Watchlist.of(["AAPL", "MSFT", "IBM", "GOOG"])


class FailingFor:
    """The bundled data, except that fetching ``bad`` fails (a malformed file)."""

    online = False
    name = "flaky"

    def __init__(self, bad: str) -> None:
        self.inner = BundledProvider()
        self.bad = bad

    def tickers(self) -> list[str] | None:
        return self.inner.tickers()

    def fetch(self, ticker: str, *, start: date | None, end: date) -> RawBars:
        if ticker == self.bad:
            raise ProviderError(self.name, "feed returned a malformed file", transient=False)
        return self.inner.fetch(ticker, start=start, end=end)


class HangingFor(FailingFor):
    """Fetching ``bad`` blocks until ``release`` is set (at most 30 s)."""

    def __init__(self, bad: str) -> None:
        super().__init__(bad)
        self.release = threading.Event()

    def fetch(self, ticker: str, *, start: date | None, end: date) -> RawBars:
        if ticker == self.bad:
            self.release.wait(30)
        return self.inner.fetch(ticker, start=start, end=end)


def offline_agent(*providers: object) -> Agent:
    """The offline planner; its tools read ``providers`` when given, else the settings."""
    settings = load_settings()
    deps = deps_from_settings(settings, model=None)
    if providers:
        base = deps.context_for(AS_OF)
        market = MarketData(list(providers), calendar=settings.calendar)  # type: ignore[arg-type]

        def context_for(day: date):  # noqa: ANN202
            return dataclasses.replace(base, as_of=day, market=market)

        deps = dataclasses.replace(deps, context_for=context_for)
    return Agent(deps)


@pytest.fixture(scope="module")
def isolated_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A SIGNALDESK_HOME for module-scoped fixtures (the autouse one is per test)."""
    root = tmp_path_factory.mktemp("briefing-home")
    with pytest.MonkeyPatch.context() as mp:
        isolate(mp, root)
        yield root


@pytest.fixture(scope="module")
def four_agent(isolated_home: Path) -> Agent:
    return offline_agent()


@pytest.fixture(scope="module")
def four_report(four_agent: Agent) -> BriefingReport:
    """The four-ticker briefing at 2013-02-28 (no previous briefing)."""
    return run_briefing(four_agent, four_agent.deps.context_for(AS_OF), watchlist=FOUR)


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Engine:
    eng = make_engine(f"sqlite:///{tmp_path / 'briefings.db'}")
    upgrade(eng)
    return eng
