"""The nodes that write the turn's answer: refuse, compose, verify and repair.

compose drafts the answer (an LLM, or the offline templates) and assembles it; verify checks
every number and citation against the turn's ledger; repair has the model rewrite its draft
once, or removes what failed. Each node returns a partial state update.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from pydantic import ValidationError

import prompts
from agent.answer import Answer
from agent.answer_first import (
    answer_lead_problems,
    describe_request,
    lead_problems,
    lead_requirements,
)
from agent.compose import Draft, assemble
from agent.declines import capabilities_text
from agent.deps import AgentDeps
from agent.ledger import Ledger
from agent.llm import LLMUnavailableError, invoke_with_clear_errors
from agent.offline_writer import template_draft
from agent.question import ParsedQuestion
from agent.repair import repair
from agent.state import AgentState
from agent.telemetry import count_removals
from agent.turn_evidence import ToolFailure, evidence_digest, turn_evidence
from agent.verifier import Verification, verify

__all__ = ["AnswerNodes", "final"]

_SEARCH_KINDS = {"search_filings": "filing", "search_calls": "call", "news": "news"}


def final(answer: Answer, result: Verification) -> dict[str, Any]:
    """The turn's end: the answer and its verification in state, and the answer's Markdown
    as the thread's reply (what an LLM sees of earlier turns)."""
    return {
        "answer": answer.model_dump(mode="json"),
        "verification": result.model_dump(mode="json"),
        "messages": [AIMessage(content=answer.markdown)],
        "done": True,
    }


def _request(state: AgentState) -> ParsedQuestion | None:
    parsed = state.get("parsed")
    return ParsedQuestion.model_validate(parsed) if parsed else None


_FAILED_PREFIX = re.compile(r"^(?:[\w ]+ failed: |[\w]+Error: )+")


def _why(failure: ToolFailure) -> str:
    """A tool's error as the reason it gives: "technicals failed: need at least 251 bars..." is
    "need at least 251 bars..." (the tool is named where the reason is used)."""
    why = _FAILED_PREFIX.sub("", failure.error.strip()).rstrip(".")
    if re.search(r"\bbars?\b.*\bavailable\b", why):
        return f"there is too little price history ({why})"
    return why


def _order(q: ParsedQuestion | None, draft: Draft) -> dict[str, Any]:
    """How ``assemble`` orders the answer of ``q``: its ask, and whether the draft's first
    sentence, answering a signal question's yes/no with the action, leads before the signal
    block (a draft that does not answer it leaves the block first)."""
    if q is None:
        return {"ask": None, "verdict_first": False}
    verdict = q.ask == "signal" and q.verdict is not None and q.verdict.kind == "yes_no"
    return {
        "ask": q.ask,
        "verdict_first": verdict and not lead_problems(q, draft.summary),
        "brief": q.brief,
    }


def _parameters(state: AgentState) -> list[float]:
    """The numbers the turn's tool calls were given (horizons, levels, account sizes): chosen
    by the planner, not written by the writer, so the answer may state them."""
    return [
        float(value)
        for m in state["messages"][state.get("turn", 0) :]
        if isinstance(m, AIMessage)
        for call in m.tool_calls
        for value in call["args"].values()
        if isinstance(value, int | float) and not isinstance(value, bool)
    ]


def _nothing_indexed(messages: Sequence[BaseMessage]) -> str:
    """What a search tool said when nothing of its kind was indexed ("no filings are indexed
    for AAPL up to ...; ingest them with ..."), joined; "" when every search had documents."""
    said = [
        m.text
        for m in messages
        if isinstance(m, ToolMessage)
        and m.name in _SEARCH_KINDS
        and not m.artifact
        and re.match(r"no \w+ are indexed", m.text)
    ]
    return "; ".join(dict.fromkeys(said))


def _searched(messages: Sequence[BaseMessage]) -> list[str]:
    """The document kinds the turn searched (filings, calls, news)."""
    return [
        _SEARCH_KINDS[c["name"]]
        for m in messages
        if isinstance(m, AIMessage)
        for c in m.tool_calls
        if c["name"] in _SEARCH_KINDS
    ]


def _draft_from(reply: BaseMessage) -> tuple[Draft | None, str | None]:
    """The ``Draft`` the model's reply called, or why there is none."""
    calls = [c for c in getattr(reply, "tool_calls", None) or [] if c["name"] == "Draft"]
    if not calls:
        bad = getattr(reply, "invalid_tool_calls", None) or []
        why = (
            f"its arguments were not valid JSON: {bad[0].get('error') or 'unparsable'}"
            if bad
            else "it did not call the Draft tool"
        )
        return None, f"the LLM's draft was malformed ({why})"
    try:
        return Draft.model_validate(calls[0]["args"]), None
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "arguments"
        return None, f"the LLM's draft was malformed ({where}: {first['msg']})"


class AnswerNodes:
    def __init__(self, deps: AgentDeps) -> None:
        self.deps = deps

    def refuse(self, state: AgentState) -> dict[str, Any]:
        request = _request(state)
        if request is not None and request.ask == "capabilities" and request.decline is None:
            text = capabilities_text(known=self.deps.known_tickers)  # answered, not declined
            answer = Answer(
                question=state.get("question", ""), as_of=state["turn_as_of"], markdown=text
            )
            return final(answer, verify(answer, Ledger()))
        answer = Answer.refusal(
            question=state.get("question", ""),
            as_of=state["turn_as_of"],
            reason=state["refusal"] or "declined",
            tickers=state.get("tickers") or [],
        )
        return final(answer, verify(answer, Ledger()))

    def _write(
        self, state: AgentState, ledger: Ledger, extra: list[BaseMessage] | None = None
    ) -> tuple[Draft | None, dict[str, Any], str | None]:
        """An LLM draft (None when it fails), the token accounting, and why it failed."""
        assert self.deps.model is not None
        prompt = prompts.load("compose").format(
            as_of=state["turn_as_of"],
            question=state.get("question", ""),
            request=describe_request(_request(state)),
            evidence=evidence_digest(ledger),
        )
        messages: list[BaseMessage] = [HumanMessage(prompt), *(extra or [])]
        try:
            writer = self.deps.model.bind_tools([Draft], tool_choice="Draft")
            reply = invoke_with_clear_errors(writer, messages)
        except LLMUnavailableError as err:
            return None, {}, str(err)
        draft, problem = _draft_from(reply)
        return draft, self.deps.budget.charge(state, reply), problem

    def compose(self, state: AgentState) -> dict[str, Any]:
        messages = state["messages"][state.get("turn", 0) :]
        ledger, failures = turn_evidence(messages)
        warnings = list(state.get("warnings", []))
        warnings += [
            f.error if f.error.startswith(f"{f.tool} ") else f"{f.tool} failed: {f.error}"
            for f in failures
        ]
        as_of = state["turn_as_of"]
        q = _request(state)
        searched = _searched(messages)
        if len(ledger) == 0:
            if failures:
                whom = ", ".join(state.get("tickers") or []) or "this"
                reason = f"I can't answer that for {whom} as of {as_of}: " + "; ".join(
                    dict.fromkeys(_why(f) for f in failures)
                )
            elif unindexed := _nothing_indexed(messages):  # not a miss: nothing to search
                reason = f"I can't answer that from documents: {unindexed}."
            elif searched:
                reason = template_draft(ledger, question=q, as_of=as_of, searched=searched).summary
            else:
                reason = "I couldn't find evidence to answer this question."
            answer = Answer.refusal(
                question=state.get("question", ""), as_of=as_of, reason=reason,
                tickers=state.get("tickers") or [],
            )  # fmt: skip
            answer = answer.model_copy(update={"warnings": warnings})
            return final(answer, verify(answer, Ledger()))
        update: dict[str, Any] = {}
        draft: Draft | None = None
        if self._model_may_write(state):
            draft, update, problem = self._write(state, ledger)
            if problem:
                warnings.append(f"{problem}; the answer was written from templates")
        if draft is None:
            draft = self._templates(state, ledger, failures)
        answer = assemble(
            draft,
            question=state.get("question", ""),
            tickers=state.get("tickers") or [],
            as_of=as_of,
            ledger=ledger,
            warnings=warnings,
            stale_after=self.deps.stale_after,
            **_order(q, draft),
        )
        return update | {
            "draft": draft.model_dump(mode="json"),
            "answer": answer.model_dump(mode="json"),
            "warnings": warnings,
        }

    def _templates(self, state: AgentState, ledger: Ledger, failures: list[ToolFailure]) -> Draft:
        """The offline writer's draft of the turn's evidence."""
        messages = state["messages"][state.get("turn", 0) :]
        failed = {f.tool: _why(f) for f in failures if not f.error.startswith("not run:")}
        return template_draft(
            ledger,
            question=_request(state),
            as_of=state["turn_as_of"],
            searched=_searched(messages),
            failed=failed,
        )

    def _lead_problems(
        self, state: AgentState, ledger: Ledger, failures: list[ToolFailure]
    ) -> list[str]:
        """What the answer's first sentence lacks for the typed request, or [] when it answers
        or the draft's summary does (the signal card ``assemble`` puts above the summary is
        code's: the writer controls its summary). Only the model's drafts are held to it: the
        offline writer's (offline, or standing in for a malformed draft) never are."""
        draft, q = state.get("draft"), _request(state)
        if not self._model_may_write(state) or not draft or q is None:
            return []
        if not answer_lead_problems(Answer.model_validate(state["answer"]), q):
            return []
        if Draft.model_validate(draft) == self._templates(state, ledger, failures):
            return []
        return lead_problems(q, str(draft.get("summary", "")))

    def verify(self, state: AgentState) -> dict[str, Any]:
        ledger, failures = turn_evidence(state["messages"][state.get("turn", 0) :])
        answer = Answer.model_validate(state["answer"])
        parameters = _parameters(state)
        result = verify(answer, ledger, parameters=parameters)
        lead = self._lead_problems(state, ledger, failures)
        if result.ok and not lead:
            return final(answer, result)
        if self._can_repair_with_model(state):
            return {"verification": result.model_dump(mode="json")}
        if lead:  # the model's rewrite still buries the answer: the templates write it
            buried = "; ".join(lead)
            templates = self._templates(state, ledger, failures)
            answer = assemble(
                templates,
                question=answer.question,
                tickers=answer.tickers,
                as_of=answer.as_of,
                ledger=ledger,
                warnings=[
                    *state.get("warnings", []),
                    f"the LLM's draft did not lead with the answer ({buried}); "
                    "the answer was written from templates",
                ],
                stale_after=self.deps.stale_after,
                **_order(_request(state), templates),
            )
            result = verify(answer, ledger, parameters=parameters)
            if result.ok:
                return final(answer, result)
        count_removals(result)
        fixed = repair(answer, result)
        return final(fixed, verify(fixed, ledger, parameters=parameters))

    def _model_may_write(self, state: AgentState) -> bool:
        """An LLM is configured, answered this turn, and its token/cost/time budget is not spent."""
        return (
            not self.deps.offline
            and not state.get("model_fallback")
            and state.get("stop") not in ("tokens", "cost", "timeout")
        )

    def _can_repair_with_model(self, state: AgentState) -> bool:
        return self._model_may_write(state) and state.get("repairs", 0) == 0

    def repair(self, state: AgentState) -> dict[str, Any]:
        """The model rewrites its draft once, told what failed."""
        ledger, failures = turn_evidence(state["messages"][state.get("turn", 0) :])
        result = Verification.model_validate(state["verification"])
        lead = self._lead_problems(state, ledger, failures)
        problems = "\n".join(f"- {p}" for p in [*result.problems(), *lead])
        needs = lead_requirements(q) if (q := _request(state)) else []
        previous = AIMessage(content=f"Previous draft: {state.get('draft')}")
        ask = HumanMessage(
            prompts.load("repair").format(
                problems=problems, lead="; ".join(needs) or "the direct answer to the question"
            )
        )
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
                stale_after=self.deps.stale_after,
                **_order(_request(state), draft),
            )
            update["draft"] = draft.model_dump(mode="json")  # what verify holds to the lead
        else:
            instead = (
                "the templates write it" if lead else "the unverified parts were removed instead"
            )
            warnings.append(f"{problem}; {instead}")
            answer = answer.model_copy(update={"warnings": warnings})
        return update | {
            "answer": answer.model_dump(mode="json"),
            "repairs": state.get("repairs", 0) + 1,
            "warnings": warnings,
        }
