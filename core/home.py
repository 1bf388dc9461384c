"""The home folder (``SIGNALDESK_HOME``) checked once at start-up: a folder SignalDesk can write.

Everything stateful lives under home (database, logs, cache, index, reports), so a home that is
a file, sits under a read-only or virtual file system (``/proc``), or belongs to another user
would fail every command deep inside its first write; ``check_home`` fails first, with one line.
"""

from __future__ import annotations

import os
from pathlib import Path

from core.settings import SettingsError

__all__ = ["check_home"]


def check_home(home: Path) -> None:
    """Create ``home`` when missing and check that a file can be created in it.

    Raises ``SettingsError`` (one line, naming ``SIGNALDESK_HOME``) when it cannot be used.
    """
    try:
        home.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise _unusable(home, "it is a file, not a folder") from None
    except OSError as err:
        raise _unusable(home, f"cannot create it ({err.strerror or err})") from None
    if not home.is_dir():
        raise _unusable(home, "it is not a folder")
    probe = home / f".signaldesk-write-check-{os.getpid()}"
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    except OSError as err:
        raise _unusable(home, f"cannot write in it ({err.strerror or err})") from None
    os.close(fd)
    try:
        probe.unlink()
    except OSError as err:
        raise _unusable(home, f"cannot delete files in it ({err.strerror or err})") from None


def _unusable(home: Path, why: str) -> SettingsError:
    return SettingsError(
        f"SIGNALDESK_HOME={home} is unusable: {why}; point it at a folder you can write"
    )
