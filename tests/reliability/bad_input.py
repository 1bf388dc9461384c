"""What every case of the bad-input corpus asserts of one ``signaldesk`` run (tests in
test_bad_input.py and test_bad_files.py): the exit code, no traceback, and one line on stderr
besides log records."""

from __future__ import annotations

import re

from tests.cli.runner import Result

# A log record on the console: "04:53:32 WARNING [run id] logger: message"; and the status line
# `ask` always prints ("thread 3acb435f092d · offline planner ...").
_LOG = re.compile(r"^(\d\d:\d\d:\d\d (DEBUG|INFO|WARNING|ERROR|CRITICAL) |thread [0-9a-f]+ · )")
# The briefing's report line on its portfolio panel, printed after its per-ticker warnings.
_PORTFOLIO = "warning: portfolio: "
# Commands whose answer or report is on stdout, so that stderr may hold no line when they fail
# (ask's refusal is its answer; data check/load and train print a table with a row per ticker).
REPORTS = {"ask", "train", "data-check", "data-load"}


def stderr_lines(out: Result) -> list[str]:
    """stderr without its log records."""
    lines = out.stderr.splitlines()
    return [x for x in lines if x.strip() and not _LOG.match(x) and not x.startswith(_PORTFOLIO)]


def check(out: Result, code: int, text: str = "", *, report: bool = False) -> str:
    """The exit code is ``code``; stderr holds no traceback and one line besides its log records
    (at most one for exit 0/1 or a ``report`` on stdout); ``text`` is in that line or stdout."""
    assert "Traceback" not in out.stderr, out.stderr
    lines = stderr_lines(out)
    assert out.returncode == code, out.stderr
    if code >= 2 and not report:
        assert len(lines) == 1, out.stderr
    else:
        assert len(lines) <= 1, out.stderr
    line = lines[0] if lines else ""
    assert text in line + out.stdout, (line, out.stdout[:500])
    return line
