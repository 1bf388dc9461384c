"""What every response and every upload of the chat goes through (imports FastAPI; Chainlit
only inside the upload route).

- ``Guard``, an ASGI middleware: security headers on every HTTP response (a Content-Security-
  Policy fitted to Chainlit's page, no framing, no MIME sniffing, no referrer), and a body limit
  on uploads: a declared ``Content-Length`` over the limit is refused with 413 before a byte is
  read, and a body that grows past it while streaming is cut off there (413).
- ``upload``, which replaces Chainlit's ``POST /project/file``: the multipart file (spooled to
  disk by Starlette) is copied in chunks into the session's folder, 0600, its size checked while
  copying; names with a path in them are refused. Chainlit's own route reads it whole into memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import mimetypes
import os
import re
import uuid
from base64 import b64encode
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import IO, Any

from fastapi import Depends, FastAPI, HTTPException, UploadFile
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

__all__ = ["UPLOAD_PATH", "Guard", "content_security_policy", "install_upload", "safe_upload_name"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

UPLOAD_PATH = "/project/file"
MULTIPART_OVERHEAD = 64 * 1024  # boundaries and part headers around the file
_CHUNK = 1024 * 1024
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)
_FONTS_CSS, _FONTS = "https://fonts.googleapis.com", "https://fonts.gstatic.com"
_KATEX = "https://cdn.jsdelivr.net"  # Chainlit's page loads KaTeX's stylesheet (math) from there
_BAD_NAME = re.compile(r"[/\\\x00-\x1f\x7f]")


class UploadTooLarge(Exception):
    """An upload body or file past the limit."""


def content_security_policy(page_html: str) -> str:
    """A CSP for Chainlit's page: scripts from the app and the page's own inline scripts (by
    hash); ``unsafe-eval`` because Chainlit compiles custom elements (the signal card) in the
    browser; styles and fonts also from the two CDNs Chainlit's page names (Google Fonts,
    KaTeX); images, media and connections to the app only (no remote image can be fetched)."""
    hashes = " ".join(
        f"'sha256-{b64encode(hashlib.sha256(body.encode()).digest()).decode()}'"
        for body in _INLINE_SCRIPT.findall(page_html)
    )
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'unsafe-eval' {hashes}".rstrip(),
            f"style-src 'self' 'unsafe-inline' {_FONTS_CSS} {_KATEX}",
            f"font-src 'self' data: {_FONTS} {_KATEX}",
            "img-src 'self' data: blob:",
            "media-src 'self' data: blob:",
            "connect-src 'self' ws: wss:",
            "worker-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def _headers(csp: str) -> list[tuple[bytes, bytes]]:
    return [
        (b"content-security-policy", csp.encode("ascii")),
        (b"x-frame-options", b"DENY"),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
        (b"cross-origin-opener-policy", b"same-origin"),
    ]


class Guard:
    """Security headers on every response; ``max_upload()`` bytes at most on upload bodies."""

    def __init__(self, app: ASGIApp, *, csp: str, max_upload: Callable[[], int]) -> None:
        self.app, self.extra, self.max_upload = app, _headers(csp), max_upload
        self.names = {name for name, _ in self.extra}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                have = [(k, v) for k, v in message.get("headers", []) if k not in self.names]
                message["headers"] = have + self.extra
            await send(message)

        if scope["method"] == "POST" and scope["path"].endswith(UPLOAD_PATH):
            await self._limited(scope, receive, send_with_headers)
        else:
            await self.app(scope, receive, send_with_headers)

    async def _limited(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self.max_upload() + MULTIPART_OVERHEAD
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _refuse(send, limit)
            return
        state = {"read": 0, "tripped": False}

        async def counted() -> Message:
            if state["tripped"]:
                return {"type": "http.disconnect"}
            message = await receive()
            state["read"] += len(message.get("body", b""))
            if state["read"] > limit:
                state["tripped"] = True
                raise UploadTooLarge(f"upload body over {limit} bytes")
            return message

        async def muted(message: Message) -> None:
            if not state["tripped"]:
                await send(message)

        with contextlib.suppress(UploadTooLarge):  # answered below with a 413
            await self.app(scope, counted, muted)
        if state["tripped"]:
            await _refuse(send, limit)


async def _refuse(send: Send, limit: int) -> None:
    body = f'{{"detail": "the upload is over the limit of {limit // _CHUNK} MB"}}'.encode()
    headers = [(b"content-type", b"application/json"), (b"connection", b"close")]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def safe_upload_name(name: str | None) -> str:
    """``name`` when it is a plain file name; ``ValueError`` for paths, control characters,
    ``.``/``..`` or an empty name."""
    text = (name or "").strip()
    if not text or text in (".", "..") or _BAD_NAME.search(text) or len(text) > 255:
        raise ValueError(f"bad file name {text[:80]!r}: a plain file name is needed")
    return text


def copy_limited(src: IO[bytes], dest: Path, limit: int) -> int:
    """Copy ``src`` to a new 0600 file ``dest`` in chunks; ``UploadTooLarge`` (and no file)
    past ``limit`` bytes. Blocking."""
    fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    size = 0
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := src.read(_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise UploadTooLarge(f"file over {limit} bytes")
                out.write(chunk)
    except BaseException:
        dest.unlink(missing_ok=True)
        raise
    return size


def max_upload_bytes(spec: Any = None) -> int:
    """The upload limit of ``spec`` (an ``AskFileSpec``) or of spontaneous uploads."""
    from chainlit.config import config

    spontaneous = config.features.spontaneous_file_upload
    mb = getattr(spec, "max_size_mb", None) or getattr(spontaneous, "max_size_mb", None) or 50
    return int(mb * _CHUNK)


def install_upload(app: FastAPI) -> None:
    """Put ``upload`` ahead of Chainlit's ``POST /project/file``."""
    from chainlit.auth import get_current_user
    from chainlit.server import validate_file_upload
    from chainlit.session import WebsocketSession

    async def upload(
        session_id: str,
        file: UploadFile,
        ask_parent_id: str | None = None,
        user: Any = Depends(get_current_user),  # noqa: B008
    ) -> Any:
        session = WebsocketSession.get_by_id(session_id)
        if not session:
            raise HTTPException(status_code=404, detail="Session not found")
        if user and (not session.user or session.user.identifier != user.identifier):
            raise HTTPException(status_code=401, detail="not your session")
        try:
            name = safe_upload_name(file.filename)
            spec = session.files_spec.get(ask_parent_id) if ask_parent_id else None
            if ask_parent_id and spec is None:
                raise HTTPException(status_code=404, detail="Parent message not found")
            validate_file_upload(file, spec=spec)
        except ValueError as err:
            raise HTTPException(status_code=400, detail=str(err)) from None
        mime = file.content_type or "application/octet-stream"
        file_id = str(uuid.uuid4())
        folder: Path = session.files_dir
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = folder / f"{file_id}{mimetypes.guess_extension(mime) or ''}"
        try:
            size = await asyncio.to_thread(copy_limited, file.file, path, max_upload_bytes(spec))
        except UploadTooLarge:
            raise HTTPException(status_code=413, detail="the file is over the limit") from None
        finally:
            await file.close()
        entry = {"id": file_id, "path": path, "name": name, "type": mime, "size": size}
        session.files[file_id] = entry
        return JSONResponse({"id": file_id})

    route = APIRoute(UPLOAD_PATH, upload, methods=["POST"], name="signaldesk_upload")
    kept = [r for r in app.router.routes if getattr(r, "name", None) != route.name]
    app.router.routes[:] = [route, *kept]
