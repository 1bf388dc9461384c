"""Hardening of the chat's server: security headers, upload limits enforced while streaming,
upload names with paths refused, private files and logs, the signing secret never logged."""

from __future__ import annotations

import asyncio
import io
import logging
import re
import stat
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from core.logs import configure_logging
from core.settings import load_settings
from ui.auth import hash_password
from ui.guard import Guard, UploadTooLarge, copy_limited, safe_upload_name

PASSWORD = "correct horse battery"
MB = 1024 * 1024


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _client(make_client: Callable[..., Any]) -> Any:
    return make_client(ui_users=f"ana:{hash_password(PASSWORD, salt=b'ana-salt-1234567')}")


def test_security_headers_on_every_response(make_client: Callable[..., Any]) -> None:
    client = _client(make_client)
    page = client.get("/")
    responses = [page, client.get("/healthz"), client.get("/user"), client.get("/auth/config")]
    assert [r.status_code for r in responses] == [200, 200, 401, 200]
    for got in responses:
        assert got.headers["x-frame-options"] == "DENY"
        assert got.headers["x-content-type-options"] == "nosniff"
        assert got.headers["referrer-policy"] == "no-referrer"
        csp = got.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        assert "img-src 'self' data: blob:;" in csp  # no remote image is ever fetched
    script_src = re.search(r"script-src ([^;]+)", page.headers["content-security-policy"])
    assert script_src is not None and "'unsafe-inline'" not in script_src[1]
    assert len(re.findall(r"<script>", page.text)) == script_src[1].count("'sha256-")


class _Inner:
    """An app that reads the whole body, then answers 200."""

    def __init__(self) -> None:
        self.answered = False

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        while (await receive()).get("more_body"):
            pass
        self.answered = True
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


def _run_guard(headers: list[tuple[bytes, bytes]], chunks: int) -> tuple[list[Any], int, _Inner]:
    inner, sent, pulled = _Inner(), [], [0]

    async def receive() -> dict[str, Any]:
        pulled[0] += 1
        return {"type": "http.request", "body": b"x" * 65536, "more_body": pulled[0] < chunks}

    async def send(message: Any) -> None:
        sent.append(message)

    guard = Guard(inner, csp="default-src 'self'", max_upload=lambda: MB)
    scope = {"type": "http", "method": "POST", "path": "/project/file", "headers": headers}
    asyncio.run(guard(scope, receive, send))
    return sent, pulled[0], inner


def test_a_streamed_upload_is_cut_off_at_the_limit() -> None:
    sent, pulled, inner = _run_guard([], chunks=4800)  # 300 MB, no Content-Length
    assert sent[0]["status"] == 413 and not inner.answered
    assert b"over the limit of 1 MB" in sent[1]["body"]
    assert pulled == 18  # 1 MB + 64 KB of multipart allowance, then one chunk past it


def test_a_declared_length_over_the_limit_is_refused_unread() -> None:
    sent, pulled, inner = _run_guard([(b"content-length", b"314572800")], chunks=4800)
    assert sent[0]["status"] == 413 and pulled == 0 and not inner.answered
    sent, pulled, inner = _run_guard([(b"content-length", b"12x")], chunks=1)
    assert sent[0]["status"] == 413 and pulled == 0
    sent, pulled, inner = _run_guard([(b"content-length", b"131072")], chunks=2)
    assert sent[0]["status"] == 200 and inner.answered  # under the limit: passed through


class _Reader(io.BytesIO):
    def __init__(self, size: int) -> None:
        super().__init__(b"y" * size)
        self.largest = 0
        self.total = 0

    def read(self, n: int | None = -1) -> bytes:
        chunk = super().read(n)
        self.largest, self.total = max(self.largest, len(chunk)), self.total + len(chunk)
        return chunk


def test_uploads_are_copied_in_chunks_and_stop_at_the_limit(tmp_path: Path) -> None:
    src = _Reader(5 * MB)
    with pytest.raises(UploadTooLarge):
        copy_limited(src, tmp_path / "big", 2 * MB)
    assert not (tmp_path / "big").exists()
    assert src.largest == MB and src.total == 3 * MB  # never the whole file at once
    small = _Reader(MB + 5)
    assert copy_limited(small, tmp_path / "ok", 2 * MB) == MB + 5
    assert (tmp_path / "ok").stat().st_size == MB + 5 and _mode(tmp_path / "ok") == 0o600


@pytest.mark.parametrize(
    "name", ["../../etc/passwd", "/etc/passwd", "..", "a\\..\\b.txt", "x\x00.txt", "", " "]
)
def test_names_with_paths_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="a plain file name is needed"):
        safe_upload_name(name)


def _fake_session(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> SimpleNamespace:
    """Chainlit's session ``s1`` of ana, its upload limit 1 MB (call once the app is built)."""
    import chainlit.session
    from chainlit.config import config

    fake = SimpleNamespace(
        user=SimpleNamespace(identifier="ana"),
        files_dir=tmp_path / "session-files",
        files={},
        files_spec={},
    )
    monkeypatch.setattr(
        chainlit.session.WebsocketSession, "get_by_id", staticmethod(lambda sid: fake)
    )
    monkeypatch.setattr(config.features.spontaneous_file_upload, "max_size_mb", 1)
    return fake


def _upload(client: Any, name: str, size: int) -> Any:
    files = {"file": (name, b"z" * size, "text/plain")}
    return client.post("/project/file", params={"session_id": "s1"}, files=files)


def test_upload_route(
    make_client: Callable[..., Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    client = _client(make_client)
    session = _fake_session(monkeypatch, tmp_path)
    assert _upload(client, "IBM 10-K.txt", 10).status_code == 401  # no login
    client.post("/login", data={"username": "ana", "password": PASSWORD})
    got = _upload(client, "IBM 10-K.txt", 300_000)
    assert got.status_code == 200
    entry = session.files[got.json()["id"]]
    assert entry["name"] == "IBM 10-K.txt" and entry["size"] == 300_000
    assert entry["path"].read_bytes() == b"z" * 300_000
    assert _mode(entry["path"]) == 0o600 and _mode(session.files_dir) == 0o700
    too_big = _upload(client, "big.txt", 2 * MB)
    assert too_big.status_code == 413 and len(session.files) == 1
    assert len(list(session.files_dir.iterdir())) == 1  # nothing written for it
    traversal = _upload(client, "../../../tmp/evil.txt", 10)
    assert traversal.status_code == 400 and "plain file name" in traversal.json()["detail"]
    assert len(session.files) == 1


def test_chat_files_and_logs_are_private(make_client: Callable[..., Any], tmp_path: Path) -> None:
    _client(make_client)
    home = tmp_path / "home"
    assert _mode(home / "chat.sqlite") == 0o600
    assert _mode(home / "ui") == 0o700 and _mode(home / "ui" / "files") == 0o700

    from ui.persistence import LocalStorage

    storage = LocalStorage(home / "ui" / "files")
    asyncio.run(storage.upload_file("user-1/el-1/IBM VaR", b"{}", mime="application/json"))
    stored = home / "ui" / "files" / "user-1" / "el-1"
    assert _mode(stored / "IBM VaR") == 0o600 and _mode(stored / "IBM VaR.mime") == 0o600
    assert _mode(stored) == 0o700

    settings = load_settings(home=tmp_path / "logs-home", log_file=True)
    try:
        configure_logging(settings, stream=io.StringIO())
        logging.getLogger("ui.test").warning("a line")
        assert _mode(settings.log_dir) == 0o700
        assert _mode(settings.log_dir / "signaldesk.log") == 0o600
    finally:
        configure_logging(load_settings(home=tmp_path / "logs-home", log_file=False))


def test_the_signing_secret_is_never_logged(
    make_client: Callable[..., Any], caplog: pytest.LogCaptureFixture
) -> None:
    import os

    caplog.set_level(logging.DEBUG)
    client = _client(make_client)
    client.post("/login", data={"username": "ana", "password": "wrong"})
    client.post("/login", data={"username": "ana", "password": PASSWORD})
    token = client.cookies["access_token"]
    client.post("/logout")
    client.get("/user", headers={"Authorization": f"Bearer {token}"})
    secret = os.environ["CHAINLIT_AUTH_SECRET"]
    assert "failed chat login" in caplog.text  # the logs were captured
    assert secret not in caplog.text and token not in caplog.text
    assert PASSWORD not in caplog.text
