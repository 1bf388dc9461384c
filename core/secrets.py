"""Signing secrets: the one a setting gives, else one generated once under the home folder.

``home_secret`` is how the web chat's login secret and the API's token secret are found: the
setting when it is set (refused when shorter than ``MIN_SECRET_CHARS``), else a file under the
home folder, created on first use with 48 random bytes (URL-safe), readable by its owner only.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from pydantic import SecretStr

from core.settings import SettingsError

__all__ = ["MIN_SECRET_CHARS", "checked_secret", "home_secret", "private_dir"]

MIN_SECRET_CHARS = 32
_HINT = "python -c 'import secrets; print(secrets.token_urlsafe(48))'"


def private_dir(path: Path) -> Path:
    """``path`` (and missing parents) created, and readable by its owner only."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def checked_secret(value: str, *, env: str) -> str:
    """``value`` stripped; ``SettingsError`` when it is under ``MIN_SECRET_CHARS`` characters."""
    secret = value.strip()
    if len(secret) < MIN_SECRET_CHARS:
        raise SettingsError(
            f"{env} is too short ({len(secret)} characters): at least {MIN_SECRET_CHARS} are "
            f"needed ({_HINT})"
        )
    return secret


def home_secret(setting: SecretStr | None, *, env: str, path: Path, what: str, losing: str) -> str:
    """The secret of ``setting`` (environment variable ``env``), else the one kept in ``path``,
    generated there on first use. ``what`` names it and ``losing`` says what a new one costs,
    for the messages. ``SettingsError`` for a short secret, or a file that is unreadable, empty
    or short."""
    if setting is not None:
        return checked_secret(setting.get_secret_value(), env=env)
    try:
        private_dir(path.parent)
        if not path.exists():
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_urlsafe(48))
        secret = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as err:
        reason = getattr(err, "strerror", None) or str(err)
        raise SettingsError(f"cannot read the {what} {path}: {reason}") from None
    if len(secret) < MIN_SECRET_CHARS:
        found = "is empty" if not secret else f"has only {len(secret)} characters"
        raise SettingsError(
            f"the {what} {path} {found}: delete it to have a new one generated ({losing}), "
            f"or set {env}"
        )
    return secret
