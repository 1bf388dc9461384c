"""agent/llm.py against a scripted OpenAI-compatible server on 127.0.0.1 (never the network).

The server (``tests/agent/_fake_openai.py``) comes from the ``server`` fixture in conftest.py.
"""

from __future__ import annotations

import json
import socket

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
from tests.agent._fake_openai import FakeOpenAI, Reply, completion, text_reply

KEY = "sk-test-SECRET-1234"
MODEL = "test-model-7b"


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
