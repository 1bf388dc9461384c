"""A scripted chat model for graph tests: replies from a list, records what it was sent."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import ConfigDict, Field


def call(name: str, i: int = 0, **args: Any) -> dict[str, Any]:
    """A tool call as a model would send it."""
    return {"name": name, "args": args, "id": f"call_{name}_{i}", "type": "tool_call"}


def tool_calls(*calls: dict[str, Any], tokens: int = 0) -> AIMessage:
    usage = {"input_tokens": tokens, "output_tokens": 0, "total_tokens": tokens}
    return AIMessage(content="", tool_calls=list(calls), usage_metadata=usage)


def done(tokens: int = 0) -> AIMessage:
    """A reply without tool calls: the plan loop ends."""
    return tool_calls(tokens=tokens)


def draft(summary: str, reasons: Sequence[tuple[str, list[str]]] = (), **extra: Any) -> AIMessage:
    """The compose step's reply: a call of the ``Draft`` tool."""
    args = {"summary": summary, "reasons": [{"text": t, "citations": c} for t, c in reasons]}
    return tool_calls(
        {"name": "Draft", "args": args | extra, "id": "call_draft", "type": "tool_call"}
    )


def reads(**request: Any) -> AIMessage:
    """The understand step's reply: a call of the ``TypedRequest`` tool with ``request`` (the
    model's reading of the question: ask, tickers, as_of, quantity, verdict, scope, decline)."""
    return tool_calls(
        {"name": "TypedRequest", "args": request, "id": "call_request", "type": "tool_call"}
    )


class ScriptedChatModel(BaseChatModel):
    """Replies with ``script`` in order; ``sent`` holds every request's messages and the tools
    and tool_choice that were bound for it. Replies may be callables of the messages."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    script: list[Any]
    sent: list[dict[str, Any]] = Field(default_factory=list)
    bound: dict[str, Any] = Field(default_factory=dict)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> ScriptedChatModel:  # type: ignore[override]
        names = [getattr(t, "name", None) or getattr(t, "__name__", str(t)) for t in tools]
        self.bound = {"tools": names, "tool_choice": kwargs.get("tool_choice")}
        return self

    def _generate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kw: Any
    ) -> ChatResult:
        self.sent.append({"messages": list(messages), **self.bound})
        if not self.script:
            raise AssertionError("the scripted model ran out of replies")
        reply = self.script.pop(0)
        message = reply(messages) if callable(reply) else reply
        return ChatResult(generations=[ChatGeneration(message=message)])
