"""Alerts: delivered to a real local webhook and a real local SMTP server (aiosmtpd), retried
when the webhook is down without blocking, de-duplicated and rate-limited on as-of dates, and
always stored."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from aiosmtpd.controller import Controller
from pydantic import ValidationError
from sqlalchemy.engine import Engine
from tenacity import wait_none

from core.settings import Settings
from data.store import AlertStore, make_engine, upgrade
from loop.alerts import Alerter, AlertIn
from loop.notify import DeliveryError, EmailChannel, Notice, WebhookChannel, slack_payload
from tests._servers import free_port

DAY = date(2013, 2, 25)
SECRET = "T0000-B0000-s3cr3t"  # a webhook URL holds its token: never in a log or a row


def _alert(**changes: Any) -> AlertIn:
    values: dict[str, Any] = dict(
        as_of=DAY,
        kind="accuracy",
        key="accuracy:IBM-h5",
        severity="warning",
        title="IBM-h5: hit rate 48% over the last 100 calls",
        body="Below the 55% floor; a retrain is scheduled.",
        details={"hit_rate": 0.48, "calls": 100},
    )
    return AlertIn(**(values | changes))


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    eng = make_engine(f"sqlite:///{tmp_path / 'db' / 'alerts.db'}")
    upgrade(eng)
    yield eng
    eng.dispose()


# -- a webhook receiver ---------------------------------------------------------------------


@dataclass
class Webhook:
    """A local HTTP server: answers each POST with the next of ``statuses`` (then 200) and
    keeps what it received."""

    statuses: list[int]
    received: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""

    @property
    def hits(self) -> int:
        return len(self.received)


@pytest.fixture
def webhook() -> Iterator[Callable[..., Webhook]]:
    servers: list[ThreadingHTTPServer] = []

    def start(*statuses: int) -> Webhook:
        hook = Webhook(list(statuses))

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                hook.received.append(
                    {
                        "path": self.path,
                        "type": self.headers["Content-Type"],
                        "json": json.loads(body),
                    }
                )
                status = hook.statuses.pop(0) if hook.statuses else 200
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok" if status == 200 else b"upstream unhappy")

            def log_message(self, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(server)
        hook.url = f"http://127.0.0.1:{server.server_address[1]}/services/{SECRET}"
        return hook

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield int(listener.getsockname()[1])


def _webhook(url: str, *, attempts: int = 3, timeout_s: float = 2.0) -> WebhookChannel:
    return WebhookChannel(url, timeout_s=timeout_s, attempts=attempts, wait=wait_none())


# -- an SMTP receiver -----------------------------------------------------------------------


class Mailbox:
    """An aiosmtpd handler that keeps each message, or answers DATA with ``reply``."""

    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.reply: str | None = None
        self.tries = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.tries += 1
        if self.reply is not None:
            return self.reply
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield box, controller.port
    controller.stop()


def _email(port: int, *, attempts: int = 3) -> EmailChannel:
    return EmailChannel(
        host="127.0.0.1",
        port=port,
        starttls=False,
        user=None,
        password=None,
        sender="signaldesk@example.com",
        recipients=["desk@example.com", "risk@example.com"],
        timeout_s=2.0,
        attempts=attempts,
        wait=wait_none(),
    )


# -- channels -------------------------------------------------------------------------------


def test_the_webhook_receives_slack_compatible_json(webhook):
    hook = webhook()
    _webhook(hook.url).send(_alert(severity="critical"))
    assert hook.hits == 1
    got = hook.received[0]
    assert got["path"] == f"/services/{SECRET}"
    assert got["type"] == "application/json"
    text = got["json"]["text"]
    assert text == (
        ":rotating_light: [CRITICAL] IBM-h5: hit rate 48% over the last 100 calls\n"
        "Below the 55% floor; a retrain is scheduled."
    )
    blocks = got["json"]["blocks"]
    assert [b["type"] for b in blocks] == ["header", "section", "context"]
    assert blocks[1]["text"]["text"] == "Below the 55% floor; a retrain is scheduled."
    assert blocks[2]["elements"][0]["text"] == (
        "accuracy · as of 2013-02-25 · key `accuracy:IBM-h5`"
    )


def test_slack_limits_are_kept_and_an_empty_body_has_no_section():
    payload = slack_payload(_alert(title="x" * 200, body=""))
    blocks: list[dict[str, Any]] = payload["blocks"]  # type: ignore[assignment]
    assert [b["type"] for b in blocks] == ["header", "context"]
    assert len(blocks[0]["text"]["text"]) == 150
    assert payload["text"] == ":warning: [WARNING] " + "x" * 200


def test_a_webhook_answering_500_is_retried_until_it_answers(webhook):
    hook = webhook(500, 503)
    _webhook(hook.url, attempts=3).send(_alert())
    assert hook.hits == 3


def test_a_webhook_answering_500_fails_after_exactly_its_attempts(webhook):
    hook = webhook(500, 500, 500, 500)
    with pytest.raises(DeliveryError, match="after 3 attempts: HTTP 500 upstream unhappy") as err:
        _webhook(hook.url, attempts=3).send(_alert())
    assert hook.hits == 3
    assert err.value.attempts == 3


def test_a_4xx_fails_at_once(webhook):
    hook = webhook(404)
    with pytest.raises(DeliveryError, match="after 1 attempt: HTTP 404") as err:
        _webhook(hook.url, attempts=3).send(_alert())
    assert (hook.hits, err.value.attempts) == (1, 1)


def test_a_closed_port_fails_after_its_attempts():
    url = f"http://127.0.0.1:{free_port()}/services/{SECRET}"
    with pytest.raises(DeliveryError, match="after 4 attempts: ConnectError") as err:
        _webhook(url, attempts=4).send(_alert())
    assert err.value.attempts == 4
    assert SECRET not in str(err.value)


def test_a_webhook_that_never_answers_times_out_within_a_bound(silent_port):
    url = f"http://127.0.0.1:{silent_port}/hook"
    started = time.monotonic()
    with pytest.raises(DeliveryError, match="after 2 attempts: ReadTimeout"):
        _webhook(url, attempts=2, timeout_s=0.2).send(_alert())
    assert time.monotonic() - started < 3.0


def test_the_email_reaches_the_smtp_server(smtp):
    box, port = smtp
    _email(port).send(_alert(details={"hit_rate": 0.48}))
    assert len(box.messages) == 1
    recipients, msg = box.messages[0]
    assert recipients == ["desk@example.com", "risk@example.com"]
    assert msg["Subject"] == "[SignalDesk WARNING] IBM-h5: hit rate 48% over the last 100 calls"
    assert msg["From"] == "signaldesk@example.com"
    assert msg["X-SignalDesk-Alert-Key"] == "accuracy:IBM-h5"
    body = msg.get_payload(decode=True).decode().replace("\r\n", "\n")
    assert body.startswith("Below the 55% floor; a retrain is scheduled.\n\n--\nkind: accuracy\n")
    assert "as of: 2013-02-25" in body
    assert '"hit_rate": 0.48' in body


def test_smtp_4xx_is_retried_and_5xx_is_not(smtp):
    box, port = smtp
    box.reply = "451 Try again later"
    with pytest.raises(DeliveryError, match="after 3 attempts: SMTP 451 Try again later"):
        _email(port, attempts=3).send(_alert())
    assert box.tries == 3
    box.reply, box.tries = "554 Transaction failed", 0
    with pytest.raises(DeliveryError, match="after 1 attempt: SMTP 554"):
        _email(port, attempts=3).send(_alert())
    assert box.tries == 1


def test_an_smtp_server_that_is_down_fails_after_its_attempts():
    with pytest.raises(DeliveryError, match="after 2 attempts: ConnectionRefusedError") as err:
        _email(free_port(), attempts=2).send(_alert())
    assert err.value.attempts == 2


def test_channels_do_not_show_their_secrets():
    assert SECRET not in repr(WebhookChannel(f"https://hooks.example/{SECRET}"))
    email = EmailChannel(
        host="smtp.example",
        port=587,
        starttls=True,
        user="me",
        password=SECRET,
        sender="a@example",
        recipients=["b@example"],
    )
    assert SECRET not in repr(email)


# -- the alerter ----------------------------------------------------------------------------


def test_an_alert_goes_to_every_channel_and_is_stored(engine, webhook, smtp):
    hook = webhook()
    box, port = smtp
    alerter = Alerter(engine, [_webhook(hook.url), _email(port)])
    result = alerter.raise_alert(_alert())
    assert (result.status, result.reason) == ("sent", None)
    assert result.deliveries == {"webhook": "sent", "email": "sent"}
    assert (hook.hits, len(box.messages)) == (1, 1)

    row = AlertStore(engine).alerts(as_of=DAY).iloc[0]
    assert row["id"] == result.id
    assert (row["kind"], row["key"], row["severity"]) == ("accuracy", "accuracy:IBM-h5", "warning")
    assert (row["status"], row["deliveries"]) == ("sent", {"webhook": "sent", "email": "sent"})
    assert row["details"] == {"hit_rate": 0.48, "calls": 100}


def test_a_webhook_that_is_down_is_recorded_failed_without_blocking(engine, smtp, caplog):
    box, port = smtp
    down = _webhook(f"http://127.0.0.1:{free_port()}/services/{SECRET}", attempts=3)
    started = time.monotonic()
    with caplog.at_level(logging.INFO):
        only_email = Alerter(engine, [down, _email(port)]).raise_alert(_alert())
        nothing = Alerter(engine, [down]).raise_alert(_alert(key="data_stale:AAPL"))
    assert time.monotonic() - started < 5.0

    assert only_email.status == "sent"  # someone was told
    assert only_email.deliveries["email"] == "sent"
    assert only_email.deliveries["webhook"].startswith("failed: webhook failed after 3 attempts")
    assert nothing.status == "failed"
    assert nothing.deliveries == {
        "webhook": nothing.deliveries["webhook"],
        "email": "skipped",
    }
    frame = AlertStore(engine).alerts(as_of=DAY)
    assert list(frame["status"]) == ["sent", "failed"]
    assert frame["deliveries"].tolist()[1]["webhook"].startswith("failed: webhook failed after 3")
    assert sum("retrying" in r.getMessage() for r in caplog.records) == 4  # 2 waits, twice
    assert all(SECRET not in r.getMessage() + str(r.__dict__) for r in caplog.records)
    assert SECRET not in str(frame.to_dict())


def test_a_channel_that_crashes_is_recorded_failed(engine):
    class Broken:
        name = "webhook"

        def send(self, alert: Notice) -> None:
            raise RuntimeError("bug in the channel")

    result = Alerter(engine, [Broken()]).raise_alert(_alert())
    assert result.status == "failed"
    assert result.deliveries["webhook"] == "failed: RuntimeError: bug in the channel"


def test_with_no_channel_the_alert_is_stored_unsent(engine):
    result = Alerter(engine).raise_alert(_alert())
    assert result.status == "unsent"
    assert result.deliveries == {"webhook": "skipped", "email": "skipped"}
    row = AlertStore(engine).alerts(as_of=DAY).iloc[0]
    assert (row["status"], row["deliveries"]) == ("unsent", result.deliveries)


def test_a_key_is_raised_once_per_window_on_as_of_dates(engine, webhook):
    hook = webhook()
    alerter = Alerter(engine, [_webhook(hook.url)], dedup_days=7)
    days = [DAY + timedelta(days=n) for n in (0, 0, 3, 6, 7, 13, 14)]
    statuses = [alerter.raise_alert(_alert(as_of=day)).status for day in days]
    assert statuses == [
        "sent",
        "suppressed",
        "suppressed",
        "suppressed",
        "sent",
        "suppressed",
        "sent",
    ]
    assert hook.hits == 3
    assert (
        alerter.raise_alert(_alert(as_of=DAY + timedelta(days=3), key="drift:m1")).status == "sent"
    )

    frame = AlertStore(engine).alerts(as_of=DAY + timedelta(days=14))
    dup = frame[frame["status"] == "suppressed"].iloc[0]
    assert dup["details"] == {
        "hit_rate": 0.48,
        "calls": 100,
        "suppressed": "duplicate",
        "last_raised": "2013-02-25",
    }
    assert dup["deliveries"] == {"webhook": "skipped", "email": "skipped"}


def test_de_duplication_is_point_in_time_and_ignores_delivery(engine, webhook):
    later = DAY + timedelta(days=30)
    no_channel = Alerter(engine, dedup_days=7)
    assert no_channel.raise_alert(_alert(as_of=later)).status == "unsent"
    # a replay of the past does not see the later alert
    assert no_channel.raise_alert(_alert(as_of=DAY)).status == "unsent"
    # a failed alert counts as raised: a webhook that is down is not hit again the next day
    down = Alerter(engine, [_webhook(f"http://127.0.0.1:{free_port()}/", attempts=1)])
    assert down.raise_alert(_alert(as_of=DAY + timedelta(days=10), key="k")).status == "failed"
    assert down.raise_alert(_alert(as_of=DAY + timedelta(days=11), key="k")).reason == "duplicate"


def test_no_de_duplication_with_zero_days(engine):
    alerter = Alerter(engine, dedup_days=0)
    assert [alerter.raise_alert(_alert()).status for _ in range(2)] == ["unsent", "unsent"]


def test_the_rate_limit_counts_raised_alerts_per_as_of_day(engine, webhook):
    hook = webhook()
    alerter = Alerter(engine, [_webhook(hook.url)], max_per_day=2)
    results = [alerter.raise_alert(_alert(key=f"data_stale:T{n}")) for n in range(4)]
    assert [r.status for r in results] == ["sent", "sent", "suppressed", "suppressed"]
    assert [r.reason for r in results[2:]] == ["rate limit", "rate limit"]
    assert hook.hits == 2
    # the next day starts afresh; the suppressed keys were never raised, so they go out
    next_day = alerter.raise_alert(_alert(key="data_stale:T3", as_of=DAY + timedelta(days=1)))
    assert next_day.status == "sent"
    frame = AlertStore(engine).alerts(as_of=DAY)
    assert frame["details"].tolist()[2]["suppressed"] == "rate limit"


def test_alerts_survive_in_the_database(tmp_path, engine):
    Alerter(engine).raise_alert(_alert())
    Alerter(engine).raise_alert(_alert())
    engine.dispose()
    reopened = make_engine(f"sqlite:///{tmp_path / 'db' / 'alerts.db'}")
    frame = AlertStore(reopened).alerts(as_of=DAY)
    assert list(frame["status"]) == ["unsent", "suppressed"]
    assert list(frame["title"]) == [_alert().title] * 2
    reopened.dispose()


def test_from_settings_builds_the_configured_channels(engine, webhook, smtp):
    hook = webhook()
    box, port = smtp
    settings = Settings(
        alert_webhook_url=hook.url,
        alert_smtp_host="127.0.0.1",
        alert_smtp_port=port,
        alert_smtp_starttls=False,
        alert_email_to="desk@example.com, risk@example.com",
        alert_retries=2,
        alert_dedup_days=3,
        alert_max_per_day=5,
    )
    alerter = Alerter.from_settings(settings, engine)
    assert [c.name for c in alerter.channels] == ["webhook", "email"]
    assert (alerter.dedup_days, alerter.max_per_day) == (3, 5)
    assert alerter.raise_alert(_alert()).deliveries == {"webhook": "sent", "email": "sent"}
    assert (hook.hits, box.messages[0][0]) == (1, ["desk@example.com", "risk@example.com"])

    assert Alerter.from_settings(Settings(), engine).channels == ()
    half = Settings(alert_smtp_host="127.0.0.1")  # no recipients: e-mail is off
    assert Alerter.from_settings(half, engine).channels == ()


def test_an_alert_is_validated_and_its_details_made_json():
    with pytest.raises(ValidationError, match="kind"):
        _alert(kind="weather")
    with pytest.raises(ValidationError, match="severity"):
        _alert(severity="info")
    with pytest.raises(ValidationError, match="key"):
        _alert(key="")
    with pytest.raises(ValidationError, match="JSON-serialisable"):
        _alert(details={"x": object()})
    alert = _alert(details={"day": DAY, "n": np.int64(3), "p": np.float64(0.5), "z": float("nan")})
    assert alert.details == {"day": "2013-02-25", "n": 3, "p": 0.5, "z": None}
    assert json.loads(json.dumps(alert.details)) == alert.details
