"""Logins for the web chat: scrypt password hashes and the user list from settings.

A hash reads ``scrypt:N:r:p:SALT:KEY`` (salt and key in unpadded URL-safe base64), so the
parameters can be raised later without invalidating stored hashes; it has no ``$``, so shells
and Compose files leave it alone. Users come from
``SIGNALDESK_UI_USERS`` as ``name:HASH`` entries separated by commas; there are no default
credentials. ``signaldesk ui hash-password`` prints an entry.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from core.settings import Settings, SettingsError

__all__ = ["Logins", "hash_password", "logins_from_settings", "verify_password"]

_SCHEME = "scrypt"
_N, _R, _P = 2**15, 8, 1
_MAXMEM = 64 * 1024 * 1024
_NAME = re.compile(r"^[A-Za-z0-9._@+-]{1,64}$")


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _derive(password: str, salt: bytes, *, n: int, r: int, p: int, size: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=_MAXMEM, dklen=size
    )


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """A new scrypt hash of ``password`` (a random 16-byte salt unless given)."""
    if not password:
        raise ValueError("the password is empty")
    salt = salt if salt is not None else secrets.token_bytes(16)
    key = _derive(password, salt, n=_N, r=_R, p=_P, size=32)
    return ":".join([_SCHEME, str(_N), str(_R), str(_P), _b64(salt), _b64(key)])


def _parse(encoded: str) -> tuple[int, int, int, bytes, bytes]:
    parts = encoded.split(":")
    if len(parts) != 6 or parts[0] != _SCHEME:
        raise ValueError("not a scrypt hash: expected scrypt:N:r:p:SALT:KEY")
    try:
        n, r, p = (int(x) for x in parts[1:4])
        salt, key = _unb64(parts[4]), _unb64(parts[5])
    except ValueError as err:
        raise ValueError(f"malformed scrypt hash: {err}") from None
    if n < 2 or n & (n - 1) or r < 1 or p < 1 or len(salt) < 8 or len(key) < 16:
        raise ValueError("malformed scrypt hash: bad parameters, salt or key length")
    return n, r, p, salt, key


def verify_password(password: str, encoded: str) -> bool:
    """Whether ``password`` matches ``encoded`` (compared in constant time)."""
    n, r, p, salt, key = _parse(encoded)
    return hmac.compare_digest(_derive(password, salt, n=n, r=r, p=p, size=len(key)), key)


# Checked against unknown names, so that a wrong name costs as long as a wrong password.
_DECOY = hash_password("decoy", salt=b"signaldesk-decoy")


@dataclass(frozen=True)
class Logins:
    """Who may log in: password users (name -> hash) and/or a trusted proxy header."""

    users: Mapping[str, str]
    header: str | None = None

    @property
    def enabled(self) -> bool:
        return bool(self.users) or self.header is not None

    def check(self, name: str, password: str) -> bool:
        """Whether ``name`` / ``password`` is a valid login (slow on purpose: run off the loop)."""
        encoded = self.users.get(name)
        ok = verify_password(password, encoded or _DECOY)
        return ok and encoded is not None

    def from_headers(self, headers: Mapping[str, str]) -> str | None:
        """The user name the proxy put in the trusted header, if any."""
        if self.header is None:
            return None
        value = (headers.get(self.header) or "").strip()
        return value if _NAME.match(value) else None


def parse_users(spec: str) -> dict[str, str]:
    """``"ana:scrypt:...,bob:scrypt:..."`` -> {name: hash}; ValueError names the bad entry."""
    users: dict[str, str] = {}
    for raw in spec.split(","):
        entry = raw.strip()
        if not entry:
            continue
        name, sep, encoded = entry.partition(":")
        if not sep or not _NAME.match(name):
            raise ValueError(
                f"entry {entry[:24]!r}...: expected name:HASH "
                "(name of letters, digits and ._@+-; see signaldesk ui hash-password)"
            )
        try:
            _parse(encoded)
        except ValueError as err:
            raise ValueError(f"user {name!r}: {err}") from None
        if name in users:
            raise ValueError(f"user {name!r} is listed twice")
        users[name] = encoded
    return users


def logins_from_settings(settings: Settings) -> Logins:
    """The logins the settings configure; ``SettingsError`` on a malformed user list."""
    spec = settings.ui_users.get_secret_value() if settings.ui_users else ""
    try:
        users = parse_users(spec)
    except ValueError as err:
        raise SettingsError(f"SIGNALDESK_UI_USERS: {err}") from None
    header = settings.ui_header_auth.strip() if settings.ui_header_auth else None
    return Logins(users=users, header=header or None)
