"""Eval reports: Markdown (metrics, failures, every case), JSON (the whole result) and a
self-contained HTML page (the Markdown rendered, with Plotly charts of pass rate by tag and of
latency), written atomically."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import plotly.graph_objects as go

from core.files import write_atomic
from evals.metrics import CaseScore
from evals.runner import SuiteResult
from reports.html import figure_div, html_page, markdown_html
from reports.markdown import markdown_table

__all__ = ["metrics_table", "render_markdown", "write_reports"]


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4g}"


def metrics_table(metrics: dict[str, float | None]) -> str:
    rows = ([name, _fmt(value)] for name, value in metrics.items())
    return "\n".join(markdown_table(["metric", "value"], rows))


def _by_tag(result: SuiteResult) -> dict[str, list[bool]]:
    tags: dict[str, list[bool]] = defaultdict(list)
    for case in result.cases:
        for tag in case.tags or ["untagged"]:
            tags[tag].append(case.passed)
    return dict(sorted(tags.items()))


def render_markdown(result: SuiteResult, *, run_id: int | None = None) -> str:
    head = f"# Eval: {result.suite}" + (f" (run {run_id})" if run_id is not None else "")
    lines = [
        head,
        "",
        f"Model {result.model} · {len(result.cases)} cases · {result.seconds:.1f} s.",
        "",
        "## Metrics",
        "",
        metrics_table(result.metrics),
        "",
        "## By tag",
        "",
    ]
    by_tag = ([t, str(len(v)), str(sum(v))] for t, v in _by_tag(result).items())
    lines += markdown_table(["tag", "cases", "passed"], by_tag)
    failed = [c for c in result.cases if not c.passed]
    lines += ["", "## Failures", ""]
    lines += [f"- **{c.case_id}**: {'; '.join(c.failures)}" for c in failed] or ["None."]
    lines += ["", "## Cases", ""]
    header = ["case", "passed", "answers", "tools", "latency (s)", "judge"]
    lines += markdown_table(header, (_case_row(result, c) for c in result.cases))
    return "\n".join(lines) + "\n"


def _case_row(result: SuiteResult, c: CaseScore) -> list[str]:
    j = result.judgements.get(c.case_id)
    judged = "" if j is None else (j.error or f"{j.correctness}/{j.grounding}/{j.clarity}")
    passed = "yes" if c.passed else "NO"
    answers = "-" if c.answers_question is None else "yes" if c.answers_question else "NO"
    tools = ", ".join(c.tools_called) or "-"
    return [c.case_id, passed, answers, tools, f"{c.latency_s:.2f}", judged]


def _charts(result: SuiteResult) -> str:
    tags = _by_tag(result)
    rate = go.Figure(
        go.Bar(
            x=list(tags),
            y=[sum(v) / len(v) for v in tags.values()],
            text=[f"{sum(v)}/{len(v)}" for v in tags.values()],
        )
    )
    rate.update_layout(title="Pass rate by tag", yaxis={"range": [0, 1]}, height=340)
    latency = go.Figure(go.Histogram(x=[c.latency_s for c in result.cases], nbinsx=30))
    latency.update_layout(title="Latency per case (s)", height=300)
    return figure_div(rate, "0") + figure_div(latency, "1")


def write_reports(result: SuiteResult, out: Path, *, run_id: int | None = None) -> list[Path]:
    stem = out / f"eval-{result.suite}" if run_id is None else out / f"eval-{result.suite}-{run_id}"
    md = render_markdown(result, run_id=run_id)
    page = html_page(title=stem.name, body=markdown_html(md) + _charts(result))
    return [
        write_atomic(stem.with_suffix(".md"), md),
        write_atomic(stem.with_suffix(".json"), result.model_dump_json(indent=2)),
        write_atomic(stem.with_suffix(".html"), page),
    ]
