"""What an error that ends a command means to its user: one line and an exit code.

``describe(err)`` returns ``(code, line)`` for every error a user can act on (bad input, a service
or the disk unavailable, configuration) and None for a bug, which keeps its traceback. Error
classes of heavy packages are only checked when their module is already loaded (an error of a
module that was never imported cannot have been raised), so that start-up stays light.
"""

from __future__ import annotations

import errno
import logging
import sys

from cli._output import BadInputError, Exit
from data.errors import DataError, DataUnavailableError, ProviderError, UnusableDataError

__all__ = ["describe", "log_to_files"]

# The disk (or the quota) is full, or the device failed: free space and retry.
_DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO})
# The place SignalDesk writes to cannot be written: fix the home, the folder or its rights.
_NOT_WRITABLE = frozenset({errno.EROFS, errno.EACCES, errno.EPERM})
# A path option names the wrong kind of thing (a file for a folder, a missing parent, ...).
_BAD_PATH = frozenset({errno.ENOTDIR, errno.EISDIR, errno.EEXIST, errno.ENOENT, errno.ENAMETOOLONG})


def describe(err: BaseException) -> tuple[Exit, str] | None:
    """The exit code and the one-line message for ``err``, or None when it is a bug."""
    checks = (_known, _os_error, _sqlite_error, _postgres_error, _loaded_module_error, _quant_error)
    for check in checks:
        found = check(err)
        if found is not None:
            return found
    return None


def log_to_files(logger: logging.Logger, message: str, **fields: object) -> None:
    """Log ``message`` at INFO to the log files only: the console already shows the error's
    one line, and a second line there (the log record) would repeat it."""
    if not logger.isEnabledFor(logging.INFO):
        return
    record = logger.makeRecord(logger.name, logging.INFO, __file__, 0, message, (), None)
    record.__dict__.update(fields)
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.FileHandler):
            handler.handle(record)


def _line(text: object) -> str:
    """The first non-empty line of ``text`` (messages of other libraries may span several)."""
    lines = [part.strip() for part in str(text).splitlines() if part.strip()]
    return lines[0] if lines else ""


def _known(err: BaseException) -> tuple[Exit, str] | None:
    from core.settings import SettingsError  # here, so that --help does not load pydantic

    if isinstance(err, BadInputError):
        return Exit.BAD_INPUT, _line(err)
    if isinstance(err, SettingsError):
        # One line: the problems of a settings error are joined after its headline.
        parts = [part.strip() for part in str(err).splitlines() if part.strip()]
        head, rest = (parts[0], parts[1:]) if parts else ("invalid configuration", [])
        return Exit.CONFIG, f"{head} {'; '.join(rest)}".strip()
    if isinstance(err, UnusableDataError):  # a corrupt file: fix it, retrying will not help
        return Exit.BAD_INPUT, _line(err)
    if isinstance(err, DataUnavailableError | ProviderError):
        return Exit.UNAVAILABLE, _line(err)
    if isinstance(err, DataError):
        from data.store.errors import StoreUnavailableError

        code = Exit.UNAVAILABLE if isinstance(err, StoreUnavailableError) else Exit.BAD_INPUT
        return code, _line(err)
    return None


def _os_error(err: BaseException) -> tuple[Exit, str] | None:
    if not isinstance(err, OSError) or err.errno is None:
        return None
    where = f" {err.filename}" if err.filename else ""
    reason = err.strerror or _line(err)
    if err.errno in _DISK_FULL:
        return Exit.UNAVAILABLE, f"cannot write{where}: {reason}; free some space and run it again"
    if err.errno in _NOT_WRITABLE:
        return Exit.CONFIG, (
            f"cannot write{where}: {reason}; check SIGNALDESK_HOME and the folder's permissions"
        )
    if err.errno in _BAD_PATH and err.filename:
        return Exit.BAD_INPUT, f"cannot use{where}: {reason}"
    return None


def _sqlite_error(err: BaseException) -> tuple[Exit, str] | None:
    """SQLite's own errors, raw or wrapped by SQLAlchemy (only when those are loaded)."""
    if "sqlite3" not in sys.modules:
        return None
    import sqlite3

    orig: BaseException | None = err
    if "sqlalchemy" in sys.modules:
        import sqlalchemy.exc

        if isinstance(err, sqlalchemy.exc.DBAPIError):
            orig = err.orig
    if not isinstance(orig, sqlite3.OperationalError):
        return None
    text = _line(orig)
    if "disk is full" in text or "disk I/O error" in text:
        return Exit.UNAVAILABLE, f"database write failed: {text}; free some space and run it again"
    if "readonly database" in text or "unable to open database" in text:
        return Exit.CONFIG, f"database write failed: {text}; check SIGNALDESK_HOME and its rights"
    if "database is locked" in text:
        return Exit.UNAVAILABLE, f"database busy: {text}; run it again"
    return None


def _postgres_error(err: BaseException) -> tuple[Exit, str] | None:
    """PostgreSQL unreachable or gone mid-run (refused, shut down, connection lost), raw from
    the driver or wrapped by SQLAlchemy: a service fault (only when psycopg is loaded)."""
    if "psycopg" not in sys.modules:
        return None
    import psycopg

    orig: BaseException | None = err
    if "sqlalchemy" in sys.modules:
        import sqlalchemy.exc

        if isinstance(err, sqlalchemy.exc.DBAPIError):
            orig = err.orig
    if not isinstance(orig, psycopg.OperationalError):
        return None
    return Exit.UNAVAILABLE, (
        f"database unavailable: {_line(orig)}; check the server and SIGNALDESK_DATABASE_URL"
    )


def _loaded_module_error(err: BaseException) -> tuple[Exit, str] | None:
    """Named errors of the agent, retrieval and briefing layers."""
    if "retrieval.embeddings" in sys.modules:
        from retrieval.embeddings import EmbeddingModelUnavailableError

        if isinstance(err, EmbeddingModelUnavailableError):
            return Exit.CONFIG, _line(err)
    if "agent.llm" in sys.modules:
        from agent.llm import LLMConfigError, LLMUnavailableError

        if isinstance(err, LLMConfigError):
            return Exit.CONFIG, _line(err)
        if isinstance(err, LLMUnavailableError):
            return Exit.UNAVAILABLE, _line(err)
    if "agent.memory" in sys.modules:
        from agent.memory import ThreadStoreError

        if isinstance(err, ThreadStoreError):
            return Exit.UNAVAILABLE, _line(err)
    if "briefing.watchlist" in sys.modules:
        from briefing.watchlist import WatchlistError

        if isinstance(err, WatchlistError):
            return Exit.BAD_INPUT, _line(err)
    return None


def _quant_error(err: BaseException) -> tuple[Exit, str] | None:
    """The quant layer's input errors (too little history, malformed bars or risk input)."""
    if "quant.backtest.splits" in sys.modules:
        from quant.backtest.splits import InsufficientHistoryError

        if isinstance(err, InsufficientHistoryError):
            return Exit.BAD_INPUT, f"not enough history: {_line(err)}"
    if "quant.indicators.errors" in sys.modules:  # too few bars for the warm-up, bad bars
        from quant.indicators import InsufficientDataError, InvalidBarsError

        if isinstance(err, InsufficientDataError):
            return Exit.BAD_INPUT, f"not enough history: {_line(err)}"
        if isinstance(err, InvalidBarsError):
            return Exit.BAD_INPUT, _line(err)
    if "quant.risk.errors" in sys.modules:
        from quant.risk import RiskInputError

        if isinstance(err, RiskInputError):
            return Exit.BAD_INPUT, _line(err)
    return None
