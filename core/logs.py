"""Structured logging: readable lines in dev, JSON lines in prod, a rotating file, a run id.

Modules log with ``logging.getLogger(__name__)`` and pass fields in ``extra``; this module
decides how records look. Known secret values are masked in every record.
"""

from __future__ import annotations

import io
import json
import logging
import logging.handlers
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from core import tracing

if TYPE_CHECKING:
    from core.settings import Settings

_RUN_ID: ContextVar[str] = ContextVar("signaldesk_run_id", default="-")
_PACKAGES = (
    "cli",
    "ui",
    "api",
    "briefing",
    "evals",
    "agent",
    "loop",
    "tools",
    "reports",
    "quant",
    "retrieval",
    "data",
    "prompts",
    "core",
)  # every product package (tests/test_architecture.py lists their layers)
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message",
    "asctime",
    "run_id",
}


def new_run_id() -> str:
    return uuid.uuid4().hex[:12]


def current_run_id() -> str:
    return _RUN_ID.get()


@contextmanager
def run_scope(run_id: str | None = None) -> Iterator[str]:
    """Tag every log line inside the block with ``run_id`` (a new one when not given)."""
    token = _RUN_ID.set(run_id or new_run_id())
    try:
        yield _RUN_ID.get()
    finally:
        _RUN_ID.reset(token)


def _extras(record: logging.LogRecord) -> dict[str, object]:
    return {k: v for k, v in record.__dict__.items() if k not in _STANDARD}


class ContextFilter(logging.Filter):
    """Adds the run id and masks secrets in the message and extra fields; drops other
    libraries' records below WARNING, even from loggers whose level they set themselves."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if len(s) >= 4]

    def _mask(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "**********")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING and record.name.split(".")[0] not in _PACKAGES:
            return False  # another library's chatter (bm25s sets its own logger to DEBUG)
        record.run_id = _RUN_ID.get()
        if self.secrets:
            record.msg = self._mask(record.getMessage())
            record.args = None
            for key, value in _extras(record).items():
                if isinstance(value, str):
                    setattr(record, key, self._mask(value))
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "run_id": getattr(record, "run_id", "-"),
            "msg": record.getMessage(),
        }
        if (current := tracing.ids()) is not None:  # the trace this line belongs to
            line["trace_id"], line["span_id"] = current
        line.update(_extras(record))
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


class ConsoleFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.fromtimestamp(record.created).strftime("%H:%M:%S")
        fields = " ".join(f"{k}={v}" for k, v in _extras(record).items())
        text = (
            f"{stamp} {record.levelname:<7} [{getattr(record, 'run_id', '-')}] "
            f"{record.name}: {record.getMessage()}{' ' + fields if fields else ''}"
        )
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log file readable by its owner only (0600), each new file included."""

    def _open(self) -> io.TextIOWrapper:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.fchmod(fd, 0o600)  # a file left by an older version may be world-readable
        return open(fd, "a", encoding=self.encoding, errors=self.errors)  # noqa: SIM115


def _private_dir(path: Path) -> None:
    """``path`` created 0700; an existing one of ours made 0700 too."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_uid == os.getuid() and path.stat().st_mode & 0o077:
        os.chmod(path, 0o700)


def configure_logging(settings: Settings, *, stream: object | None = None) -> None:
    """Install SignalDesk's handlers on the root logger (idempotent: replaces our own)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_signaldesk", False):
            root.removeHandler(handler)
            handler.close()
    context = ContextFilter(settings.secrets())
    console = logging.StreamHandler(stream)  # type: ignore[arg-type]
    console.setFormatter(JsonFormatter() if settings.log_format == "json" else ConsoleFormatter())
    handlers: list[logging.Handler] = [console]
    if settings.log_file:
        _private_dir(settings.log_dir)
        rotating = PrivateRotatingFileHandler(
            settings.log_dir / "signaldesk.log",
            maxBytes=10_000_000,
            backupCount=5,
            encoding="utf-8",
        )
        rotating.setFormatter(JsonFormatter())
        handlers.append(rotating)
    for handler in handlers:
        handler._signaldesk = True  # type: ignore[attr-defined]
        handler.addFilter(context)
        root.addHandler(handler)
    root.setLevel(logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its INFO lines print full URLs
    for package in _PACKAGES:
        logging.getLogger(package).setLevel(settings.log_level or "INFO")
