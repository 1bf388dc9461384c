"""Which agent thread a chat may use, and a chat's own copy of a briefing ticker's thread.

A chat (a Chainlit thread, whose author Chainlit checks on every resume) owns:

- its own agent thread, named after the chat (``agent_thread_for``);
- its forks of briefing threads (``fork_id``): opening a briefing ticker copies the briefing
  thread's last checkpoint into ``{chat}~{briefing thread}``, and follow-ups go there, so the
  briefing thread, which every user opens, is never written by a chat.

Deleting the chat deletes them from the checkpointer (``forget_chat``). Nothing else: an agent
thread id read from a request or from saved metadata is used only when ``owns_agent_thread``
says the chat owns it. The ``open_briefing`` action names the
briefing ticker by its as-of date and ticker (``parse_open_briefing``); the server finds
its thread in the stored briefing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import uuid
from collections.abc import Mapping
from typing import Any

from agent.memory import delete_threads
from agent.runner import Agent
from core import asof

__all__ = [
    "ActionRefused",
    "agent_thread_for",
    "fork_briefing",
    "fork_id",
    "forget_chat",
    "owns_agent_thread",
    "parse_open_briefing",
]

_FORK = "~"
_TICKER = re.compile(r"^[A-Z][A-Z0-9.\-]{0,9}$")
_OPEN_KEYS = frozenset({"as_of", "ticker"})


class ActionRefused(ValueError):
    """A chat action whose payload is not what the server sent: its message says why."""


def _is_uuid(text: str) -> bool:
    try:
        return str(uuid.UUID(text)) == text.lower()
    except ValueError:
        return False


def agent_thread_for(chat_id: str) -> str:
    """The agent thread of a chat: its id when it is a UUID (what Chainlit's client makes),
    else a digest of it, so no chat id names a briefing thread or another chat's fork."""
    if _is_uuid(chat_id):
        return chat_id
    return "chat-" + hashlib.sha256(chat_id.encode()).hexdigest()[:32]


def fork_id(chat_id: str, source: str) -> str:
    """The chat's own copy of the agent thread ``source`` (a briefing ticker's thread)."""
    return f"{agent_thread_for(chat_id)}{_FORK}{source}"


def owns_agent_thread(chat_id: str, agent_thread: str) -> bool:
    """Whether the chat ``chat_id`` owns ``agent_thread`` (its own thread or one of its forks)."""
    own = agent_thread_for(chat_id)
    return agent_thread == own or agent_thread.startswith(own + _FORK)


def parse_open_briefing(payload: Mapping[str, Any]) -> tuple[dt.date, str]:
    """The (as-of date, ticker) an ``open_briefing`` action names; ``ActionRefused`` for any
    other key (thread ids come from the stored briefing, never from the client) or a bad
    value."""
    extra = sorted(set(payload) - _OPEN_KEYS)
    if extra:
        raise ActionRefused(
            f"refused: a briefing is opened by its date and ticker only, not by {', '.join(extra)}"
        )
    ticker = payload.get("ticker")
    if not isinstance(ticker, str) or not _TICKER.match(ticker):
        raise ActionRefused(f"refused: {ticker!r} is not a ticker")
    try:
        return asof.parse_as_of(str(payload.get("as_of"))), ticker
    except ValueError as err:
        raise ActionRefused(f"refused: {err}") from None


def fork_briefing(agent: Agent, source: str, target: str) -> bool:
    """Copy the last checkpoint of ``source`` into ``target`` unless ``target`` exists (its
    follow-ups are kept); False when ``source`` has no checkpoint. Blocking."""
    saver = _saver(agent)

    def config(thread_id: str) -> Any:
        return {"configurable": {"thread_id": thread_id, "checkpoint_ns": ""}}

    if saver.get_tuple(config(target)) is not None:
        return True
    head = saver.get_tuple(config(source))
    if head is None:
        return False
    metadata = {**head.metadata, "forked_from": source}
    versions = dict(head.checkpoint["channel_versions"])
    saver.put(config(target), head.checkpoint, metadata, versions)
    return True


def _saver(agent: Agent) -> Any:
    saver = agent.graph.checkpointer
    if saver is None or isinstance(saver, bool):
        raise TypeError("the agent's graph has no checkpointer")
    return saver


def forget_chat(agent: Agent, chat_id: str) -> list[str]:
    """Delete the agent threads the chat ``chat_id`` owns (its own and its briefing forks)
    from the agent's checkpointer; the briefing threads themselves stay. Blocking."""
    own = agent_thread_for(chat_id)
    return delete_threads(_saver(agent), thread_id=own, prefix=own + _FORK)
