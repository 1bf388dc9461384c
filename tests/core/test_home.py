"""core/home.py: the home folder is checked once at start-up, with one line naming it."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from core.home import check_home
from core.settings import SettingsError


def test_a_missing_home_is_created(tmp_path: Path) -> None:
    home = tmp_path / "a" / "b"
    check_home(home)
    assert home.is_dir() and list(home.iterdir()) == []  # the write probe is gone


@pytest.mark.parametrize(
    ("where", "why"),
    [
        ("file", "it is a file, not a folder"),
        ("file/home", "cannot create it (Not a directory)"),
    ],
)
def test_a_home_that_cannot_be_a_folder_is_configuration(
    tmp_path: Path, where: str, why: str
) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(SettingsError) as err:
        check_home(tmp_path / where)
    assert str(err.value) == (
        f"SIGNALDESK_HOME={tmp_path / where} is unusable: {why}; point it at a folder you can write"
    )


@pytest.mark.skipif(not Path("/proc/1").is_dir(), reason="no /proc")
def test_a_home_under_proc_is_configuration() -> None:
    with pytest.raises(SettingsError, match=r"^SIGNALDESK_HOME=/proc/1/sd is unusable: cannot"):
        check_home(Path("/proc/1/sd"))


def test_a_home_of_another_user_is_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A root-owned home run as another user: creating a file in it is refused (simulated,
    since the tests may run as root, who may write anywhere)."""
    real_open = os.open

    def refuse(path: str | os.PathLike[str], flags: int, mode: int = 0o777) -> int:
        if Path(path).parent == tmp_path:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, mode)

    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(SettingsError) as err:
        check_home(tmp_path)
    assert "cannot write in it (Permission denied)" in str(err.value)
