"""``cli._output.show_progress``: what a log (not a terminal) shows of a long command."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from cli import _output


@pytest.fixture
def log(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    out = io.StringIO()
    monkeypatch.setattr(_output, "err_console", Console(file=out, width=200))
    return out


def test_a_log_gets_a_plain_line_at_most_every_few_seconds_and_the_last(
    log: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = iter([100.0, 101.0, 102.0, 107.0, 108.0])
    monkeypatch.setattr(_output.time, "monotonic", lambda: next(clock))
    with _output.show_progress(5, "train", True) as step:
        for name in ("A", "B", "C", "D", "E"):
            step(f"{name}: trained")
    # the first step, nothing for 5 s, the step after 5 s, then the last one whatever the time
    assert log.getvalue().splitlines() == [
        "train: 1/5 A: trained",
        "train: 4/5 D: trained",
        "train: 5/5 E: trained",
    ]


def test_work_sized_once_it_starts_and_a_disabled_bar(log: io.StringIO) -> None:
    with _output.show_progress(None, "ingest", True) as steps:
        steps.at(64, 100, "chunks embedded")
        steps.at(100, 100, "chunks embedded")
    assert log.getvalue().splitlines() == [
        "ingest: 64/100 chunks embedded",
        "ingest: 100/100 chunks embedded",
    ]
    with _output.show_progress(3, "quiet", False) as step:
        step("x")
    assert "quiet" not in log.getvalue() and steps.done == 100
