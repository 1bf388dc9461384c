"""Agent benchmark: ``Agent.ask`` latency with the offline planner (no LLM), and CLI cold start.

Run from the repository root::

    python -m benchmarks.ask
    python -m benchmarks.ask --cold-repeats 5

Measured in one run, in a temporary ``SIGNALDESK_HOME`` (bundled prices only, no LLM endpoint,
so no user state is touched and nothing reaches the network):

1. Warm latency: one ``Agent`` built once (``model=None``: the offline planner, no
   checkpointer), then 20 representative questions about the bundled tickers at as-of
   2013-02-28: one untimed warm-up pass, then one timed pass; p50, p95 and max of the
   wall time of ``agent.ask``. Target: p50 < 1.5 s. Every answer must pass verification and not
   be a refusal.
2. Baseline, interleaved question by question with (1): the same deterministic tool work without
   the graph -- each tool call the agent made (``RunResult.steps``) invoked directly on
   ``tools.registry.TOOLS_BY_NAME`` inside the run's tool context. The ratio agent / tools-only
   p50 is the cost of understanding, planning, composing and verifying.
3. Cold start, median of ``--cold-repeats`` fresh processes: ``signaldesk ask ... --json``
   (thread memory on SQLite in the temporary home, as the CLI does), ``signaldesk --help``,
   ``import agent.runner``, and ``python -c pass`` as the baseline; ``signaldesk`` is run as
   ``python -c "from cli import main; main()"``. No target; the numbers are printed. One
   untimed ``ask`` run comes first: it creates the thread database, and its JSON answer must be
   verified and not refused.

Exit status: 0 when the latency target is met and every answer checks out, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import TypeVar

import numpy as np

from agent.deps import deps_from_settings
from agent.runner import Agent, RunResult, ToolStep
from core.settings import load_settings
from tools.registry import TOOLS_BY_NAME
from tools.runtime import use_context

T = TypeVar("T")

AS_OF = date(2013, 2, 28)
P50_TARGET_S = 1.5
ENV_PREFIX = "SIGNALDESK_"
QUESTIONS = (
    "Should I buy Microsoft?",
    "What is IBM's 99% one-day VaR?",
    "Compare AAPL and GOOG momentum",
    "What is the RSI of Apple?",
    "How did the S&P 500 do?",
    "Should I sell Google?",
    "What's the 10-day VaR of MSFT?",
    "Compare IBM, MSFT and AAPL on risk",
    "Is Facebook a buy?",
    "How is IBM trading?",
    "What is the MACD of Google?",
    "How volatile is Apple?",
    "What is the maximum drawdown of IBM?",
    "Is Microsoft overbought?",
    "What is the trend of the S&P 500?",
    "What is the 95% VaR of Facebook?",
    "Should I hold IBM?",
    "How did Apple do this year?",
    "What is the Sharpe ratio of MSFT?",
    "Where are AAPL's Bollinger bands?",
)
CLI = (sys.executable, "-c", "from cli import main; main()")  # what `signaldesk` runs
CLI_ASK = (*CLI, "ask", QUESTIONS[0], "--as-of", AS_OF.isoformat(), "--json")


@dataclass(frozen=True)
class Timing:
    question: str
    agent_s: float
    tools_s: float
    n_tools: int
    problem: str | None  # why the answer does not check out; None when it does


@dataclass(frozen=True)
class ColdStart:
    name: str
    runs_s: list[float]

    @property
    def median_s(self) -> float:
        return statistics.median(self.runs_s)


@contextmanager
def temporary_home() -> Iterator[dict[str, str]]:
    """A fresh SIGNALDESK_HOME with bundled prices and no other SignalDesk settings, applied to
    this process for the duration; yields the environment for child processes."""
    saved = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="sd-bench-ask-") as home:
        env = {k: v for k, v in saved.items() if not k.startswith(ENV_PREFIX)}
        env |= {f"{ENV_PREFIX}HOME": home, f"{ENV_PREFIX}SOURCES": "bundled"}
        os.environ.clear()
        os.environ.update(env)
        try:
            yield env
        finally:
            os.environ.clear()
            os.environ.update(saved)


def build_agent() -> Agent:
    """The agent on the process settings (read now, so after ``temporary_home``), offline."""
    return Agent(deps_from_settings(load_settings(), model=None))


def problem_with(result: RunResult) -> str | None:
    if result.answer.refused:
        return "refused"
    if not result.verification.ok:
        return "verification failed"
    return None


def replay_tools(agent: Agent, steps: Sequence[ToolStep]) -> None:
    """The tool calls of a turn, invoked directly in the run's tool context (no graph)."""
    with use_context(agent.deps.context_for(AS_OF)):
        for step in steps:
            TOOLS_BY_NAME[step.name].invoke(step.args)


def timed(call: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    value = call()
    return time.perf_counter() - start, value


def measure_warm(agent: Agent, questions: Sequence[str]) -> list[Timing]:
    """One untimed warm-up pass, then each question timed through the agent and, right after,
    its tool calls replayed without the graph."""
    steps = {q: agent.ask(q, as_of=AS_OF).steps for q in questions}
    timings = []
    for q in questions:
        agent_s, result = timed(partial(agent.ask, q, as_of=AS_OF))
        tools_s, _ = timed(partial(replay_tools, agent, steps[q]))
        timings.append(Timing(q, agent_s, tools_s, len(steps[q]), problem_with(result)))
    return timings


def wall_s(argv: Sequence[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    run = subprocess.run(argv, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if run.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[3:])} exited {run.returncode}: {run.stderr[-500:]}")
    return elapsed


def check_cli_answer(env: dict[str, str]) -> str | None:
    """Why the CLI's JSON answer does not check out; None when it does."""
    run = subprocess.run(CLI_ASK, env=env, capture_output=True, text=True)
    if run.returncode != 0:
        return f"exit {run.returncode}: {run.stderr.strip()[-300:]}"
    result = json.loads(run.stdout)
    if result["answer"]["refused"] or not result["verification"]["ok"]:
        return "refused or not verified"
    return None


def measure_cold(env: dict[str, str], repeats: int) -> list[ColdStart]:
    """Wall time of fresh processes, each command ``repeats`` times; a failing one raises."""
    commands = {
        f'signaldesk ask "{QUESTIONS[0]}" --json': CLI_ASK,
        "signaldesk --help": [*CLI, "--help"],
        "import agent.runner": [sys.executable, "-c", "import agent.runner"],
        'python -c "pass" (baseline)': [sys.executable, "-c", "pass"],
    }
    return [
        ColdStart(name, [wall_s(argv, env) for _ in range(repeats)])
        for name, argv in commands.items()
    ]


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def spread(seconds: np.ndarray) -> str:
    p50, p95 = np.percentile(seconds, [50, 95]) * 1000
    return f"p50 {p50:6.0f} ms  p95 {p95:6.0f} ms  max {seconds.max() * 1000:6.0f} ms"


def report_warm(timings: list[Timing]) -> bool:
    agent = np.array([t.agent_s for t in timings])
    tools = np.array([t.tools_s for t in timings])
    print(f"warm ask latency, {len(timings)} questions at as-of {AS_OF} (offline planner):")
    for t in timings:
        flag = f"  <- {t.problem}" if t.problem else ""
        print(f"  {t.agent_s * 1000:7.0f} ms  tools {t.tools_s * 1000:6.0f} ms "
              f"({t.n_tools} call{'s' * (t.n_tools != 1)})  {t.question}{flag}")  # fmt: skip
    print(f"  agent       {spread(agent)}")
    print(f"  tools only  {spread(tools)}")
    ratio = np.median(agent) / np.median(tools)
    print(f"  agent / tools-only p50 = {ratio:.2f}x; graph + compose + verify overhead "
          f"p50 {np.median(agent - tools) * 1000:.0f} ms per question")  # fmt: skip
    return bool(np.median(agent) < P50_TARGET_S)


def report_cold(cold: list[ColdStart]) -> None:
    print(f"\ncold start, median of {len(cold[0].runs_s)} fresh processes (no target):")
    for c in cold:
        runs = ", ".join(f"{s:.2f}" for s in c.runs_s)
        print(f"  {c.median_s:6.2f} s  {c.name}  (runs: {runs} s)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cold-repeats", type=int, default=3)
    args = parser.parse_args(argv)

    with temporary_home() as env:
        timings = measure_warm(build_agent(), QUESTIONS)
        cli_problem = check_cli_answer(env)
        cold = measure_cold(env, args.cold_repeats)
    fast = report_warm(timings)
    report_cold(cold)

    failed = [t for t in timings if t.problem]
    p50 = statistics.median(t.agent_s for t in timings)
    print()
    print(f"{verdict(fast)}: warm ask p50 {p50:.3f} s (target < {P50_TARGET_S} s)")
    print(f"{verdict(not failed and not cli_problem)}: {len(timings) - len(failed)}/"
          f"{len(timings)} warm answers verified and not refused; CLI ask answer "
          f"{cli_problem or 'verified'}")  # fmt: skip
    for t in failed:
        print(f"  {t.question!r}: {t.problem}")
    return 0 if fast and not failed and not cli_problem else 1


if __name__ == "__main__":
    sys.exit(main())
