"""``signaldesk`` as a real process: the console script starts, and a user error is one line on
stderr and exit code 2, and what a cold start imports (the other CLI tests run in this process,
through tests/cli/runner.py)."""

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


def _modules_after(*args: str) -> set[str]:
    """The top-level modules a fresh interpreter holds after ``signaldesk *args``."""
    code = (
        "import sys\n"
        f"sys.argv = ['signaldesk', *{list(args)!r}]\n"
        "import cli\n"
        "try:\n    cli.main()\nexcept SystemExit:\n    pass\n"
        "print(' '.join(sorted({m.partition('.')[0] for m in sys.modules})), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    return set(done.stderr.strip().splitlines()[-1].split())


def test_help_loads_no_settings_data_or_model_libraries() -> None:
    loaded = _modules_after("--help")
    heavy = {"pydantic_settings", "numpy", "pandas", "pandera", "sqlalchemy", "scipy", "torch"}
    assert loaded & heavy == set()


def test_signal_with_no_model_loads_no_ml_agent_or_web_libraries() -> None:
    first = _modules_after("signal", "MSFT", "--as-of", "2013-02-28", "--json")
    assert "alembic" in first  # a new home: the track record's database is migrated once
    loaded = _modules_after("signal", "MSFT", "--as-of", "2013-02-28", "--json")
    assert "pandas" in loaded  # it did run
    heavy = {"scipy", "sklearn", "xgboost", "torch", "transformers", "langgraph", "langchain_core"}
    heavy |= {"plotly", "chainlit", "lancedb", "alembic"}
    assert loaded & heavy == set()
    assert "sqlalchemy" in loaded  # the call shown goes to the track record (predictions)
