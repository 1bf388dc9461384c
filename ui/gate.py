"""The chat's login routes, ahead of Chainlit's: rate-limited passwords, proxy headers from
trusted addresses only, tokens that logout takes back (imports Chainlit: load it after its folder
is set).

- ``POST /login``: a name and password, limited per name and per client address with backoff
  (``ui.limits``); 429 with ``Retry-After`` while locked. The scrypt check runs off the loop.
  A wrong login is a 401 whose detail (``WRONG_LOGIN``) is the sentence Chainlit's page shows
  in its error toast; the page's own alert reads the status text, translated in
  ``ui/assets/translations``.
- ``POST /auth/header``: the proxy's user header, only from a trusted proxy address
  (``SIGNALDESK_UI_TRUSTED_PROXIES``, default loopback); 403 from anywhere else.
- ``POST /logout``: revokes the token (``ui.tokens``), disconnects the chat sockets opened with
  it and clears the cookie.
- ``POST /auth/jwt``: a bearer token of ours, checked, set as the cookie.

Chainlit's own token functions are pointed at ``Sessions`` so that every request and socket
connection checks the token's id, user and login method.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from collections.abc import Sequence
from typing import Any

from fastapi import Depends, FastAPI, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi.security import OAuth2PasswordRequestForm

from ui.auth import Logins
from ui.limits import LoginLimiter
from ui.tokens import InvalidToken, Sessions

__all__ = ["WRONG_LOGIN", "Network", "client_address", "install_gate", "trusted_networks"]

WRONG_LOGIN = "Wrong user name or password."

log = logging.getLogger(__name__)
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_LOOPBACK: tuple[Network, ...] = (
    ipaddress.ip_network("127.0.0.0/8"),
    ipaddress.ip_network("::1/128"),
)
_ROUTE_NAMES = ("signaldesk_login", "signaldesk_logout", "signaldesk_header", "signaldesk_jwt")


def trusted_networks(proxies: Sequence[str]) -> tuple[Network, ...]:
    """The configured proxy networks, or loopback when none are configured."""
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies) or _LOOPBACK


def _in(host: str, networks: Sequence[Network]) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in net for net in networks)


def client_address(request: Request, trusted: Sequence[Network]) -> str:
    """The peer's address; behind a trusted proxy, the last hop of ``X-Forwarded-For``."""
    peer = request.client.host if request.client else ""
    forwarded = request.headers.get("x-forwarded-for", "")
    if forwarded and _in(peer, trusted):
        last = forwarded.split(",")[-1].strip()
        if last:
            return last
    return peer


def _token_of(request: Request) -> str | None:
    from chainlit.auth import get_token_from_cookies

    token = get_token_from_cookies(dict(request.cookies))
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return token or (value.strip() if scheme.lower() == "bearer" and value.strip() else None)


async def _drop_sockets(token: str) -> None:
    """Disconnect the chat sockets opened with ``token``: a revoked token refuses new requests
    and connections, and this ends the ones already open."""
    from chainlit.server import sio
    from chainlit.session import ws_sessions_id

    for session in [s for s in list(ws_sessions_id.values()) if s.token == token]:
        await sio.disconnect(session.socket_id)


async def _grant(request: Request, user: Any, token: str) -> Response:
    from chainlit.auth import set_auth_cookie
    from chainlit.data import get_data_layer

    layer = get_data_layer()
    if layer is not None:
        try:
            await layer.create_user(user)
        except Exception as err:  # as Chainlit does: the login stands, the error is logged
            log.error("cannot store chat user %s: %s", user.identifier, err)
    response = JSONResponse({"success": True})
    set_auth_cookie(request, response, token)
    return response


def _routes(logins: Logins, sessions: Sessions, limiter: LoginLimiter, trusted: Any) -> list[Any]:
    import chainlit as cl
    from chainlit.auth import clear_auth_cookie

    async def login(request: Request, form: OAuth2PasswordRequestForm = Depends()) -> Any:  # noqa: B008
        if not logins.users:
            raise HTTPException(status_code=400, detail="No auth_callback defined")
        name, address = form.username, client_address(request, trusted)
        wait = limiter.wait_whole_s(name, address)
        if wait > 0:
            detail = f"too many failed logins: try again in {wait} s"
            raise HTTPException(status_code=429, detail=detail, headers={"Retry-After": str(wait)})
        if not await asyncio.to_thread(logins.check, name, form.password):
            limiter.failed(name, address)
            log.warning("failed chat login", extra={"user": name[:64], "address": address})
            raise HTTPException(status_code=401, detail=WRONG_LOGIN)
        limiter.succeeded(name)
        user = cl.User(identifier=name, metadata={"auth": "password"})
        return await _grant(request, user, sessions.issue(user.to_dict()))

    async def header(request: Request) -> Any:
        if logins.header is None:
            raise HTTPException(status_code=400, detail="No header_auth_callback defined")
        peer = request.client.host if request.client else ""
        if not _in(peer, trusted):
            log.warning("proxy header login refused from an untrusted address %s", peer)
            raise HTTPException(status_code=403, detail="not from a trusted proxy address")
        name = logins.from_headers(request.headers)
        if name is None:
            raise HTTPException(status_code=401, detail="the proxy sent no valid user name")
        user = cl.User(identifier=name, metadata={"auth": "header"})
        return await _grant(request, user, sessions.issue(user.to_dict()))

    async def logout(request: Request) -> Any:
        token = _token_of(request)
        if token:
            sessions.revoke(token)
            await _drop_sockets(token)
        response = JSONResponse({"success": True})
        clear_auth_cookie(request, response)
        return response

    async def jwt(request: Request) -> Any:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise HTTPException(status_code=401, detail="Authorization header missing")
        try:
            fields = sessions.check(token.strip())
        except InvalidToken:
            raise HTTPException(status_code=401, detail="Invalid token") from None
        return await _grant(request, cl.User(**fields), token.strip())

    handlers = (login, logout, header, jwt)
    paths = ("/login", "/logout", "/auth/header", "/auth/jwt")
    return [
        APIRoute(path, fn, methods=["POST"], name=name)
        for path, fn, name in zip(paths, handlers, _ROUTE_NAMES, strict=True)
    ]


def install_gate(
    app: FastAPI, logins: Logins, sessions: Sessions, *, proxies: Sequence[str]
) -> LoginLimiter:
    """Put the login routes ahead of Chainlit's and make Chainlit check tokens with
    ``sessions``; returns the limiter (the tests drive its clock)."""
    import chainlit.auth
    import chainlit.server
    from chainlit.user import User

    limiter = LoginLimiter()

    def decode(token: str) -> User:
        return User(**sessions.check(token))

    def create(data: User) -> str:
        return sessions.issue(data.to_dict())

    chainlit.auth.decode_jwt = decode  # every request and socket connection (authenticate_user)
    chainlit.server.decode_jwt = decode
    chainlit.server.create_jwt = create  # OAuth logins, were they configured
    routes = _routes(logins, sessions, limiter, trusted_networks(proxies))
    kept = [r for r in app.router.routes if getattr(r, "name", None) not in _ROUTE_NAMES]
    app.router.routes[:] = routes + kept
    return limiter
