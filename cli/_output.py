"""Output helpers shared by the CLI commands: JSON, tables, dates and exit codes."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from enum import IntEnum
from typing import Any

import typer
from rich.console import Console

from core.asof import AsOfError, parse_as_of, today
from data.errors import InvalidRangeError

console = Console(highlight=False, soft_wrap=True)
# --progress/--no-progress of long commands; None: a live bar on a terminal, nothing in a log
ProgressOpt: Any = typer.Option(
    None,
    "--progress/--no-progress",
    help="Progress on stderr (default: on a terminal only; --progress in a log too)",
)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


class Exit(IntEnum):
    """Exit codes a script or scheduler can act on."""

    OK = 0
    CHECK_FAILED = 1  # the command ran and found problems (e.g. data quality errors)
    BAD_INPUT = 2  # fix the command: unknown ticker, bad dates, bad option
    UNAVAILABLE = 3  # a provider or service is down: retry later
    CONFIG = 4  # fix the configuration (environment / .env)


class BadInputError(Exception):
    """An option the user must fix (exit 2); ``str(err)`` is the one line printed."""


def print_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, indent=2, default=str) + "\n")


def parse_date(value: str | None, *, name: str) -> date | None:
    """ISO date from a CLI option (None when not given); a clear one-line error otherwise."""
    if value is None:
        return None
    try:
        return parse_as_of(value, name=name)
    except AsOfError as err:
        raise InvalidRangeError(str(err)) from None


def as_of_option(value: str | None, *, name: str = "--as-of") -> date:
    """The as-of date of a CLI option: the date given, or ``core.asof.today()``."""
    return parse_date(value, name=name) or today()


def say_data_day(day: date, *, ticker: str | None = None) -> None:
    """Tell (on stderr) that a command given no date computed at the last day offline data
    hold, not today."""
    whose = f" for {ticker.upper()}" if ticker else ""
    err_console.print(
        f"as of {day}: the last day the offline data hold{whose} (give --as-of to choose "
        "another day)",
        markup=False,
    )


class Steps:
    """Progress of a long command on stderr: a live bar on a terminal; elsewhere (a CI log, a
    pipe) nothing by default, since a script reads one line on stderr (the error), or, when
    asked (``--progress``), a plain line per step, at most one every few seconds, so a log shows
    it is alive. ``enabled``: True (asked), False (``--no-progress``), None (a terminal only).

    ``steps(text)`` counts one step done; ``steps.at(done, total, text)`` sets both (work whose
    size is known only once it starts, like the chunks an ingest embeds)."""

    PLAIN_EVERY_S = 5.0

    def __init__(self, label: str, total: int | None, *, enabled: bool | None) -> None:
        self.label, self.total, self.done = label, total, 0
        self._enabled = err_console.is_terminal if enabled is None else enabled
        self._bar: Any = None
        self._task: Any = None
        self._said = 0.0

    def __enter__(self) -> Steps:
        if self._enabled and err_console.is_terminal:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            self._bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=err_console,
                transient=True,
            ).__enter__()
            self._task = self._bar.add_task(self.label, total=self.total)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)

    def __call__(self, text: str) -> None:
        self.at(self.done + 1, self.total, text)

    def at(self, done: int, total: int | None, text: str) -> None:
        self.done, self.total = done, total
        if not self._enabled:
            return
        if self._bar is not None:
            self._bar.update(self._task, completed=done, total=total, description=text)
            return
        now = time.monotonic()
        if now - self._said < self.PLAIN_EVERY_S and done != total:
            return
        self._said = now
        of = f"/{total}" if total is not None else ""
        err_console.print(f"{self.label}: {done}{of} {text}", markup=False)


@contextmanager
def show_progress(total: int | None, label: str, enabled: bool | None) -> Iterator[Steps]:
    """Steps of a long command on stderr (see ``Steps``): ``enabled`` True shows them, False
    hides them, None shows them on a terminal only."""
    with Steps(label, total, enabled=enabled) as steps:
        yield steps
