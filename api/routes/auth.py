"""``POST /v1/token``: an API key for a bearer token (OAuth2 client credentials)."""

from __future__ import annotations

import base64
import binascii

from fastapi import APIRouter, Form, Request
from pydantic import BaseModel

from api.errors import ApiError, documented
from api.keys import InvalidKeyError
from api.security import services_of

router = APIRouter(prefix="/v1", tags=["auth"])


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
    scope: str


def _basic(request: Request) -> tuple[str | None, str | None]:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic "):
        return None, None
    try:
        user, _, password = base64.b64decode(header[6:]).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None, None
    return user or None, password or None


@router.post(
    "/token",
    response_model=Token,
    summary="Exchange an API key for a bearer token",
    responses=documented(400, 401, 422),
)
def token(
    request: Request,
    grant_type: str = Form("client_credentials"),
    client_secret: str | None = Form(None, description="the API key (sdk_...)"),
    client_id: str | None = Form(None, description="optional: the key's id"),
    scope: str | None = Form(None, description="optional: fewer scopes than the key has"),
) -> Token:
    """OAuth2 client credentials: the API key as ``client_secret`` (form field, or HTTP Basic
    ``client_id:client_secret``); ``scope`` narrows the token to some of the key's scopes."""
    if grant_type != "client_credentials":
        raise ApiError(400, "unsupported_grant_type", "use grant_type=client_credentials")
    basic_id, basic_secret = _basic(request)
    key = client_secret or basic_secret
    if not key:
        raise ApiError(401, "invalid_client", "give the API key as client_secret")
    services = services_of(request)
    try:
        row = services.keys.authenticate(key)
    except InvalidKeyError as err:
        raise ApiError(401, "invalid_client", str(err)) from None
    named = client_id or basic_id
    if named is not None and named != row.id:
        raise ApiError(401, "invalid_client", "invalid API key")
    granted = list(row.scopes)
    if scope:
        asked = scope.split()
        beyond = [s for s in asked if s not in granted]
        if beyond:
            raise ApiError(400, "invalid_scope", f"the key does not have the {beyond[0]!r} scope")
        granted = [s for s in granted if s in asked]
    issued = services.tokens.issue(row.id, granted)
    return Token(access_token=issued, expires_in=services.tokens.ttl_s, scope=" ".join(granted))
