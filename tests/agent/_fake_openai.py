"""A scripted OpenAI-compatible server on 127.0.0.1 for the LLM tests (never the network).

``FakeOpenAI`` serves queued ``Reply`` objects to ``POST /v1/chat/completions`` in order and
records every request (path, lower-cased headers, JSON body); when the queue is empty it serves
``default`` (HTTP 500 unless set). The ``server`` fixture in ``tests/agent/conftest.py`` runs one
per test.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["FakeOpenAI", "Reply", "completion", "running", "text_reply", "tool_call_reply"]


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # dict -> JSON; str -> raw text
    content_type: str = "application/json"
    delay_s: float = 0.0


@dataclass
class FakeOpenAI:
    """Serves queued replies to POST /v1/chat/completions and records what it received."""

    replies: list[Reply] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    base_url: str = ""
    default: Reply = field(default_factory=lambda: Reply(500, "no reply"))

    def handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                length = int(self.headers.get("content-length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                fake.requests.append(
                    {
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "json": body,
                    }
                )
                if self.path != "/v1/chat/completions":
                    self._send(Reply(404, {"error": {"message": "not found"}}))
                else:
                    self._send(fake.replies.pop(0) if fake.replies else fake.default)

            def _send(self, reply: Reply) -> None:
                raw = reply.body if isinstance(reply.body, str) else json.dumps(reply.body)
                data = raw.encode()
                time.sleep(reply.delay_s)
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self._write(reply, data)  # a client that timed out has hung up

            def _write(self, reply: Reply, data: bytes) -> None:
                self.send_response(reply.status)
                self.send_header("content-type", reply.content_type)
                self.send_header("content-length", str(len(data)))
                self.send_header("retry-after-ms", "1")  # keeps the client's backoff short
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler


@contextlib.contextmanager
def running() -> Iterator[FakeOpenAI]:
    """A ``FakeOpenAI`` listening on a free port of 127.0.0.1 for the ``with`` block."""
    fake = FakeOpenAI()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), fake.handler())
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
    )
    thread.start()
    fake.base_url = f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    try:
        yield fake
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=2)


def completion(
    message: dict[str, Any], finish: str = "stop", *, model: str = "test-model"
) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": {"prompt_tokens": 5, "completion_tokens": 3, "total_tokens": 8},
    }


def text_reply(text: str) -> Reply:
    return Reply(body=completion({"role": "assistant", "content": text}))


def tool_call_reply(
    name: str, arguments: dict[str, Any] | str, *, call_id: str = "call_1"
) -> Reply:
    """An assistant message with one tool call; ``arguments`` as JSON, or raw text (malformed)."""
    raw = arguments if isinstance(arguments, str) else json.dumps(arguments)
    call = {"id": call_id, "type": "function", "function": {"name": name, "arguments": raw}}
    message = {"role": "assistant", "content": None, "tool_calls": [call]}
    return Reply(body=completion(message, finish="tool_calls"))
