"""Files that appear whole or not at all: a temporary file in the same folder, then ``os.replace``.

A reader, or a process killed half-way through a write (kill -9, power loss), never sees half a
file: it sees the old file or the new one. The temporary file is flushed and fsynced before the
rename and the folder is fsynced after it, so the rename survives a crash of the machine too.

``atomic_path(path)`` is for writers that want a path (``pq.write_table``, ``to_parquet``,
a library's ``save``): write to the yielded temporary path; on a clean exit it replaces
``path``, on an exception it is removed and ``path`` is left as it was.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["atomic_path", "fsync_directory", "write_atomic", "write_bytes_atomic"]


@contextmanager
def atomic_path(path: Path | str, *, mode: int = 0o644) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success fsync it and rename it onto ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        _fsync_file(tmp)
        os.chmod(tmp, mode)  # mkstemp makes it private; these files are meant to be read
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_directory(path.parent)


def write_bytes_atomic(path: Path | str, data: bytes, *, mode: int = 0o644) -> Path:
    """Write ``data`` to ``path`` atomically; ``mode`` is the file's permission bits."""
    path = Path(path)
    with atomic_path(path, mode=mode) as tmp, open(tmp, "wb") as handle:
        handle.write(data)
    return path


def write_atomic(path: Path, text: str, *, mode: int = 0o644) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically; ``mode`` is the file's permission bits."""
    return write_bytes_atomic(path, text.encode("utf-8"), mode=mode)


def fsync_directory(directory: Path | str) -> None:
    """Make a rename or a new file in ``directory`` durable (a no-op where folders can't sync)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # some filesystems (and Windows) refuse to fsync a folder
        pass
    finally:
        os.close(fd)


def _fsync_file(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())
