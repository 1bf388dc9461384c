"""Per-turn limits of a run: plan rounds, tool calls, LLM tokens and cost, wall-clock time.

A limit that is reached ends the tool loop: the answer is composed from the evidence gathered
so far and says which limit stopped it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from agent.llm import reply_model
from agent.state import StopReason
from core import metrics

__all__ = ["Budget"]


@dataclass(frozen=True)
class Budget:
    max_rounds: int = 4
    max_tool_calls: int = 12
    max_tokens: int = 60_000
    max_cost_usd: float = 0.50
    timeout_s: float = 120.0
    cost_per_1k_input: float = 0.0
    cost_per_1k_output: float = 0.0

    @classmethod
    def from_settings(cls, settings: Any) -> Budget:
        return cls(
            max_rounds=settings.agent_max_rounds,
            max_tool_calls=settings.agent_max_tool_calls,
            max_tokens=settings.agent_max_tokens,
            max_cost_usd=settings.agent_max_cost_usd,
            timeout_s=settings.agent_timeout_s,
            cost_per_1k_input=settings.llm_cost_per_1k_input,
            cost_per_1k_output=settings.llm_cost_per_1k_output,
        )

    def cost(self, usage: dict[str, int] | None) -> tuple[int, float]:
        """(tokens, USD) of one model reply's ``usage_metadata``."""
        if not usage:
            return 0, 0.0
        inp, out = usage.get("input_tokens", 0), usage.get("output_tokens", 0)
        tokens = usage.get("total_tokens") or inp + out
        return tokens, inp / 1000 * self.cost_per_1k_input + out / 1000 * self.cost_per_1k_output

    def charge(self, state: Mapping[str, Any], reply: object) -> dict[str, Any]:
        """The state update that adds one model reply's tokens and cost to the turn's totals
        (and the cost to ``signaldesk_llm_cost_usd_total``)."""
        tokens, cost = self.cost(getattr(reply, "usage_metadata", None))
        if cost:
            metrics.LLM_COST.labels(reply_model(reply)).inc(cost)
        return {
            "tokens": state.get("tokens", 0) + tokens,
            "cost_usd": state.get("cost_usd", 0.0) + cost,
        }

    def exhausted(self, state: Mapping[str, Any], *, now: float) -> StopReason | None:
        """The first limit the turn has reached, before another model call or tool round."""
        if now - state.get("started", now) > self.timeout_s:
            return "timeout"
        if state.get("tokens", 0) >= self.max_tokens:
            return "tokens"
        if state.get("cost_usd", 0.0) >= self.max_cost_usd:
            return "cost"
        if state.get("rounds", 0) >= self.max_rounds:
            return "rounds"
        return None

    def message(self, reason: StopReason) -> str:
        """What the answer's warnings say when ``reason`` stopped the run."""
        return {
            "tool_calls": f"stopped early: the limit of {self.max_tool_calls} tool calls per "
            "question was reached; the answer uses the evidence gathered so far",
            "rounds": f"stopped early: the limit of {self.max_rounds} tool rounds per question "
            "was reached; the answer uses the evidence gathered so far",
            "tokens": f"stopped early: the limit of {self.max_tokens:,} LLM tokens per question "
            "was reached",
            "cost": f"stopped early: the LLM cost limit of ${self.max_cost_usd:.2f} per question "
            "was reached",
            "timeout": f"stopped early: the question ran past its {self.timeout_s:g} s time limit",
        }[reason]
