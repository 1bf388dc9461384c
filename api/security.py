"""Who may call: bearer tokens with scopes, from live keys, within each key's rate.

``Allowed(scope)`` is the dependency of a route: it reads the ``Authorization: Bearer`` header,
checks the token (signature, audience, expiry), the scope, that its key is still live (revoked
or expired keys are refused at once: the key row is read again after ``KEY_RECHECK_S``), and
takes a token from the key's bucket (429 with ``Retry-After`` when empty)."""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass

from fastapi import Depends, Request
from fastapi.openapi.models import OAuthFlowClientCredentials, OAuthFlows
from fastapi.security import OAuth2, SecurityScopes

from api.errors import ApiError
from api.keys import SCOPES, usable
from api.services import Services
from api.tokens import InvalidTokenError
from data.store import ApiKey

__all__ = ["Caller", "allowed", "oauth2", "services_of"]

log = logging.getLogger(__name__)

KEY_RECHECK_S = 5.0

oauth2 = OAuth2(
    flows=OAuthFlows(
        clientCredentials=OAuthFlowClientCredentials(
            tokenUrl="/v1/token", scopes={s: f"the {s} scope" for s in SCOPES}
        )
    ),
    scheme_name="bearer",
    auto_error=False,
)


@dataclass(frozen=True)
class Caller:
    key_id: str
    scopes: tuple[str, ...]


def services_of(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


class _LiveKeys:
    """Key rows read at most every ``KEY_RECHECK_S`` seconds per key."""

    def __init__(self) -> None:
        self._seen: dict[str, tuple[float, ApiKey | None]] = {}
        self._lock = threading.Lock()

    def get(self, services: Services, key_id: str) -> ApiKey | None:
        now = time.monotonic()
        with self._lock:
            seen = self._seen.get(key_id)
        if seen is not None and now - seen[0] < KEY_RECHECK_S:
            return seen[1]
        row = services.keys.get(key_id)
        with self._lock:
            self._seen[key_id] = (now, row)
        return row


_live = _LiveKeys()


def _unauthorized(message: str) -> ApiError:
    return ApiError(401, "unauthorized", message, headers={"WWW-Authenticate": "Bearer"})


def allowed(
    security: SecurityScopes,
    request: Request,
    authorization: str | None = Depends(oauth2),
) -> Caller:
    services = services_of(request)
    if not authorization or not authorization.lower().startswith("bearer "):
        raise _unauthorized("a bearer token is needed: POST your API key to /v1/token")
    try:
        claims = services.tokens.verify(authorization[7:].strip())
    except InvalidTokenError as err:
        raise _unauthorized(str(err)) from None
    row = _live.get(services, claims.key_id)
    if row is None or not usable(row):
        raise _unauthorized("the token's API key is revoked or expired")
    missing = [s for s in security.scopes if s not in claims.scopes]
    if missing:
        raise ApiError(
            403,
            "forbidden",
            f"this needs the {missing[0]!r} scope; the token has {', '.join(claims.scopes)}",
            headers={"WWW-Authenticate": f'Bearer scope="{" ".join(security.scopes)}"'},
        )
    settings = services.settings
    rate = (row.rate_per_minute or settings.api_rate_per_minute) / 60.0
    try:
        wait = services.buckets.take(claims.key_id, rate=rate, burst=settings.api_burst)
    except Exception as err:  # noqa: BLE001 - Redis away: serve rather than refuse everyone
        log.warning("rate limit not applied (%s): %s", type(err).__name__, err)
        wait = 0.0
    if wait > 0:
        raise ApiError(
            429,
            "rate_limited",
            f"rate limit of {rate * 60:g} requests per minute reached; retry in {wait:.1f} s",
            headers={"Retry-After": str(max(1, math.ceil(wait)))},
        )
    return Caller(key_id=claims.key_id, scopes=claims.scopes)
