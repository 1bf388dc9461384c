"""Running ``signaldesk`` in tests: in this process (``run``), or as a real process (``EXE``).

``run`` calls ``cli.main`` with the arguments, standard streams captured (Typer's ``CliRunner``
isolation), and returns what a shell would see: the exit code, stdout and stderr. What a
separate process used to reset is put back after each call: the environment (``env_extra``
through ``monkeypatch``) and the logging handlers and levels the command installs. Settings
are read from the environment on every call (tests/conftest.py gives each test its own
``SIGNALDESK_HOME``). An unexpected exception becomes exit code 1 with its traceback on
stderr, as the interpreter would print it.

Tests that must cross a real process boundary (the console script, stdin piped into a
process, a server) start ``EXE`` with ``subprocess``.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from typer.testing import CliRunner

EXE = [sys.executable, "-c", "from cli import main; main()"]


@dataclass(frozen=True)
class Result:
    """What a shell sees of one ``signaldesk`` run (the fields of ``CompletedProcess``)."""

    returncode: int
    stdout: str
    stderr: str


@contextmanager
def _logging_restored() -> Iterator[None]:
    """Remove (and close) the root handlers added inside the block; give every logger back
    its level (NOTSET for loggers made inside the block)."""

    def loggers() -> list[logging.Logger]:
        known = root.manager.loggerDict.values()
        return [root, *(x for x in known if isinstance(x, logging.Logger))]

    root = logging.getLogger()
    handlers = list(root.handlers)
    levels = {id(x): x.level for x in loggers()}
    try:
        yield
    finally:
        for handler in list(root.handlers):
            if handler not in handlers:
                root.removeHandler(handler)
                handler.close()
        for logger in loggers():
            logger.setLevel(levels.get(id(logger), logging.NOTSET))


def _exit_code(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)  # SystemExit("message"): Python prints it and exits 1
    return 1


def run(*args: str, env_extra: dict[str, str] | None = None, input: str | None = None) -> Result:
    """``signaldesk *args`` in this process, with ``env_extra`` set and ``input`` on stdin."""
    from cli import main

    with (
        pytest.MonkeyPatch.context() as mp,
        _logging_restored(),
        CliRunner().isolation(input=input) as (out, err, _),
    ):
        for name, value in (env_extra or {}).items():
            mp.setenv(name, value)
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = _exit_code(exc.code)
        except Exception:  # what the interpreter does with an uncaught exception
            traceback.print_exc()
            code = 1
        sys.stdout.flush()
        sys.stderr.flush()
        stdout, stderr = out.getvalue(), err.getvalue()
    return Result(code, stdout.decode(), stderr.decode("utf-8", "backslashreplace"))
