"""What the graph runs on (``AgentDeps``), and those dependencies on the process settings: the
configured chat model (or none, for the offline planner), the tool context, the known tickers
and the per-turn budget."""

from __future__ import annotations

import dataclasses
import functools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.tools import BaseTool

from agent.budget import Budget
from agent.compose import STALE_AFTER
from agent.llm import chat_model
from agent.planner import OfflinePlanner
from core import asof
from core.settings import Settings
from tools.context import ToolContext

__all__ = ["AgentDeps", "configured_model", "deps_from_settings"]


@dataclass
class AgentDeps:
    """What the graph runs on. ``model`` is an LLM chat model, or None for the offline planner;
    ``context_for(as_of)`` builds the tools' run context (data services, configuration)."""

    context_for: Callable[[date], ToolContext]
    tools: Sequence[BaseTool]
    known_tickers: frozenset[str]
    model: BaseChatModel | None = None
    budget: Budget = field(default_factory=Budget)
    open_universe: bool = False  # a provider serves any symbol: unknown ones are tried
    today: Callable[[], date] = asof.today
    clock: Callable[[], float] = time.time
    # the day a run with no date computes at and reads "today" as (the last day offline data
    # hold); None: today. A run given an as-of date is bounded by ``today`` alone.
    default_as_of: Callable[[], date] | None = None
    stale_after: timedelta = STALE_AFTER  # price data older than this are stale (a warning)

    def undated_today(self) -> date:
        """ "Today" for a run given no as-of date (see ``default_as_of``)."""
        return self.default_as_of() if self.default_as_of is not None else self.today()

    @property
    def offline(self) -> bool:
        return self.model is None

    def planner(self) -> OfflinePlanner:
        return OfflinePlanner(
            today=self.today(), known_tickers=self.known_tickers, open_universe=self.open_universe
        )


def configured_model(settings: Settings) -> Any:  # noqa: ANN401 - a LangChain chat model
    """The chat model of the configured OpenAI-compatible endpoint, or None when none is."""
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    return chat_model(
        base_url=settings.llm_base_url,
        api_key=key,
        model=settings.llm_model,
        timeout_s=settings.llm_timeout_s,
        max_retries=settings.llm_max_retries,
    )


def deps_from_settings(settings: Settings, *, model: Any = "settings") -> AgentDeps:
    """The graph's dependencies on the process settings. ``model``: a chat model, None for the
    offline planner, or "settings" for the configured endpoint (None when none is)."""
    from agent.services import build_tool_context

    base = build_tool_context(settings, as_of=asof.today())
    # offline data end on their own last day: a question with no date is about that day
    data_day: Callable[[], date] | None = None
    if settings.as_of_default == "data":
        data_day = functools.cache(lambda: base.market.last_day(today=asof.today()) or asof.today())
    listed = [p.tickers() for p in base.market.providers]
    known = frozenset(t.upper() for ts in listed if ts for t in ts)
    if model == "settings":
        model = configured_model(settings)
    from tools.registry import TOOLS

    return AgentDeps(
        context_for=lambda as_of: dataclasses.replace(base, as_of=as_of),
        tools=TOOLS,
        known_tickers=known,
        model=model,
        budget=Budget.from_settings(settings),
        open_universe=any(ts is None for ts in listed),
        default_as_of=data_day,
        stale_after=timedelta(days=settings.stale_after_days),
    )
