"""agent/llm.py against a scripted OpenAI-compatible server on 127.0.0.1 (never the network)."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage
from pydantic import BaseModel, Field

from agent.llm import (
    LLMConfigError,
    LLMUnavailableError,
    chat_model,
    describe,
    invoke_with_clear_errors,
)

KEY = "sk-test-SECRET-1234"
MODEL = "test-model-7b"


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
                    self._send(fake.replies.pop(0) if fake.replies else Reply(500, "no reply"))

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


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
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


def completion(message: dict[str, Any], finish: str = "stop") -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": MODEL,
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": {"prompt_tokens": 5, "completion_tokens": 3, "total_tokens": 8},
    }


def text_reply(text: str) -> Reply:
    return Reply(body=completion({"role": "assistant", "content": text}))


def model_for(server: FakeOpenAI, *, max_retries: int = 0, api_key: str | None = KEY):
    llm = chat_model(
        base_url=server.base_url, api_key=api_key, model=MODEL, timeout_s=2.0,
        max_retries=max_retries,
    )  # fmt: skip
    assert llm is not None
    return llm


class Technicals(BaseModel):
    """Latest RSI, MACD and trend for a ticker."""

    ticker: str = Field(description="exchange ticker, e.g. AAPL")
    window: int = Field(default=14, description="RSI window in days")


# --- configuration ------------------------------------------------------------------------------


def test_nothing_configured_gives_none() -> None:
    assert chat_model(base_url=None, api_key=None, model=None) is None
    assert chat_model(base_url="  ", api_key="", model=None) is None
    assert describe(None) == "offline planner (no LLM configured)"


@pytest.mark.parametrize(
    ("base_url", "api_key"), [("http://127.0.0.1:1/v1", None), (None, KEY), ("http://h/v1", KEY)]
)
def test_endpoint_without_model_is_a_config_error(base_url: str | None, api_key: str | None):
    with pytest.raises(LLMConfigError) as err:
        chat_model(base_url=base_url, api_key=api_key, model=None)
    message = str(err.value)
    assert "\n" not in message
    for name in ("SIGNALDESK_LLM_BASE_URL", "SIGNALDESK_LLM_API_KEY", "SIGNALDESK_LLM_MODEL"):
        assert name in message
    assert KEY not in message


def test_model_without_endpoint_is_a_config_error() -> None:
    with pytest.raises(LLMConfigError, match="SIGNALDESK_LLM_BASE_URL"):
        chat_model(base_url=None, api_key=None, model=MODEL)


def test_non_http_base_url_is_a_config_error() -> None:
    with pytest.raises(LLMConfigError, match="http"):
        chat_model(base_url="127.0.0.1:8000/v1", api_key=None, model=MODEL)


def test_describe_hides_key_and_url_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://wrong.invalid/v1")
    llm = chat_model(base_url="http://u:pw@llm.local:8000/v1?k=x", api_key=KEY, model=MODEL)
    assert describe(llm) == f"openai-compatible:{MODEL} @ http://llm.local:8000/v1"
    only_key = chat_model(base_url=None, api_key=KEY, model="gpt-4o-mini")
    assert describe(only_key) == "openai-compatible:gpt-4o-mini @ https://api.openai.com/v1"
    # explicit settings win; the environment's key is never picked up
    local = chat_model(base_url="http://127.0.0.1:9/v1", api_key=None, model=MODEL)
    assert local.openai_api_key.get_secret_value() == "not-needed"  # type: ignore[union-attr]


# --- requests against the local server -----------------------------------------------------------


def test_plain_message_and_request_contents(server: FakeOpenAI) -> None:
    server.replies.append(text_reply("AAPL looks range-bound."))
    llm = model_for(server)
    reply = invoke_with_clear_errors(llm, [HumanMessage("How is AAPL?")])
    assert isinstance(reply, AIMessage)
    assert reply.content == "AAPL looks range-bound."
    assert reply.tool_calls == []
    (request,) = server.requests
    assert request["json"]["model"] == MODEL
    assert request["json"]["temperature"] == 0.0
    assert request["json"]["messages"] == [{"role": "user", "content": "How is AAPL?"}]
    assert request["headers"]["authorization"] == f"Bearer {KEY}"


def test_tool_call_is_parsed_after_bind_tools(server: FakeOpenAI) -> None:
    call = {
        "id": "call_1",
        "type": "function",
        "function": {
            "name": "Technicals",
            "arguments": json.dumps({"ticker": "MSFT", "window": 21}),
        },
    }
    message = {"role": "assistant", "content": None, "tool_calls": [call]}
    server.replies.append(Reply(body=completion(message, finish="tool_calls")))
    llm = model_for(server).bind_tools([Technicals])
    reply = invoke_with_clear_errors(llm, [HumanMessage("RSI of MSFT?")])
    assert isinstance(reply, AIMessage)
    assert [(c["name"], c["args"], c["id"]) for c in reply.tool_calls] == [
        ("Technicals", {"ticker": "MSFT", "window": 21}, "call_1")
    ]
    (tool,) = server.requests[0]["json"]["tools"]
    assert tool["type"] == "function"
    assert tool["function"]["name"] == "Technicals"
    assert tool["function"]["description"] == "Latest RSI, MACD and trend for a ticker."
    assert set(tool["function"]["parameters"]["properties"]) == {"ticker", "window"}
    assert tool["function"]["parameters"]["required"] == ["ticker"]


def test_server_error_is_retried_by_the_client(server: FakeOpenAI) -> None:
    server.replies += [Reply(500, {"error": {"message": "overloaded"}}), text_reply("ok")]
    reply = invoke_with_clear_errors(model_for(server, max_retries=1), "hi")
    assert reply.content == "ok"
    assert len(server.requests) == 2


def test_server_error_after_retries_is_unavailable(server: FakeOpenAI) -> None:
    server.replies += [Reply(503, {"error": {"message": "down"}})] * 2
    with pytest.raises(LLMUnavailableError, match="answered HTTP 503") as err:
        invoke_with_clear_errors(model_for(server, max_retries=1), "hi")
    assert len(server.requests) == 2
    assert "\n" not in str(err.value)


def test_unauthorized_is_unavailable_without_the_key(server: FakeOpenAI) -> None:
    echo = {"error": {"message": f"Incorrect API key provided: {KEY}", "code": "invalid_api_key"}}
    server.replies.append(Reply(401, echo))
    with pytest.raises(LLMUnavailableError) as err:
        invoke_with_clear_errors(model_for(server, max_retries=2), "hi")
    message = str(err.value)
    assert "rejected the API key (HTTP 401)" in message
    assert "SIGNALDESK_LLM_API_KEY" in message
    assert server.base_url in message
    assert KEY not in message
    assert "\n" not in message
    assert len(server.requests) == 1  # 401 is not retried


@pytest.mark.parametrize(
    "reply",
    [
        Reply(200, "this is not json {", "application/json"),
        Reply(200, "<html>bad gateway</html>", "text/html"),
        Reply(200, {"unexpected": "shape"}),
    ],
    ids=["broken-json", "html-page", "json-without-choices"],
)
def test_malformed_response_is_unavailable(server: FakeOpenAI, reply: Reply) -> None:
    server.replies.append(reply)
    with pytest.raises(LLMUnavailableError, match="malformed response") as err:
        invoke_with_clear_errors(model_for(server), "hi")
    assert "\n" not in str(err.value)
    assert KEY not in str(err.value)


def test_connection_refused_is_unavailable() -> None:
    with socket.socket() as sock:  # a port that was free a moment ago and is now closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    llm = chat_model(
        base_url=f"http://127.0.0.1:{port}/v1", api_key=KEY, model=MODEL, timeout_s=2.0,
        max_retries=0,
    )  # fmt: skip
    assert llm is not None
    with pytest.raises(LLMUnavailableError, match="could not be reached") as err:
        invoke_with_clear_errors(llm, "hi")
    assert f"127.0.0.1:{port}" in str(err.value)
    assert KEY not in str(err.value)


def test_timeout_is_unavailable(server: FakeOpenAI) -> None:
    server.replies.append(
        Reply(body=completion({"role": "assistant", "content": "late"}), delay_s=1)
    )
    llm = chat_model(
        base_url=server.base_url, api_key=KEY, model=MODEL, timeout_s=0.2, max_retries=0
    )
    assert llm is not None
    with pytest.raises(LLMUnavailableError, match="timed out"):
        invoke_with_clear_errors(llm, "hi")
