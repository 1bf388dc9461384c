"""Running the agent: one question (a turn of a thread) in, a verified ``RunResult`` out.

``Agent`` is what the CLI, the briefing, the UI and the evals call. It owns the compiled graph
and the checkpointer; ``ask`` runs a turn and ``stream`` yields the turn's steps as they happen
(tool calls with their timing, then the answer).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any, Literal

from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from pydantic import BaseModel, ConfigDict, Field

from agent.answer import Answer
from agent.deps import AgentDeps, deps_from_settings
from agent.graph import AgentGraph, build_graph
from agent.llm import describe
from agent.question import ParsedQuestion
from agent.telemetry import AGENT_NAME, record_turn
from agent.turn_evidence import turn_evidence
from agent.verifier import Verification
from core import tracing
from core.settings import Settings
from tools.evidence import Evidence

__all__ = [
    "Agent",
    "RunResult",
    "ToolStep",
    "open_agent",
]


class ToolStep(BaseModel):
    """One tool call of a turn, as the UI and logs show it."""

    model_config = ConfigDict(frozen=True)

    name: str
    args: dict[str, Any]
    status: Literal["success", "error"]
    summary: str
    evidence_ids: list[str] = Field(default_factory=list)
    ms: float | None = None


class RunResult(BaseModel):
    """A finished turn: the answer, the evidence it was checked against, and how it ran."""

    model_config = ConfigDict(frozen=True)

    thread_id: str
    answer: Answer
    verification: Verification
    request: ParsedQuestion | None = None  # the typed request the turn was planned from
    evidence: list[Evidence]
    steps: list[ToolStep]
    model: str
    tokens: int = 0
    cost_usd: float = 0.0
    elapsed_s: float


class Agent:
    def __init__(self, deps: AgentDeps, *, checkpointer: Any = None) -> None:
        """``checkpointer``: where threads live; default in memory (threads end with the
        process; ``open_agent`` uses the database)."""
        from langgraph.checkpoint.memory import InMemorySaver

        self.deps = deps
        self.graph: AgentGraph = build_graph(
            deps, checkpointer=checkpointer if checkpointer is not None else InMemorySaver()
        )
        self.model_label = describe(deps.model)

    def _config(self, thread_id: str, as_of: date | None) -> RunnableConfig:
        configurable: dict[str, Any] = {"thread_id": thread_id}
        if as_of is not None:
            configurable["as_of"] = as_of
        limit = 4 * self.deps.budget.max_rounds + 12  # the budget ends a turn long before
        return {"configurable": configurable, "recursion_limit": limit}

    def stream(
        self, question: str, *, as_of: date | None = None, thread_id: str | None = None
    ) -> Iterator[ToolStep | RunResult]:
        """The turn's tool steps as they finish, then its ``RunResult``."""
        thread_id = thread_id or uuid.uuid4().hex[:12]
        config = self._config(thread_id, as_of)
        started = time.perf_counter()
        issued: dict[str, tuple[str, dict[str, Any], float]] = {}
        steps: list[ToolStep] = []
        turn = tracing.start(
            f"invoke_agent {AGENT_NAME}",
            {
                "gen_ai.operation.name": "invoke_agent",
                "gen_ai.agent.name": AGENT_NAME,
                "gen_ai.conversation.id": thread_id,
                "gen_ai.request.model": self.model_label,
                "signaldesk.as_of": None if as_of is None else as_of.isoformat(),
            },
        )
        updates = self.graph.stream(
            {"messages": [HumanMessage(question)]}, config, stream_mode="updates"
        )
        state: dict[str, Any] | None = None
        try:
            while True:  # the span is current only while the graph runs, never across a yield
                with tracing.active(turn):
                    update = next(updates, None)
                if update is None:
                    break
                yield from self._steps(update, issued, steps)
            state = self.graph.get_state(config).values
        except BaseException as err:
            record_turn(None, seconds=time.perf_counter() - started, error=True)
            tracing.end(turn, error=err)
            raise
        outcome = record_turn(state, seconds=time.perf_counter() - started, error=False)
        turn.set_attribute("signaldesk.outcome", outcome)
        turn.set_attribute("gen_ai.usage.total_tokens", int(state.get("tokens", 0)))
        tracing.end(turn)
        ledger, _ = turn_evidence(state["messages"][state.get("turn", 0) :])
        yield RunResult(
            thread_id=thread_id,
            answer=Answer.model_validate(state["answer"]),
            verification=Verification.model_validate(state["verification"]),
            request=ParsedQuestion.model_validate(state["parsed"]) if state.get("parsed") else None,
            evidence=list(ledger),
            steps=steps,
            model=self.model_label,
            tokens=state.get("tokens", 0),
            cost_usd=state.get("cost_usd", 0.0),
            elapsed_s=time.perf_counter() - started,
        )

    @staticmethod
    def _steps(
        update: dict[str, Any],
        issued: dict[str, tuple[str, dict[str, Any], float]],
        steps: list[ToolStep],
    ) -> Iterator[ToolStep]:
        """The tool steps that finished in one graph update (``steps`` collects them)."""
        for node, delta in update.items():
            if not isinstance(delta, dict):
                continue
            for message in delta.get("messages", []) if node in ("plan", "tools") else []:
                if isinstance(message, AIMessage):
                    now = time.perf_counter()
                    for c in message.tool_calls:
                        if c["id"] is not None:
                            issued[c["id"]] = (c["name"], c["args"], now)
                elif isinstance(message, ToolMessage):
                    step = _step(message, issued)
                    steps.append(step)
                    yield step

    def forget(self, thread_id: str) -> None:
        """Delete a thread and its checkpoints (a re-run briefing starts its threads anew)."""
        checkpointer = self.graph.checkpointer
        if isinstance(checkpointer, BaseCheckpointSaver):
            checkpointer.delete_thread(thread_id)

    def ask(
        self, question: str, *, as_of: date | None = None, thread_id: str | None = None
    ) -> RunResult:
        """Run one turn and return its result (``thread_id`` continues a conversation)."""
        *_, result = self.stream(question, as_of=as_of, thread_id=thread_id)
        assert isinstance(result, RunResult)
        return result


def _step(message: ToolMessage, issued: dict[str, tuple[str, dict[str, Any], float]]) -> ToolStep:
    name, args, at = issued.get(message.tool_call_id, (message.name or "tool", {}, None))
    ids = [item["id"] for item in message.artifact or [] if isinstance(item, dict) and "id" in item]
    return ToolStep(
        name=name,
        args=args,
        status="error" if message.status == "error" else "success",
        summary=message.text,
        evidence_ids=ids,
        ms=None if at is None else (time.perf_counter() - at) * 1000,
    )


@contextmanager
def open_agent(settings: Settings, *, model: Any = "settings") -> Iterator[Agent]:
    """An ``Agent`` on the settings, with thread memory on the configured database."""
    from agent.memory import open_checkpointer

    with open_checkpointer(settings) as saver:
        yield Agent(deps_from_settings(settings, model=model), checkpointer=saver)
