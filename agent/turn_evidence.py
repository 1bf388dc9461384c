"""What evidence a turn gathered: the ledger of its tool results, the tool calls that failed,
and the evidence as an LLM writer is shown it."""

from __future__ import annotations

import json
from collections.abc import Sequence

from langchain_core.messages import BaseMessage, HumanMessage, ToolMessage
from pydantic import BaseModel

from agent.ledger import Ledger
from tools.evidence import Evidence

__all__ = ["ToolFailure", "evidence_digest", "turn_evidence"]


class ToolFailure(BaseModel):
    tool: str
    error: str


def turn_evidence(messages: Sequence[BaseMessage]) -> tuple[Ledger, list[ToolFailure]]:
    """The ledger of the last turn (tool results after the last human message) and the tool
    calls of that turn that failed."""
    start = max((i for i, m in enumerate(messages) if isinstance(m, HumanMessage)), default=-1)
    ledger, failures = Ledger(), []
    for message in messages[start + 1 :]:
        if not isinstance(message, ToolMessage):
            continue
        if message.status == "error":
            failures.append(ToolFailure(tool=message.name or "tool", error=message.text))
            continue
        for item in message.artifact or []:
            ledger.add(Evidence.model_validate(item))
    return ledger, failures


_WITHHELD = "[withheld: the passage contains instructions aimed at an AI assistant]"


def evidence_digest(ledger: Ledger, *, chars: int = 1500) -> str:
    """The evidence as the LLM writer sees it: id, kind, summary and compact values."""
    blocks = []
    for ev in ledger:
        shown = ev.values
        if shown.get("injection_suspected"):  # never hand a model instructions planted in data
            shown = {k: v for k, v in shown.items() if k != "text"} | {"text": _WITHHELD}
        values = json.dumps(shown, default=str, separators=(",", ":"))
        if len(values) > chars:
            values = values[:chars] + "..."
        blocks.append(f"[{ev.id}] ({ev.kind}, as of {ev.as_of}) {ev.summary}\nvalues: {values}")
    return "\n\n".join(blocks)
