"""The agent's chat model: any OpenAI-compatible endpoint, or None for the offline planner.

``chat_model`` builds a ``ChatOpenAI`` (OpenAI, vLLM, Ollama's ``/v1``, llama.cpp's server) from
explicit settings only: the ``OPENAI_*`` and ``LANGSMITH_GATEWAY`` environment variables that the
client libraries would otherwise read are never consulted, so a key meant for one endpoint is never
sent to another. ``invoke_with_clear_errors`` turns endpoint faults into ``LLMUnavailableError``
with a one-line message; retries are the client's own (``max_retries``, exponential backoff).
"""

from __future__ import annotations

import json
from time import perf_counter
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import openai
import pydantic
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatResult
from langchain_core.runnables import Runnable
from langchain_openai import ChatOpenAI

from core import metrics, tracing

__all__ = [
    "DEFAULT_BASE_URL",
    "LLMConfigError",
    "LLMUnavailableError",
    "chat_model",
    "describe",
    "invoke_with_clear_errors",
    "reply_model",
]

DEFAULT_BASE_URL = "https://api.openai.com/v1"
# Sent when an endpoint needs no key (local vLLM, Ollama, llama.cpp): the client requires one, and
# a stand-in key keeps it from falling back to OPENAI_API_KEY.
_NO_KEY = "not-needed"
_SETTINGS = "SIGNALDESK_LLM_BASE_URL, SIGNALDESK_LLM_API_KEY, SIGNALDESK_LLM_MODEL"


class LLMConfigError(ValueError):
    """The LLM settings are incomplete or contradictory; fix the configuration."""


class LLMUnavailableError(RuntimeError):
    """The endpoint could not answer: down, refused, bad key, HTTP error or malformed reply."""


class _OpenAICompatibleChat(ChatOpenAI):
    """``ChatOpenAI`` whose malformed-response errors name the endpoint instead of a KeyError."""

    def _create_chat_result(
        self, response: dict | openai.BaseModel, generation_info: dict | None = None
    ) -> ChatResult:
        try:
            return super()._create_chat_result(response, generation_info)
        except (KeyError, ValueError, TypeError, AttributeError) as exc:
            raise _unavailable(self, "returned a malformed response", exc) from exc


def chat_model(
    *,
    base_url: str | None,
    api_key: str | None,
    model: str | None,
    timeout_s: float = 60.0,
    max_retries: int = 2,
    temperature: float = 0.0,
) -> BaseChatModel | None:
    """The configured chat model, or None when no endpoint is configured (use the offline planner).

    base_url: an OpenAI-compatible ``.../v1`` URL; default ``DEFAULT_BASE_URL`` when only a key is
        given. api_key: sent as a bearer token; a stand-in value when absent (local servers).
    model: required whenever an endpoint is configured. Raises ``LLMConfigError``.
    """
    base_url = (base_url or "").strip() or None
    api_key = (api_key or "").strip() or None
    model = (model or "").strip() or None
    if base_url is None and api_key is None:
        if model is not None:
            raise LLMConfigError(
                f"LLM model {model!r} is set but no endpoint: set SIGNALDESK_LLM_BASE_URL "
                "and/or SIGNALDESK_LLM_API_KEY, or unset SIGNALDESK_LLM_MODEL"
            )
        return None
    if model is None:
        raise LLMConfigError(
            f"an LLM endpoint is configured but no model: set SIGNALDESK_LLM_MODEL "
            f"(settings: {_SETTINGS})"
        )
    if timeout_s <= 0 or max_retries < 0:
        raise LLMConfigError(
            f"LLM timeout must be > 0 and retries >= 0, got {timeout_s} and {max_retries}"
        )
    url = base_url or DEFAULT_BASE_URL
    if urlsplit(url).scheme not in ("http", "https"):
        raise LLMConfigError(
            f"SIGNALDESK_LLM_BASE_URL must be an http(s) URL, got {_public_url(url)!r}"
        )
    return _OpenAICompatibleChat(
        model=model,
        base_url=url,
        api_key=api_key or _NO_KEY,
        timeout=timeout_s,
        max_retries=max_retries,
        temperature=temperature,
    )


def describe(model: BaseChatModel | None) -> str:
    """A log/UI label without secrets, e.g. ``openai-compatible:gpt-4o-mini @ http://host/v1``."""
    if model is None:
        return "offline planner (no LLM configured)"
    if isinstance(model, ChatOpenAI):
        return f"openai-compatible:{model.model_name} @ {_public_url(model.openai_api_base)}"
    return type(model).__name__


def invoke_with_clear_errors(
    model: Runnable[LanguageModelInput, BaseMessage], messages: LanguageModelInput, **kwargs: Any
) -> BaseMessage:
    """``model.invoke(messages, **kwargs)``, with endpoint faults raised as ``LLMUnavailableError``.

    Works on a model from ``chat_model`` or on its ``bind_tools(...)`` runnable. Each call is
    a ``chat {model}`` span (GenAI semantic conventions: model, tokens) and counts into
    ``signaldesk_llm_calls_total``, ``signaldesk_llm_tokens_total`` and the latency histogram.
    """
    requested = _model_name(model)
    began = perf_counter()
    with tracing.span(
        f"chat {requested}",
        {
            "gen_ai.operation.name": "chat",
            "gen_ai.system": "openai",
            "gen_ai.request.model": requested,
        },
        kind=tracing.SpanKind.CLIENT,
    ) as span:
        try:
            reply = _invoke(model, messages, **kwargs)
        except LLMUnavailableError:
            metrics.LLM_CALLS.labels(requested, "error").inc()
            metrics.LLM_SECONDS.labels(requested).observe(perf_counter() - began)
            raise
        name = reply_model(reply, requested)
        usage = getattr(reply, "usage_metadata", None) or {}
        tokens_in, tokens_out = usage.get("input_tokens", 0), usage.get("output_tokens", 0)
        metrics.LLM_CALLS.labels(name, "ok").inc()
        metrics.LLM_SECONDS.labels(name).observe(perf_counter() - began)
        metrics.LLM_TOKENS.labels(name, "input").inc(tokens_in)
        metrics.LLM_TOKENS.labels(name, "output").inc(tokens_out)
        span.set_attribute("gen_ai.response.model", name)
        span.set_attribute("gen_ai.usage.input_tokens", tokens_in)
        span.set_attribute("gen_ai.usage.output_tokens", tokens_out)
        return reply


def reply_model(reply: object, default: str = "unknown") -> str:
    """The model a reply names (``response_metadata["model_name"]``), else ``default``: the
    label of the LLM metrics."""
    meta = getattr(reply, "response_metadata", None) or {}
    name = meta.get("model_name") if isinstance(meta, dict) else None
    return str(name) if name else default


def _model_name(model: Any) -> str:
    bound = getattr(model, "bound", model)  # bind_tools() returns a RunnableBinding
    name = getattr(bound, "model_name", None) or getattr(bound, "model", None)
    return str(name) if isinstance(name, str) and name else type(bound).__name__


def _invoke(
    model: Runnable[LanguageModelInput, BaseMessage], messages: LanguageModelInput, **kwargs: Any
) -> BaseMessage:
    try:
        return model.invoke(messages, **kwargs)
    except LLMUnavailableError:
        raise
    except openai.APITimeoutError as exc:
        raise _unavailable(model, "timed out", exc) from exc
    except openai.APIConnectionError as exc:
        raise _unavailable(model, "could not be reached", exc) from exc
    except openai.AuthenticationError as exc:
        what = f"rejected the API key (HTTP {exc.status_code}); check SIGNALDESK_LLM_API_KEY"
        raise _unavailable(model, what, exc) from exc
    except openai.APIStatusError as exc:
        raise _unavailable(model, f"answered HTTP {exc.status_code}", exc) from exc
    except (
        openai.APIResponseValidationError,
        json.JSONDecodeError,
        pydantic.ValidationError,
    ) as exc:
        raise _unavailable(model, "returned a malformed response", exc) from exc


def _unavailable(model: Any, what: str, exc: BaseException) -> LLMUnavailableError:
    bound = getattr(model, "bound", model)  # bind_tools() returns a RunnableBinding
    target = describe(bound) if isinstance(bound, BaseChatModel) else type(model).__name__
    detail = _one_line(exc)
    key = getattr(bound, "openai_api_key", None)
    secret = key.get_secret_value() if isinstance(key, pydantic.SecretStr) else None
    if secret and secret != _NO_KEY:
        detail = detail.replace(secret, "**********")  # some servers echo the key back
    return LLMUnavailableError(f"LLM endpoint {target} {what}: {detail}")


def _public_url(url: str | None) -> str:
    """``url`` without user info, query or fragment (where keys sometimes hide)."""
    if not url:
        return "(default)"
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _one_line(exc: BaseException, limit: int = 200) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."
