"""Atomic files: whole or absent, the old file kept when a write fails, no temporary left."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from core.files import atomic_path, write_atomic, write_bytes_atomic


def test_atomic_path_replaces_the_file_only_when_the_write_succeeds(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "index.bin"
    write_bytes_atomic(target, b"old")
    with pytest.raises(RuntimeError, match="killed"), atomic_path(target) as tmp:
        tmp.write_bytes(b"half of the new")
        raise RuntimeError("killed half-way")
    assert target.read_bytes() == b"old"
    with atomic_path(target) as tmp:
        assert tmp.parent == target.parent and tmp != target
        tmp.write_bytes(b"new")
        assert target.read_bytes() == b"old"  # nothing visible until the block ends
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in target.parent.iterdir()) == ["index.bin"]


def test_modes_and_text(tmp_path: Path) -> None:
    private = write_bytes_atomic(tmp_path / "a.bin", b"\x00\x01", mode=0o600)
    report = write_atomic(tmp_path / "b.md", "é\n")
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert stat.S_IMODE(report.stat().st_mode) == 0o644
    assert report.read_bytes() == "é\n".encode()
