"""Running a suite: every case through the agent (a fresh thread each, every turn of a
conversation in order), scored against references computed without the agent, then summed up.

References: the expected signal is the ``signal`` tool's evidence at the case's as-of date and a
fact is a value of a tool's evidence there: the same tools the agent calls, invoked directly.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from agent.runner import Agent, RunResult
from evals.judge import Judge, Judgement
from evals.metrics import AnswerReferences, CaseScore, read_path, score_case
from evals.suite import AnswerExpect, Case, Fact, Suite, Which
from tools.registry import TOOLS_BY_NAME
from tools.runtime import use_context
from tools.signal import signal_evidence

__all__ = ["METRICS", "SuiteResult", "answer_references", "gate", "run_suite", "summarize"]

METRICS = (
    "pass_rate",
    "tool_precision",
    "tool_recall",
    "signal_agreement",
    "numeric_faithfulness",
    "citation_validity",
    "refusal_accuracy",
    "completeness",
    "answers_question",
    "latency_p50_s",
    "latency_p95_s",
    "tokens",
    "cost_usd",
)


class SuiteResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    suite: str
    model: str
    cases: list[CaseScore]
    judgements: dict[str, Judgement] = Field(default_factory=dict)
    metrics: dict[str, float | None]
    seconds: float


def _tool_values(name: str, args: dict[str, Any], ctx: Any) -> tuple[Any, str | None]:  # noqa: ANN401
    """The first evidence's values of ``name(args)`` at ``ctx``'s as-of date, or the error."""
    tool = TOOLS_BY_NAME.get(name)
    if tool is None:
        return None, f"unknown tool {name!r}"
    with use_context(ctx):
        message = tool.invoke(
            {"name": name, "args": args, "id": "eval-reference", "type": "tool_call"}
        )
    if message.status == "error" or not message.artifact:
        return None, message.text
    return message.artifact[0]["values"], None


def _reference(
    tool: str,
    args: dict[str, Any],
    path: str,
    ctx: Any,
    kind: type[float] | type[str],  # noqa: ANN401
) -> tuple[Any, str | None]:
    values, error = _tool_values(tool, args, ctx)
    if error is not None:
        return None, error
    try:
        return kind(read_path(values, path)), None
    except (KeyError, IndexError, TypeError, ValueError) as err:
        return None, f"path {path!r}: {err}"


def _reference_fact(fact: Fact, ctx: Any) -> tuple[float | None, str | None]:  # noqa: ANN401
    return _reference(fact.tool, fact.args, fact.path, ctx, float)


def _reference_which(which: Which, ctx: Any) -> tuple[str | None, str | None]:  # noqa: ANN401
    values, error = _tool_values(which.tool, which.args, ctx)
    if error is not None:
        return None, error
    try:
        ranked = {t: float(row[which.key]) for t, row in values["by_ticker"].items()}
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        return None, f"by_ticker.*.{which.key}: {err}"
    if not ranked:
        return None, "no ticker compared"
    pick = max if which.pick == "max" else min
    return pick(ranked, key=ranked.__getitem__), None


def answer_references(expect: AnswerExpect, ctx: Any) -> AnswerReferences:  # noqa: ANN401
    """Every reference of an answer expectation, from the tools' own evidence at ``ctx``."""
    return AnswerReferences(
        facts=[(f, *_reference_fact(f, ctx)) for f in expect.facts],
        said=[(s, *_reference(s.tool, s.args, s.path, ctx, str)) for s in expect.said],
        which=None if expect.which is None else _reference_which(expect.which, ctx),
    )


def _run_case(agent: Agent, case: Case) -> CaseScore:
    as_of = case.as_of
    result: RunResult | None = None
    for turn in case.messages:
        result = agent.ask(
            turn, as_of=as_of, thread_id=None if result is None else result.thread_id
        )
    assert result is not None
    ctx = agent.deps.context_for(result.answer.as_of)  # the case's date, or the question's
    facts = [(f, *_reference_fact(f, ctx)) for f in case.expect.facts]
    expected = None
    if case.expect.signal is not None:
        signal, _ = signal_evidence(ctx, case.expect.signal)
        expected = (signal.values["action"], signal.id)
    refs = None if case.expect.answer is None else answer_references(case.expect.answer, ctx)
    return score_case(case, result, facts=facts, expected_signal=expected, answer_refs=refs)


def _mean(values: list[float | bool | None]) -> float | None:
    kept = [float(v) for v in values if v is not None]
    return statistics.fmean(kept) if kept else None


def summarize(cases: list[CaseScore]) -> dict[str, float | None]:
    latencies = sorted(c.latency_s for c in cases)

    def quantile(q: float) -> float | None:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] if latencies else None

    return {
        "cases": float(len(cases)),
        "pass_rate": _mean([c.passed for c in cases]),
        "tool_precision": _mean([c.tool_precision for c in cases]),
        "tool_recall": _mean([c.tool_recall for c in cases]),
        "signal_agreement": _mean([c.signal_agrees for c in cases]),
        "numeric_faithfulness": _mean([c.numeric_faithfulness for c in cases]),
        "citation_validity": _mean([c.citation_valid for c in cases]),
        "refusal_accuracy": _mean([c.refusal_correct for c in cases]),
        "completeness": _mean([c.completeness for c in cases]),
        "answers_question": _mean([c.answers_question for c in cases]),
        "latency_p50_s": quantile(0.5),
        "latency_p95_s": quantile(0.95),
        "tokens": float(sum(c.tokens for c in cases)),
        "cost_usd": float(sum(c.cost_usd for c in cases)),
    }


def run_suite(
    suite: Suite,
    agent: Agent,
    *,
    judge: Judge | None = None,
    only: Callable[[Case], bool] | None = None,
    on_case: Callable[[CaseScore], None] | None = None,
) -> SuiteResult:
    """Every case (or those ``only`` keeps), scored; the judge grades answered cases."""
    started = time.perf_counter()
    scores: list[CaseScore] = []
    judgements: dict[str, Judgement] = {}
    for case in suite.cases:
        if only is not None and not only(case):
            continue
        score = _run_case(agent, case)
        scores.append(score)
        if judge is not None and not case.expect.refuse:
            judgements[case.id] = judge.grade(case=case, answer=score.answer)
        if on_case is not None:
            on_case(score)
    metrics = summarize(scores)
    if judgements:
        for key in ("correctness", "grounding", "clarity"):
            metrics[f"judge_{key}"] = _mean([getattr(j, key) for j in judgements.values()])
    return SuiteResult(
        suite=suite.name,
        model=agent.model_label,
        cases=scores,
        judgements=judgements,
        metrics=metrics,
        seconds=time.perf_counter() - started,
    )


def gate(metrics: dict[str, float | None], thresholds: dict[str, float]) -> list[str]:
    """One line per threshold not met (``latency_*``, ``tokens`` and ``cost_usd`` are upper
    bounds; every other metric a lower bound). An unknown or missing metric fails."""
    failed = []
    for name, bound in thresholds.items():
        value = metrics.get(name)
        upper = name.startswith("latency") or name in ("tokens", "cost_usd")
        if value is None:
            failed.append(f"{name}: not measured by this run")
        elif (value > bound) if upper else (value < bound):
            op = "above" if upper else "below"
            failed.append(f"{name} {value:.4g} is {op} {bound:g}")
    return failed
