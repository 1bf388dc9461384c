"""The graph's nodes and routes. ``agent.graph`` only wires them.

understand -> (refuse | plan); plan -> (tools | compose); tools -> plan; compose -> verify;
verify -> (repair | END); repair -> verify. Each node returns a partial state update.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import (
    AIMessage,
    AnyMessage,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.runnables import RunnableConfig
from langchain_core.tools import BaseTool
from langgraph.prebuilt import ToolNode
from pydantic import ValidationError

import prompts
from agent.answer import Answer
from agent.budget import Budget
from agent.compose import Draft, assemble, evidence_digest, template_draft, turn_evidence
from agent.ledger import Ledger
from agent.llm import LLMUnavailableError, invoke_with_clear_errors
from agent.planner import OfflinePlanner
from agent.question import ParsedQuestion, parse_question
from agent.repair import repair
from agent.state import AgentState
from agent.verifier import Verification, verify
from tools.context import ToolContext
from tools.runtime import use_context

__all__ = ["AgentDeps", "Nodes"]

log = logging.getLogger(__name__)

_SEARCH_KINDS = {"search_filings": "filing", "search_calls": "call", "news": "news"}
_TICKERLESS = {"filings", "calls", "news"}  # intents that can search across all companies
_HISTORY_TURNS = 3  # earlier turns an LLM sees besides the current one


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
    today: Callable[[], date] = date.today
    clock: Callable[[], float] = time.time

    def planner(self) -> OfflinePlanner:
        return OfflinePlanner(today=self.today(), known_tickers=self.known_tickers)


def _turn_start(messages: Sequence[BaseMessage]) -> int:
    return max((i for i, m in enumerate(messages) if isinstance(m, HumanMessage)), default=-1)


def _handle_tool_error(err: Exception) -> str:
    """Every tool failure goes back as a message; faults are logged with their traceback."""
    log.warning("tool failed", exc_info=err)
    return f"{type(err).__name__}: {err}"


def _refusal(
    q: ParsedQuestion, *, today: date, as_of: date, known: frozenset[str], offline: bool
) -> str | None:
    """Why the question is declined before any tool runs, or None."""
    listed = ", ".join(sorted(known))
    if q.future_date:
        limit = f"today ({today})" if as_of >= today else f"the as-of date {as_of}"
        return (
            f"I can't answer about {q.as_of}: it is after {limit}, and I only report what the "
            "data showed up to a date, never what it will show."
        )
    if q.unknown_tickers:
        names = ", ".join(q.unknown_tickers)
        return f"I have no data for {names}, so I won't guess. Tickers I can research: {listed}."
    if q.advice_request:
        return (
            "I can't promise returns or give personal financial advice (how much of your money "
            "to put where). I can show the research signal, its evidence and its risks: ask, "
            "for example, 'Should I buy MSFT?' or 'What is IBM's 99% VaR?'."
        )
    if offline and q.unsupported:
        return (
            "I can't answer that: I research listed companies (signals, indicators, risk and "
            "VaR, backtests, model forecasts, filings, earnings calls, news and sentiment). "
            f"Tickers I can research: {listed}."
        )
    if offline and not q.tickers and not q.intents & _TICKERLESS:
        return f"Which company do you mean? Tickers I can research: {listed}."
    return None


class Nodes:
    def __init__(self, deps: AgentDeps) -> None:
        self.deps = deps
        self._tool_node = ToolNode(list(deps.tools), handle_tool_errors=_handle_tool_error)
        self._contexts: dict[date, ToolContext] = {}

    @property
    def offline(self) -> bool:
        return self.deps.model is None

    # --- understand / refuse ------------------------------------------------------------------
    def understand(self, state: AgentState, config: RunnableConfig) -> dict[str, Any]:
        messages = state["messages"]
        turn = _turn_start(messages)
        today = self.deps.today()
        history = state.get("parsed")
        q = parse_question(
            messages[turn].text if turn >= 0 else "",
            today=today,
            history=ParsedQuestion.model_validate(history) if history else None,
            known_tickers=self.deps.known_tickers,
        )
        if self.deps.open_universe and q.unknown_tickers:
            tried = q.tickers + q.unknown_tickers  # an online provider may know them
            q = q.model_copy(update={"tickers": tried, "unknown_tickers": ()})
        forced = (config.get("configurable") or {}).get("as_of")
        if forced:
            as_of = date.fromisoformat(str(forced))
        elif q.as_of is None and q.is_follow_up and state.get("as_of"):
            as_of = date.fromisoformat(state["as_of"])  # "and its VaR?" keeps the date
        else:
            as_of = q.as_of or today
        horizon = min(as_of, today)  # the last day the run may see
        asked = q.as_of if q.as_of is not None and q.as_of > horizon else None
        if as_of > today or asked is not None:
            q = q.model_copy(update={"future_date": True, "as_of": asked or as_of})
        refusal = (
            "There is no question to answer."
            if turn < 0
            else _refusal(
                q,
                today=today,
                as_of=horizon,
                known=self.deps.known_tickers,
                offline=self.offline,
            )
        )
        return {
            "question": q.text,
            "parsed": q.model_dump(mode="json"),
            "as_of": horizon.isoformat(),
            "tickers": list(q.tickers),
            "turn": turn,
            "started": self.deps.clock(),
            "refusal": refusal,
            "rounds": 0,
            "tool_calls": 0,
            "tokens": 0,
            "cost_usd": 0.0,
            "stop": None,
            "warnings": [],
            "draft": None,
            "answer": None,
            "verification": None,
            "repairs": 0,
            "model_fallback": False,
            "done": False,
        }

    def route_understood(self, state: AgentState) -> Literal["refuse", "plan"]:
        return "refuse" if state.get("refusal") else "plan"

    def refuse(self, state: AgentState) -> dict[str, Any]:
        answer = Answer.refusal(
            question=state.get("question", ""),
            as_of=date.fromisoformat(state["as_of"]),
            reason=state["refusal"] or "declined",
            tickers=state.get("tickers") or [],
        )
        return self._final(answer, verify(answer, Ledger()))

    # --- plan / tools ---------------------------------------------------------------------------
    def _llm_messages(self, state: AgentState) -> list[BaseMessage]:
        messages = state["messages"]
        humans = [i for i, m in enumerate(messages) if isinstance(m, HumanMessage)]
        keep = messages[humans[-1 - _HISTORY_TURNS] :] if len(humans) > _HISTORY_TURNS else messages
        system = prompts.load("system").format(
            today=self.deps.today(),
            as_of=state["as_of"],
            tickers=", ".join(state.get("tickers") or []) or "none recognised",
        )
        return [SystemMessage(system), *keep]

    def _account(self, state: AgentState, reply: BaseMessage) -> dict[str, Any]:
        tokens, cost = self.deps.budget.cost(getattr(reply, "usage_metadata", None))
        return {
            "tokens": state.get("tokens", 0) + tokens,
            "cost_usd": state.get("cost_usd", 0.0) + cost,
        }

    def plan(self, state: AgentState) -> dict[str, Any]:
        budget = self.deps.budget
        stop = budget.exhausted(state, now=self.deps.clock())
        if stop is not None:
            return {"stop": stop, "warnings": [*state.get("warnings", []), budget.message(stop)]}
        warnings = list(state.get("warnings", []))
        update: dict[str, Any] = {}
        if self.offline or state.get("model_fallback"):
            reply = self.deps.planner().bind_tools(self.deps.tools).invoke(state["messages"])
        else:
            assert self.deps.model is not None
            try:
                bound = self.deps.model.bind_tools(self.deps.tools)
                reply = invoke_with_clear_errors(bound, self._llm_messages(state))
            except LLMUnavailableError as err:
                warnings.append(f"{err}; the offline planner answered instead")
                reply = self.deps.planner().invoke(state["messages"])
                update["model_fallback"] = True
            update |= self._account(state, reply)
        assert isinstance(reply, AIMessage)
        if reply.invalid_tool_calls:
            names = ", ".join(c.get("name") or "?" for c in reply.invalid_tool_calls)
            warnings.append(f"the model sent malformed tool calls ({names}); they were not run")
        messages: list[AnyMessage] = [reply]
        calls = reply.tool_calls
        room = budget.max_tool_calls - state.get("tool_calls", 0)
        if len(calls) > room:
            messages += [
                ToolMessage(
                    content=f"not run: the limit of {budget.max_tool_calls} tool calls was reached",
                    tool_call_id=c["id"],
                    name=c["name"],
                    status="error",
                )
                for c in calls[max(room, 0) :]
            ]
            warnings.append(budget.message("tool_calls"))
            update["stop"] = "tool_calls"
        return update | {"messages": messages, "warnings": warnings}

    def route_planned(self, state: AgentState) -> Literal["tools", "compose"]:
        # calls over the tool-call budget were already answered "not run" by ``plan``
        return "tools" if self._pending_calls(state) else "compose"

    @staticmethod
    def _pending_calls(state: AgentState) -> list[dict[str, Any]]:
        messages = state["messages"]
        last_ai = next(
            (i for i in range(len(messages) - 1, -1, -1) if isinstance(messages[i], AIMessage)),
            None,
        )
        if last_ai is None:
            return []
        answered = {m.tool_call_id for m in messages[last_ai + 1 :] if isinstance(m, ToolMessage)}
        calls = messages[last_ai].tool_calls  # type: ignore[union-attr]
        return [c for c in calls if c["id"] not in answered]

    def context(self, as_of: date) -> ToolContext:
        if as_of not in self._contexts:
            self._contexts[as_of] = self.deps.context_for(as_of)
        return self._contexts[as_of]

    def tools(self, state: AgentState, config: RunnableConfig) -> dict[str, Any]:
        pending = self._pending_calls(state)
        ctx = self.context(date.fromisoformat(state["as_of"]))
        ai = AIMessage(content="", tool_calls=pending)
        with use_context(ctx):
            out = self._tool_node.invoke({"messages": [ai]}, config)
        return {
            "messages": out["messages"],
            "tool_calls": state.get("tool_calls", 0) + len(pending),
            "rounds": state.get("rounds", 0) + 1,
        }

    def route_after_tools(self, state: AgentState) -> Literal["plan", "compose"]:
        return "compose" if state.get("stop") else "plan"

    # --- compose / verify / repair -------------------------------------------------------------
    def _write(
        self, state: AgentState, ledger: Ledger, extra: list[BaseMessage] | None = None
    ) -> tuple[Draft | None, dict[str, Any], str | None]:
        """An LLM draft (None when it fails), the token accounting, and why it failed."""
        assert self.deps.model is not None
        prompt = prompts.load("compose").format(
            as_of=state["as_of"],
            question=state.get("question", ""),
            evidence=evidence_digest(ledger),
        )
        messages: list[BaseMessage] = [HumanMessage(prompt), *(extra or [])]
        try:
            writer = self.deps.model.bind_tools([Draft], tool_choice="Draft")
            reply = invoke_with_clear_errors(writer, messages)
        except LLMUnavailableError as err:
            return None, {}, str(err)
        accounting = self._account(state, reply)
        calls = [c for c in getattr(reply, "tool_calls", None) or [] if c["name"] == "Draft"]
        if not calls:
            bad = getattr(reply, "invalid_tool_calls", None) or []
            why = (
                f"its arguments were not valid JSON: {bad[0].get('error') or 'unparsable'}"
                if bad
                else "it did not call the Draft tool"
            )
            return None, accounting, f"the LLM's draft was malformed ({why})"
        try:
            return Draft.model_validate(calls[0]["args"]), accounting, None
        except ValidationError as err:
            first = err.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "arguments"
            return None, accounting, f"the LLM's draft was malformed ({where}: {first['msg']})"

    def compose(self, state: AgentState) -> dict[str, Any]:
        messages = state["messages"][state.get("turn", 0) :]
        ledger, failures = turn_evidence(messages)
        warnings = list(state.get("warnings", []))
        warnings += [
            f.error if f.error.startswith(f"{f.tool} ") else f"{f.tool} failed: {f.error}"
            for f in failures
        ]
        as_of = date.fromisoformat(state["as_of"])
        parsed = state.get("parsed")
        q = ParsedQuestion.model_validate(parsed) if parsed else None
        searched = [
            _SEARCH_KINDS[c["name"]]
            for m in messages
            if isinstance(m, AIMessage)
            for c in m.tool_calls
            if c["name"] in _SEARCH_KINDS
        ]
        if len(ledger) == 0:
            if failures:
                reason = "I couldn't answer: " + "; ".join(f"{f.tool}: {f.error}" for f in failures)
            elif searched:
                reason = template_draft(ledger, question=q, as_of=as_of, searched=searched).summary
            else:
                reason = "I couldn't find evidence to answer this question."
            answer = Answer.refusal(
                question=state.get("question", ""), as_of=as_of, reason=reason,
                tickers=state.get("tickers") or [],
            )  # fmt: skip
            answer = answer.model_copy(update={"warnings": warnings})
            return self._final(answer, verify(answer, Ledger()))
        update: dict[str, Any] = {}
        draft: Draft | None = None
        if self._model_may_write(state):
            draft, update, problem = self._write(state, ledger)
            if problem:
                warnings.append(f"{problem}; the answer was written from templates")
        if draft is None:
            failed = [f.tool for f in failures if not f.error.startswith("not run:")]
            draft = template_draft(
                ledger, question=q, as_of=as_of, searched=searched, failed=failed
            )
        answer = assemble(
            draft,
            question=state.get("question", ""),
            tickers=state.get("tickers") or [],
            as_of=as_of,
            ledger=ledger,
            warnings=warnings,
        )
        return update | {
            "draft": draft.model_dump(mode="json"),
            "answer": answer.model_dump(mode="json"),
            "warnings": warnings,
        }

    def route_composed(self, state: AgentState) -> Literal["verify", "__end__"]:
        return "__end__" if state.get("done") else "verify"

    def verify(self, state: AgentState) -> dict[str, Any]:
        ledger, _ = turn_evidence(state["messages"][state.get("turn", 0) :])
        answer = Answer.model_validate(state["answer"])
        result = verify(answer, ledger)
        if result.ok:
            return self._final(answer, result)
        if self._can_repair_with_model(state):
            return {"verification": result.model_dump(mode="json")}
        fixed = repair(answer, result)
        return self._final(fixed, verify(fixed, ledger))

    def _model_may_write(self, state: AgentState) -> bool:
        """An LLM is configured, answered this turn, and its token/cost/time budget is not spent."""
        return (
            not self.offline
            and not state.get("model_fallback")
            and state.get("stop") not in ("tokens", "cost", "timeout")
        )

    def _can_repair_with_model(self, state: AgentState) -> bool:
        return self._model_may_write(state) and state.get("repairs", 0) == 0

    def route_verified(self, state: AgentState) -> Literal["repair", "__end__"]:
        return "__end__" if state.get("done") else "repair"

    def repair(self, state: AgentState) -> dict[str, Any]:
        """The model rewrites its draft once, told what failed."""
        ledger, _ = turn_evidence(state["messages"][state.get("turn", 0) :])
        result = Verification.model_validate(state["verification"])
        problems = "\n".join(f"- {p}" for p in result.problems())
        previous = AIMessage(content=f"Previous draft: {state.get('draft')}")
        ask = HumanMessage(prompts.load("repair").format(problems=problems))
        draft, update, problem = self._write(state, ledger, [previous, ask])
        warnings = list(state.get("warnings", []))
        answer = Answer.model_validate(state["answer"])
        if draft is not None:
            answer = assemble(
                draft,
                question=answer.question,
                tickers=answer.tickers,
                as_of=answer.as_of,
                ledger=ledger,
                warnings=warnings,
            )
        else:
            warnings.append(f"{problem}; the unverified parts were removed instead")
            answer = answer.model_copy(update={"warnings": warnings})
        return update | {
            "answer": answer.model_dump(mode="json"),
            "repairs": state.get("repairs", 0) + 1,
            "warnings": warnings,
        }

    @staticmethod
    def _final(answer: Answer, result: Verification) -> dict[str, Any]:
        """The turn's end: the answer and its verification in state, and the answer's Markdown
        as the thread's reply (what an LLM sees of earlier turns)."""
        return {
            "answer": answer.model_dump(mode="json"),
            "verification": result.model_dump(mode="json"),
            "messages": [AIMessage(content=answer.markdown)],
            "done": True,
        }
