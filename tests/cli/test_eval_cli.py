"""``signaldesk eval`` as CI runs it (offline; exit codes, stdout and stderr as a shell sees them,
in this process through tests/cli/runner.py)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.runner import run

BROKEN = """name: planted
cases:
  - id: buy-msft-wants-a-backtest
    question: Should I buy Microsoft?
    as_of: 2013-02-28
    expect:
      tools: {must: [backtest]}
      signal: MSFT
"""


def test_eval_run_gates_reports_and_compares(tmp_path: Path) -> None:
    ok = run(
        "eval",
        "run",
        "core",
        "--tag",
        "refusal",
        "--fail-under",
        "pass_rate=1",
        "--fail-under",
        "refusal_accuracy=1",
        "--out",
        "out",
        "--json",
    )
    assert ok.returncode == 0, ok.stderr
    first = json.loads(ok.stdout)
    assert first["metrics"]["pass_rate"] == 1.0 and first["cases"]
    assert all("refusal" in c["tags"] for c in first["cases"])
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == [f"eval-core-{first['run_id']}.{ext}" for ext in ("html", "json", "md")]

    (tmp_path / "planted.yaml").write_text(BROKEN)
    bad = run("eval", "run", "planted.yaml", "--fail-under", "pass_rate=1", "--no-progress")
    assert bad.returncode == 1, bad.stderr
    assert "FAIL buy-msft-wants-a-backtest: tools not called: ['backtest']" in bad.stdout
    assert "gate: planted: pass_rate 0 is below 1" in bad.stderr

    diff = run("eval", "compare", str(first["run_id"]), str(first["run_id"] + 1), "--json")
    assert diff.returncode == 0, diff.stderr
    compared = json.loads(diff.stdout)
    assert compared["metrics"]["pass_rate"]["delta"] == -1.0
    assert compared["only_b"] == ["buy-msft-wants-a-backtest"]
    listed = json.loads(run("eval", "list", "--json").stdout)
    assert [r["id"] for r in listed] == [first["run_id"] + 1, first["run_id"]]


def test_eval_bad_input_exits_2() -> None:
    assert run("eval", "run", "nope").returncode == 2
    metric = run("eval", "run", "core", "--fail-under", "happiness=1")
    assert metric.returncode == 2 and "METRIC=VALUE" in metric.stderr
    assert run("eval", "compare", "998", "999").returncode == 2
    judge = run("eval", "run", "core", "--judge")
    assert judge.returncode == 4 and "no LLM endpoint" in judge.stderr


def test_the_readmes_list_and_compare_work_as_written() -> None:
    empty = run("eval", "list")
    assert empty.returncode == 0 and "no eval runs stored yet" in empty.stderr
    none = run("eval", "compare", "previous", "latest")
    assert none.returncode == 2
    assert none.stderr.strip() == (
        "error: no eval runs stored yet: run `signaldesk eval run core` first"
    )
    for _ in range(2):
        ran = run("eval", "run", "core", "--tag", "refusal", "--no-progress", "--json")
        assert ran.returncode == 0, ran.stderr
    latest = json.loads(ran.stdout)["run_id"]
    diff = run("eval", "compare", "previous", "latest", "--json")
    assert diff.returncode == 0, diff.stderr
    compared = json.loads(diff.stdout)
    assert (compared["a"]["id"], compared["b"]["id"]) == (latest - 1, latest)
    assert compared["fixed"] == [] and compared["broken"] == []
    shown = run("eval", "compare", "previous", "latest")
    assert shown.returncode == 0 and f"B: run {latest} core" in shown.stdout
    assert run("eval", "compare", "first", "latest").returncode == 2
