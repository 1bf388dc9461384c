"""OpenTelemetry traces: on when ``OTEL_EXPORTER_OTLP_ENDPOINT`` (or
``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``) is set, off otherwise.

``configure(service)`` runs once per process (the CLI does it for every command, naming the
service by role: ``signaldesk-api``, ``signaldesk-chat``, ``signaldesk-worker``,
``signaldesk-cli``); spans go over OTLP/HTTP (protobuf) in batches to the endpoint, with the
standard ``OTEL_*`` variables for headers, timeouts and the service name. ``OTEL_SDK_DISABLED=true``
turns them off.

Code opens spans with ``span(name, {attribute: value})``. Off, it yields a non-recording span
without touching OpenTelemetry at all (one boolean test), so instrumented code costs nothing when
nobody collects. ``ids()`` gives the current trace and span ids for the JSON logs.
"""

from __future__ import annotations

import atexit
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from opentelemetry import trace
from opentelemetry.trace import INVALID_SPAN, Span, SpanKind, Status, StatusCode

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter

__all__ = [
    "SpanKind",
    "active",
    "configure",
    "enabled",
    "end",
    "flush",
    "ids",
    "set_error",
    "shutdown",
    "span",
    "start",
]

_ENDPOINT_VARIABLES = ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")
_state: dict[str, Any] = {"provider": None, "tracer": None}
AttributeValue = str | bool | int | float


def enabled() -> bool:
    return _state["tracer"] is not None


def _wanted(environ: Mapping[str, str]) -> bool:
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    return any(environ.get(v, "").strip() for v in _ENDPOINT_VARIABLES)


def configure(
    service: str,
    *,
    exporter: SpanExporter | None = None,
    environ: Mapping[str, str] | None = None,
) -> bool:
    """Start exporting spans of this process as ``service`` (``OTEL_SERVICE_NAME`` wins) when
    an OTLP endpoint is set or ``exporter`` is given; True when tracing is on. Calling it again
    replaces the exporter (flushing the old one), so tests may point it elsewhere."""
    env = os.environ if environ is None else environ
    if exporter is None and not _wanted(env):
        return enabled()
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    if exporter is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter()  # endpoint, headers, timeout: the OTEL_* variables
    shutdown()
    name = env.get("OTEL_SERVICE_NAME") or service
    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: name}))
    provider.add_span_processor(BatchSpanProcessor(exporter))
    _state["provider"] = provider
    _state["tracer"] = provider.get_tracer("signaldesk")
    if not _state.get("atexit"):
        atexit.register(shutdown)
        _state["atexit"] = True
    return True


def shutdown() -> None:
    """Flush and stop the exporter (at exit, or before ``configure`` replaces it)."""
    provider: TracerProvider | None = _state["provider"]
    _state["provider"] = _state["tracer"] = None
    if provider is not None:
        provider.shutdown()


def flush(timeout_ms: int = 5000) -> bool:
    """Send what is buffered now (a short-lived command's spans before it exits)."""
    provider: TracerProvider | None = _state["provider"]
    return provider.force_flush(timeout_ms) if provider is not None else True


@contextmanager
def span(
    name: str,
    attributes: Mapping[str, AttributeValue | None] | None = None,
    *,
    kind: SpanKind = SpanKind.INTERNAL,
) -> Iterator[Span]:
    """A span around the block, child of the current one; ``None`` attributes are left out.
    An exception leaving the block is recorded and marks the span as an error."""
    tracer = _state["tracer"]
    if tracer is None:
        yield INVALID_SPAN
        return
    kept = {k: v for k, v in (attributes or {}).items() if v is not None}
    with tracer.start_as_current_span(
        name, kind=kind, attributes=kept, record_exception=True, set_status_on_exception=True
    ) as current:
        yield current


def start(name: str, attributes: Mapping[str, AttributeValue | None] | None = None) -> Span:
    """A span that is not made current: for work that a generator does between yields, where
    a context attached across a yield would leak to the consumer. Run each step under
    ``active(span)`` and finish with ``end(span)``."""
    tracer = _state["tracer"]
    if tracer is None:
        return INVALID_SPAN
    kept = {k: v for k, v in (attributes or {}).items() if v is not None}
    return tracer.start_span(name, attributes=kept)


@contextmanager
def active(current: Span) -> Iterator[Span]:
    """``current`` as the parent of the spans opened in the block (it stays open after)."""
    if not current.is_recording():
        yield current
        return
    with trace.use_span(current, end_on_exit=False):
        yield current


def end(current: Span, *, error: BaseException | None = None) -> None:
    """Finish a span from ``start``; ``error`` is recorded and marks it failed."""
    if not current.is_recording():
        return
    if error is not None:
        current.record_exception(error)
        current.set_status(Status(StatusCode.ERROR, type(error).__name__))
    current.end()


def set_error(current: Span, message: str) -> None:
    """Mark ``current`` as failed without an exception (a tool that returned an error)."""
    if current.is_recording():
        current.set_status(Status(StatusCode.ERROR, message))


def ids() -> tuple[str, str] | None:
    """The current (trace id, span id) in hex, or None outside a recorded span."""
    if not enabled():
        return None
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None
    return format(context.trace_id, "032x"), format(context.span_id, "016x")
