"""API keys: created, listed and revoked by ``signaldesk serve keys``, exchanged for tokens.

A key is ``sdk_{id}_{secret}``: ``id`` (10 hex characters) names the row, ``secret`` (32 random
bytes, URL-safe) is shown once at creation and only its SHA-256 is stored. Keys carry scopes
(``SCOPES``), an optional expiry and an optional rate of their own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from data.store import ApiKey, utc_now

__all__ = ["SCOPES", "InvalidKeyError", "KeyStore", "NewKey", "check_scopes", "usable"]

SCOPES = ("read", "ask", "briefing", "admin")
_KEY = re.compile(r"^sdk_([0-9a-f]{10})_([A-Za-z0-9_-]{20,})$")
_TABLE = ApiKey.__table__


class InvalidKeyError(Exception):
    """A key that is malformed, unknown, revoked, expired or whose secret does not match
    (one message for all: the caller learns nothing about which)."""


class NewKey:
    """A key just created: the row, and the key itself (shown once, never stored)."""

    def __init__(self, row: ApiKey, key: str) -> None:
        self.row, self.key = row, key


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def check_scopes(scopes: Iterable[str]) -> list[str]:
    """``scopes`` in ``SCOPES`` order; ``ValueError`` naming an unknown one."""
    wanted = {s.strip() for s in scopes if s.strip()}
    unknown = sorted(wanted - set(SCOPES))
    if unknown:
        raise ValueError(f"unknown scope {unknown[0]!r}: use {', '.join(SCOPES)}")
    if not wanted:
        raise ValueError(f"a key needs at least one scope: {', '.join(SCOPES)}")
    return [s for s in SCOPES if s in wanted]


class KeyStore:
    """The ``api_keys`` table (the schema must be migrated: ``data.store.upgrade``)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create(
        self,
        name: str,
        *,
        scopes: Sequence[str],
        rate_per_minute: float | None = None,
        expires_at: dt.datetime | None = None,
    ) -> NewKey:
        if not name.strip():
            raise ValueError("a key needs a name (who or what uses it)")
        if rate_per_minute is not None and rate_per_minute <= 0:
            raise ValueError(f"rate must be positive, got {rate_per_minute}")
        key_id, secret = secrets.token_hex(5), secrets.token_urlsafe(32)
        row = ApiKey(
            id=key_id,
            name=name.strip(),
            secret_hash=_hash(secret),
            scopes=check_scopes(scopes),
            rate_per_minute=rate_per_minute,
            expires_at=expires_at,
            created_at=utc_now(),
        )
        with self.engine.begin() as conn:
            conn.execute(sa.insert(_TABLE).values(**row.model_dump()))
        return NewKey(row, f"sdk_{key_id}_{secret}")

    def listed(self) -> list[ApiKey]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(_TABLE).order_by(_TABLE.c.created_at)).mappings().all()
        return [ApiKey.model_validate(dict(r)) for r in rows]

    def get(self, key_id: str) -> ApiKey | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(_TABLE).where(_TABLE.c.id == key_id)).mappings().first()
        return None if row is None else ApiKey.model_validate(dict(row))

    def revoke(self, key_id: str) -> bool:
        """Revoke a key now; False when there is no such key (revoking twice is fine)."""
        with self.engine.begin() as conn:
            done = conn.execute(
                sa.update(_TABLE)
                .where(_TABLE.c.id == key_id, _TABLE.c.revoked_at.is_(None))
                .values(revoked_at=utc_now())
            )
        return done.rowcount > 0 or self.get(key_id) is not None

    def authenticate(self, key: str, *, now: dt.datetime | None = None) -> ApiKey:
        """The key's row when ``key`` is a valid, live key; ``InvalidKeyError`` otherwise."""
        found = _KEY.match(key.strip())
        row = self.get(found[1]) if found else None
        if (
            found is None
            or row is None
            or not hmac.compare_digest(row.secret_hash, _hash(found[2]))
        ):
            raise InvalidKeyError("invalid API key")
        if not usable(row, now=now):
            raise InvalidKeyError("invalid API key")
        return row


def usable(row: ApiKey, *, now: dt.datetime | None = None) -> bool:
    """Whether a key is neither revoked nor expired at ``now`` (default: the clock)."""
    at = now or utc_now()
    return row.revoked_at is None and (row.expires_at is None or row.expires_at > at)
