"""The optional LLM judge: a rubric score (correctness, grounding, clarity, 1-5) per answer.

Runs only when a model is given (an OpenAI-compatible endpoint, or a scripted fake in tests).
The rubric lives in ``prompts/judge.md``; the model must reply with a ``Judgement`` tool call.
A reply that is not one (garbage, an endpoint down) is recorded as an error, never a score.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agent.llm import LLMUnavailableError, invoke_with_clear_errors
from evals.suite import Case
from prompts import templates

__all__ = ["Judge", "Judgement"]


class Judgement(BaseModel):
    """Rubric scores of one answer, 1 (poor) to 5 (excellent)."""

    model_config = ConfigDict(frozen=True)

    correctness: int | None = Field(default=None, ge=1, le=5)
    grounding: int | None = Field(default=None, ge=1, le=5)
    clarity: int | None = Field(default=None, ge=1, le=5)
    rationale: str = ""
    error: str | None = None


class Judge:
    def __init__(self, model: Any) -> None:  # noqa: ANN401 - a LangChain chat model
        self.model = model

    def grade(self, *, case: Case, answer: str) -> Judgement:
        prompt = templates("judge")["rubric"].format(
            as_of=case.as_of or "the latest data",
            question=" / ".join(case.messages),
            answer=answer,
        )
        try:
            bound = self.model.bind_tools([Judgement], tool_choice="Judgement")
            reply = invoke_with_clear_errors(bound, [("human", prompt)])
        except LLMUnavailableError as err:
            return Judgement(error=str(err))
        calls = [c for c in getattr(reply, "tool_calls", None) or [] if c["name"] == "Judgement"]
        if not calls:
            return Judgement(error="the judge did not call the Judgement tool")
        try:
            return Judgement.model_validate({**calls[0]["args"], "error": None})
        except ValidationError as err:
            first = err.errors()[0]
            return Judgement(error=f"malformed judgement: {first['loc']}: {first['msg']}")
