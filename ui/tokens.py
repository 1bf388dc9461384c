"""Login tokens of the web chat that can be taken back.

Chainlit's tokens are plain signed JWTs, valid until they expire (a day) whatever happens. Ours
add an id (``jti``), the issue time and, for password users, a fingerprint of the user's stored
hash (``uv``); every request checks them: a token that was logged out (its id is on the
revocation list, kept in ``{home}/ui/revoked.json``, 0600, until the token would expire), whose
user is no longer configured, whose password changed, or that came from a login method no
longer enabled, is refused at once. The signing secret comes from ``CHAINLIT_AUTH_SECRET``.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jwt

from core.files import write_atomic
from core.secrets import MIN_SECRET_CHARS
from core.settings import SettingsError
from ui.auth import Logins

__all__ = ["MIN_SECRET_CHARS", "InvalidToken", "Sessions"]

_ALGORITHM = "HS256"
_CLAIMS = ("exp", "iat", "jti", "uv")


class InvalidToken(Exception):
    """A token that is malformed, forged, expired, logged out, or whose user is gone."""


def _fingerprint(encoded_hash: str) -> str:
    return hashlib.sha256(encoded_hash.encode("utf-8")).hexdigest()[:16]


class Sessions:
    """Issues and checks tokens against the current logins and a revocation list."""

    def __init__(
        self,
        logins: Logins,
        *,
        secret: Callable[[], str],
        lifetime_s: float,
        revoked_file: Path | None = None,
        max_revoked: int = 100_000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.logins, self.secret, self.lifetime_s = logins, secret, lifetime_s
        self.revoked_file, self.max_revoked, self.clock = revoked_file, max_revoked, clock
        self._lock = threading.Lock()
        self._revoked: dict[str, float] = self._load()

    def issue(self, user: dict[str, Any]) -> str:
        """A token for ``user`` (Chainlit's ``User.to_dict()``)."""
        now = self.clock()
        claims = dict(user, iat=int(now), exp=int(now + self.lifetime_s))
        claims["jti"] = secrets.token_urlsafe(16)
        encoded = self.logins.users.get(str(user.get("identifier")))
        if encoded is not None:
            claims["uv"] = _fingerprint(encoded)
        return jwt.encode(claims, self._key(), algorithm=_ALGORITHM)

    def _key(self) -> str:
        key = self.secret()
        if len(key) < MIN_SECRET_CHARS:  # never sign or accept with an empty or short key
            raise SettingsError(f"the login secret has fewer than {MIN_SECRET_CHARS} characters")
        return key

    def _decode(self, token: str, *, verify_exp: bool = True) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self._key(),
                algorithms=[_ALGORITHM],
                options={"require": ["exp", "iat", "jti"], "verify_exp": False},
            )
        except jwt.InvalidTokenError as err:
            raise InvalidToken(f"invalid token: {err}") from None
        if verify_exp and claims["exp"] <= self.clock():
            raise InvalidToken("the token has expired")
        return claims

    def check(self, token: str) -> dict[str, Any]:
        """The user fields of a valid token; ``InvalidToken`` otherwise."""
        claims = self._decode(token)
        with self._lock:
            if claims["jti"] in self._revoked:
                raise InvalidToken("the token was logged out")
        name = str(claims.get("identifier"))
        how = (claims.get("metadata") or {}).get("auth")
        if how == "password":
            encoded = self.logins.users.get(name)
            if encoded is None or claims.get("uv") != _fingerprint(encoded):
                raise InvalidToken(f"user {name!r} can no longer log in with this password")
        elif how == "header":
            if self.logins.header is None:
                raise InvalidToken("proxy header logins are no longer enabled")
        else:
            raise InvalidToken("the token names no login method")
        return {k: v for k, v in claims.items() if k not in _CLAIMS}

    def revoke(self, token: str) -> bool:
        """Log ``token`` out (until it would have expired); False when it is not ours."""
        try:
            claims = self._decode(token, verify_exp=False)
        except InvalidToken:
            return False
        now = self.clock()
        with self._lock:
            self._revoked = {k: v for k, v in self._revoked.items() if v > now}
            self._revoked[str(claims["jti"])] = float(claims["exp"])
            while len(self._revoked) > self.max_revoked:  # oldest expiry goes first
                del self._revoked[min(self._revoked, key=self._revoked.__getitem__)]
            self._save()
        return True

    def _load(self) -> dict[str, float]:
        if self.revoked_file is None or not self.revoked_file.exists():
            return {}
        try:
            raw = json.loads(self.revoked_file.read_text(encoding="utf-8"))
            now = self.clock()
            return {str(k): float(v) for k, v in dict(raw).items() if float(v) > now}
        except (OSError, ValueError, TypeError) as err:
            raise SettingsError(
                f"cannot read the logged-out tokens in {self.revoked_file}: {err} "
                "(delete the file to start a new list)"
            ) from None

    def _save(self) -> None:
        if self.revoked_file is not None:
            self.revoked_file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            write_atomic(self.revoked_file, json.dumps(self._revoked), mode=0o600)
