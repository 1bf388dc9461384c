"""Output helpers shared by the CLI commands: JSON, tables, dates and exit codes."""

from __future__ import annotations

import json
import sys
from datetime import date
from enum import IntEnum
from typing import Any

from rich.console import Console

from core.asof import AsOfError, parse_as_of, today
from data.errors import InvalidRangeError

console = Console(highlight=False, soft_wrap=True)
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
