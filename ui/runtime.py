"""The web chat's long-lived services, opened once per process: the agents (offline planner,
and the configured endpoint when there is one) on one thread checkpointer, the logins, the chat
history store and the product database (briefings).

``configure(settings)`` opens them (``signaldesk ui`` does, before serving); ``current()``
returns them, opening them from the environment's settings when nothing configured them (as
under ``chainlit run ui/app.py``). Opening is blocking: never call it on the event loop.
``iterate_in_thread`` runs a blocking generator (``Agent.stream``) in one worker thread and
hands its items to the event loop as they come.
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

from sqlalchemy.engine import Engine

from agent.deps import deps_from_settings
from agent.runner import Agent
from agent.services import open_corpus, open_index
from core import asof
from core.settings import Settings, SettingsError, load_settings
from retrieval.corpus import Corpus
from retrieval.index import Index
from tools.context import ToolContext
from ui.auth import Logins, logins_from_settings
from ui.briefings import BriefingView, latest_briefing
from ui.datalayer import ChatStore, chat_store, ensure_tables

__all__ = ["OFFLINE", "Runtime", "configure", "current", "iterate_in_thread"]

OFFLINE = "offline"
ENDPOINT = "endpoint"
T = TypeVar("T")


@dataclass
class Runtime:
    settings: Settings
    logins: Logins
    store: ChatStore
    engine: Engine
    agents: dict[str, Agent]
    _stack: ExitStack = field(default_factory=ExitStack, repr=False)

    @classmethod
    def open(cls, settings: Settings) -> Runtime:
        """Everything the chat needs, checked: ``SettingsError`` for bad logins or LLM settings,
        ``StoreUnavailableError`` for a database (or thread store) that cannot be reached."""
        from agent.llm import LLMConfigError
        from agent.memory import ThreadStoreError
        from data.store import StoreUnavailableError

        try:
            return cls._open(settings)
        except LLMConfigError as err:
            raise SettingsError(str(err)) from err
        except ThreadStoreError as err:
            raise StoreUnavailableError(str(err)) from err

    @classmethod
    def _open(cls, settings: Settings) -> Runtime:
        from agent.memory import open_checkpointer
        from data.store import make_engine, upgrade

        logins = logins_from_settings(settings)
        store = chat_store(settings)
        ensure_tables(store)
        engine = make_engine(settings.sqlalchemy_url)
        upgrade(engine)
        stack = ExitStack()
        try:
            saver = stack.enter_context(open_checkpointer(settings))
            deps = deps_from_settings(settings)
            agents = {OFFLINE: Agent(dataclasses.replace(deps, model=None), checkpointer=saver)}
            if deps.model is not None:
                agents[ENDPOINT] = Agent(deps, checkpointer=saver)
        except BaseException:
            stack.close()
            engine.dispose()
            raise
        return cls(settings, logins, store, engine, agents, stack)

    def agent(self, key: str | None) -> Agent:
        """The agent for a model choice; the offline planner for an unknown one."""
        return self.agents.get(key or OFFLINE, self.agents[OFFLINE])

    def model_choices(self) -> dict[str, str]:
        """Model choice -> label, for the settings panel (endpoint first when configured)."""
        keys = [k for k in (ENDPOINT, OFFLINE) if k in self.agents]
        return {k: self.agents[k].model_label for k in keys}

    @property
    def default_model(self) -> str:
        return next(iter(self.model_choices()))

    @property
    def known_tickers(self) -> frozenset[str]:
        return self.agents[OFFLINE].deps.known_tickers

    def context_for(self, as_of: date) -> ToolContext:
        return self.agents[OFFLINE].deps.context_for(as_of)

    def document_index(self) -> Index:
        """The index the agents search (shared, so an upload is searchable at once)."""
        opener = self.context_for(asof.today()).index
        return opener() if opener is not None else open_index(self.settings)

    def corpus(self) -> Corpus:
        return open_corpus(self.settings)

    def latest_briefing(self) -> BriefingView | None:
        return latest_briefing(self.engine)

    def close(self) -> None:
        self._stack.close()
        self.engine.dispose()


_lock = threading.Lock()
_runtime: Runtime | None = None


def configure(settings: Settings) -> Runtime:
    """Open the runtime on ``settings`` (closing one opened before)."""
    global _runtime
    opened = Runtime.open(settings)
    with _lock:
        previous, _runtime = _runtime, opened
    if previous is not None:
        previous.close()
    return opened


def current() -> Runtime:
    """The configured runtime, or one opened on the environment's settings."""
    global _runtime
    with _lock:
        if _runtime is None:
            _runtime = Runtime.open(load_settings())
        return _runtime


_DONE = object()


async def iterate_in_thread(make: Callable[[], Iterator[T]]) -> AsyncIterator[T]:
    """Items of the blocking iterator ``make()``, produced in one worker thread (so thread-bound
    state such as context variables stays put) and yielded here as they come; its exception is
    raised here."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[object] = asyncio.Queue()

    def work() -> None:
        try:
            for item in make():
                loop.call_soon_threadsafe(queue.put_nowait, item)
        except BaseException as err:  # handed to the consumer, which re-raises it
            loop.call_soon_threadsafe(queue.put_nowait, _Failure(err))
        finally:
            loop.call_soon_threadsafe(queue.put_nowait, _DONE)

    worker = asyncio.ensure_future(asyncio.to_thread(work))  # held until the stream ends
    while (item := await queue.get()) is not _DONE:
        if isinstance(item, _Failure):
            raise item.error
        yield item  # type: ignore[misc]
    await worker


@dataclass(frozen=True)
class _Failure:
    error: BaseException
