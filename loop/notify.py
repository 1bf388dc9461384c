"""Where alerts go: a webhook that takes Slack-compatible JSON, and e-mail over SMTP.

Usage::

    webhook = WebhookChannel(url, timeout_s=5.0, attempts=3)
    email = EmailChannel(host="smtp.example.com", port=587, starttls=True, user="me",
                         password="...", sender="signaldesk@example.com",
                         recipients=["desk@example.com"], timeout_s=5.0, attempts=3)
    webhook.send(alert)          # None when delivered; DeliveryError after its attempts

A channel tries ``attempts`` times in all, waiting between tries (exponential by default;
``wait`` takes any tenacity wait, ``wait_none()`` in tests). What may pass retries: a
connection that fails or times out, HTTP 5xx and 429, an SMTP 4xx reply or a dropped SMTP
connection. What will not pass fails at once: another HTTP 4xx, a refused login or recipient.
Neither the webhook URL (it holds its token) nor the SMTP password is logged or shown.
"""

from __future__ import annotations

import json
import logging
import smtplib
import ssl
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any, Protocol, TypeVar

import httpx
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)
from tenacity.wait import wait_base

__all__ = [
    "Channel",
    "DeliveryError",
    "EmailChannel",
    "Notice",
    "WebhookChannel",
    "slack_payload",
]

log = logging.getLogger(__name__)
T = TypeVar("T")
_HEADER_MAX = 150  # Slack's limit on a header block's text
_SECTION_MAX = 3000  # and on a section's
_ICONS = {"warning": ":warning:", "critical": ":rotating_light:"}


class DeliveryError(Exception):
    """A channel could not deliver an alert; ``attempts``: how many tries were made."""

    def __init__(self, message: str, *, attempts: int) -> None:
        super().__init__(message)
        self.attempts = attempts


class _Transient(Exception):
    """A failure that another try may get past."""


class _Permanent(Exception):
    """A failure that another try would repeat."""


class Notice(Protocol):
    """What a channel reads of an alert (``loop.alerts.AlertIn`` is one)."""

    @property
    def as_of(self) -> date: ...
    @property
    def kind(self) -> str: ...
    @property
    def key(self) -> str: ...
    @property
    def severity(self) -> str: ...  # warning | critical
    @property
    def title(self) -> str: ...
    @property
    def body(self) -> str: ...
    @property
    def details(self) -> Mapping[str, Any]: ...


class Channel(Protocol):
    """Something that delivers an alert or raises ``DeliveryError``."""

    name: str

    def send(self, alert: Notice) -> None: ...


def _default_wait() -> wait_base:
    return wait_exponential(multiplier=0.5, max=4.0)


def _log_retry(state: RetryCallState) -> None:
    err = state.outcome.exception() if state.outcome else None
    log.warning(
        "alert delivery failed, retrying",
        extra={"attempt": state.attempt_number, "error": str(err)},
    )


def _with_retries(what: str, fn: Callable[[], T], *, attempts: int, wait: wait_base) -> T:
    """``fn()``, tried up to ``attempts`` times while it raises ``_Transient``; a
    ``DeliveryError`` saying ``what`` and why after the last try or a ``_Permanent`` one."""
    tries = 0

    def attempt() -> T:
        nonlocal tries
        tries += 1
        return fn()

    retrying = Retrying(
        stop=stop_after_attempt(attempts),
        wait=wait,
        retry=retry_if_exception_type(_Transient),
        before_sleep=_log_retry,
        reraise=True,
    )
    try:
        return retrying(attempt)
    except (_Transient, _Permanent) as err:
        plural = "s" if tries > 1 else ""
        raise DeliveryError(f"{what} after {tries} attempt{plural}: {err}", attempts=tries) from err


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def slack_payload(alert: Notice) -> dict[str, object]:
    """Slack-compatible JSON: ``text`` (what any Slack-like receiver shows, and the
    notification's line) and ``blocks``: a header, the body (when there is one), a context
    line with the kind, date and key."""
    headline = f"{_ICONS.get(alert.severity, ':bell:')} [{alert.severity.upper()}] {alert.title}"
    context = f"{alert.kind} · as of {alert.as_of.isoformat()} · key `{alert.key}`"
    header = {"type": "plain_text", "text": _clip(headline, _HEADER_MAX), "emoji": True}
    blocks: list[dict[str, object]] = [{"type": "header", "text": header}]
    if alert.body:
        body = {"type": "mrkdwn", "text": _clip(alert.body, _SECTION_MAX)}
        blocks.append({"type": "section", "text": body})
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": context}]})
    text = f"{headline}\n{alert.body}" if alert.body else headline
    return {"text": text, "blocks": blocks}


class WebhookChannel:
    """POSTs an alert as Slack-compatible JSON (Slack, Mattermost, Rocket.Chat, or any
    receiver that reads ``text``). A 2xx answer is a delivery."""

    name = "webhook"

    def __init__(
        self,
        url: str,
        *,
        timeout_s: float = 5.0,
        attempts: int = 3,
        wait: wait_base | None = None,
    ) -> None:
        if attempts < 1:
            raise ValueError(f"attempts must be >= 1, got {attempts}")
        self._url = url
        self.timeout_s = timeout_s
        self.attempts = attempts
        self.wait = wait if wait is not None else _default_wait()

    def __repr__(self) -> str:
        return f"WebhookChannel(url=<hidden>, timeout_s={self.timeout_s}, attempts={self.attempts})"

    def send(self, alert: Notice) -> None:
        """Deliver ``alert``; ``DeliveryError`` after ``attempts`` tries, or at once on a 4xx."""
        payload = slack_payload(alert)
        with httpx.Client(timeout=self.timeout_s, follow_redirects=False) as client:
            _with_retries(
                "webhook failed",
                lambda: self._post(client, payload),
                attempts=self.attempts,
                wait=self.wait,
            )

    def _post(self, client: httpx.Client, payload: dict[str, object]) -> None:
        try:
            response = client.post(self._url, json=payload)
        except httpx.TransportError as err:  # connect, read, write, timeout
            raise _Transient(f"{type(err).__name__}: {err}") from err
        status = response.status_code
        if 200 <= status < 300:
            return
        reason = f"HTTP {status} {_clip(response.text.strip(), 200)}".rstrip()
        if status >= 500 or status == 429:
            raise _Transient(reason)
        raise _Permanent(reason)


class EmailChannel:
    """Sends an alert as a plain-text e-mail over SMTP (STARTTLS and login when configured);
    a new connection per try."""

    name = "email"

    def __init__(
        self,
        *,
        host: str,
        port: int,
        starttls: bool,
        user: str | None,
        password: str | None,
        sender: str,
        recipients: Sequence[str],
        timeout_s: float = 5.0,
        attempts: int = 3,
        wait: wait_base | None = None,
    ) -> None:
        if attempts < 1:
            raise ValueError(f"attempts must be >= 1, got {attempts}")
        if not recipients:
            raise ValueError("an e-mail channel needs at least one recipient")
        self.host = host
        self.port = port
        self.starttls = starttls
        self.user = user
        self._password = password
        self.sender = sender
        self.recipients = tuple(recipients)
        self.timeout_s = timeout_s
        self.attempts = attempts
        self.wait = wait if wait is not None else _default_wait()

    def __repr__(self) -> str:
        return (
            f"EmailChannel(host={self.host!r}, port={self.port}, starttls={self.starttls}, "
            f"user={self.user!r}, recipients={list(self.recipients)!r}, attempts={self.attempts})"
        )

    def message(self, alert: Notice) -> EmailMessage:
        """The e-mail for ``alert``: subject ``[SignalDesk WARNING] title``, the body, then the
        alert's kind, date, key and details."""
        msg = EmailMessage()
        msg["Subject"] = f"[SignalDesk {alert.severity.upper()}] {alert.title}"
        msg["From"] = self.sender
        msg["To"] = ", ".join(self.recipients)
        msg["Date"] = formatdate(localtime=False)
        msg["Message-ID"] = make_msgid(domain="signaldesk.local")
        msg["X-SignalDesk-Alert-Key"] = alert.key
        facts = [
            f"kind: {alert.kind}",
            f"severity: {alert.severity}",
            f"as of: {alert.as_of.isoformat()}",
            f"key: {alert.key}",
        ]
        if alert.details:
            facts.append("details: " + json.dumps(alert.details, indent=2, sort_keys=True))
        msg.set_content(alert.body + "\n\n--\n" + "\n".join(facts) + "\n")
        return msg

    def send(self, alert: Notice) -> None:
        """Deliver ``alert``; ``DeliveryError`` after ``attempts`` tries, or at once when the
        server refuses it for good (login, sender, recipients, a 5xx reply)."""
        msg = self.message(alert)
        _with_retries(
            f"e-mail via {self.host}:{self.port} failed",
            lambda: self._send_once(msg),
            attempts=self.attempts,
            wait=self.wait,
        )

    def _send_once(self, msg: EmailMessage) -> None:
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout_s) as smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.user:
                    smtp.login(self.user, self._password or "")
                refused = smtp.send_message(msg)
        except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError) as err:
            raise _Transient(f"{type(err).__name__}: {err}") from err
        except smtplib.SMTPResponseException as err:
            reason = f"SMTP {err.smtp_code} {_text(err.smtp_error)}"
            raise (_Transient if 400 <= err.smtp_code < 500 else _Permanent)(reason) from err
        except (smtplib.SMTPException, ssl.SSLError) as err:  # recipients refused, no STARTTLS
            raise _Permanent(f"{type(err).__name__}: {err}") from err
        except OSError as err:  # refused, unreachable, timed out
            raise _Transient(f"{type(err).__name__}: {err}") from err
        if refused:
            log.warning(
                "alert e-mail refused for some recipients", extra={"refused": sorted(refused)}
            )


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else reply
