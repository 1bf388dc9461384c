"""Bearer tokens of the API: HS256 JWTs signed with the first configured secret and checked
against every one (rotation), carrying the key id (``sub``), the granted scopes, the issue and
expiry times and an id (``jti``)."""

from __future__ import annotations

import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass

import jwt

__all__ = ["Claims", "InvalidTokenError", "TokenIssuer"]

_ALGORITHM = "HS256"
_AUDIENCE = "signaldesk-api"


class InvalidTokenError(Exception):
    """A token that is malformed, forged, expired or not for this API."""


@dataclass(frozen=True)
class Claims:
    key_id: str
    scopes: tuple[str, ...]
    expires_at: int  # epoch seconds
    token_id: str


class TokenIssuer:
    """Issues and checks tokens. ``secrets``: the first signs, all verify."""

    def __init__(self, signing: Sequence[str], *, ttl_s: int) -> None:
        if not signing:
            raise ValueError("at least one signing secret is needed")
        self._secrets = list(signing)
        self.ttl_s = ttl_s

    def issue(self, key_id: str, scopes: Sequence[str], *, now: float | None = None) -> str:
        at = int(time.time() if now is None else now)
        claims = {
            "sub": key_id,
            "scope": " ".join(scopes),
            "aud": _AUDIENCE,
            "iat": at,
            "exp": at + self.ttl_s,
            "jti": secrets.token_hex(8),
        }
        return jwt.encode(claims, self._secrets[0], algorithm=_ALGORITHM)

    def verify(self, token: str) -> Claims:
        for secret in self._secrets:
            try:
                found = jwt.decode(
                    token,
                    secret,
                    algorithms=[_ALGORITHM],
                    audience=_AUDIENCE,
                    options={"require": ["sub", "exp", "iat", "jti", "aud"]},
                )
            except jwt.ExpiredSignatureError:
                raise InvalidTokenError(
                    "the token has expired: get a new one at /v1/token"
                ) from None
            except jwt.InvalidSignatureError:
                continue  # maybe signed with another of the rotated secrets
            except jwt.PyJWTError:
                raise InvalidTokenError("invalid token") from None
            return Claims(
                key_id=str(found["sub"]),
                scopes=tuple(str(found.get("scope", "")).split()),
                expires_at=int(found["exp"]),
                token_id=str(found["jti"]),
            )
        raise InvalidTokenError("invalid token")
