"""``signaldesk`` as a real process: the console script starts, and a user error is one line on
stderr and exit code 2 (the other CLI tests run in this process, through tests/cli/runner.py)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.cli.runner import EXE


def test_the_console_script_prints_help_and_exits_0() -> None:
    script = shutil.which("signaldesk", path=str(Path(sys.executable).parent))
    argv = [script] if script else EXE
    done = subprocess.run([*argv, "--help"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Usage: signaldesk" in done.stdout
    for command in ("ask", "signal", "briefing", "data", "eval", "ui"):
        assert f" {command} " in done.stdout, command


def test_a_user_error_is_one_line_and_exit_2() -> None:
    done = subprocess.run(
        [*EXE, "data", "fetch", "XYZQ"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1, done.stderr
    assert "error: unknown ticker 'XYZQ'" in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""
