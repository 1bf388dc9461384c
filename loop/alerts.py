"""Alerts of the learning loop: accuracy below its floor, drift, a failed or stale data refresh,
a failed briefing, a failed retrain. Sent to a webhook and/or by e-mail, de-duplicated,
rate-limited, and always stored.

Usage::

    alerter = Alerter.from_settings(settings, engine)     # channels from SIGNALDESK_ALERT_*
    result = alerter.raise_alert(AlertIn(
        as_of=day, kind="accuracy", key="accuracy:IBM-h5", severity="warning",
        title="IBM-h5: hit rate 48% over the last 100 calls",
        body="Below the 55% floor; a retrain is scheduled.", details={"hit_rate": 0.48},
    ))
    result.status                                          # sent | failed | suppressed | unsent

The rules, in order, all on as-of dates (never the wall clock), so a simulation replaying
history suppresses the same alerts as the daily job did:

- **De-duplication**: an alert whose key was raised (not suppressed) on an as-of date less than
  ``dedup_days`` before its own (the same day included) is stored ``suppressed``, reason
  ``duplicate``. With 7 days, a condition that persists is raised on days 0, 7, 14...;
  0 turns de-duplication off.
- **Rate limit**: past ``max_per_day`` alerts raised on one as-of day, the rest are stored
  ``suppressed``, reason ``rate limit``.
- **Delivery**: through every configured channel; ``sent`` when at least one delivered,
  ``failed`` when every one failed, ``unsent`` when none is configured. A failed alert still
  counts as raised: a webhook that is down is not hammered on every run, and its alerts stay
  in the table (``failed``) for whoever looks.

The alert is stored before it is sent (``unsent``, channels ``pending``) and updated after, so
a process stopped while sending leaves its trace. Delivery never raises: each channel's failure
is recorded in ``deliveries`` ("failed: why") and logged.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import to_jsonable_python
from sqlalchemy.engine import Engine

from data.store import AlertStore
from loop.notify import Channel, DeliveryError, EmailChannel, WebhookChannel

if TYPE_CHECKING:
    from core.settings import Settings

__all__ = ["CHANNEL_NAMES", "AlertIn", "AlertKind", "AlertResult", "Alerter", "AlertStatus"]

log = logging.getLogger(__name__)
AlertKind = Literal["accuracy", "drift", "data_refresh", "data_stale", "briefing", "retrain"]
AlertStatus = Literal["sent", "failed", "suppressed", "unsent"]
Suppression = Literal["duplicate", "rate limit"]
CHANNEL_NAMES = ("webhook", "email")


def _scalar(value: Any) -> Any:
    """numpy scalars (``np.int64``...) as Python numbers; anything else is refused."""
    if hasattr(value, "item"):
        return value.item()
    raise ValueError(f"details must be JSON-serialisable, got {type(value).__name__}")


class AlertIn(BaseModel):
    """An alert to raise. ``key`` identifies the condition for de-duplication (say
    ``accuracy:IBM-h5`` or ``data_stale:AAPL``): put in it what makes two alerts different
    news, and leave out what merely changes from day to day. ``details``: JSON values (dates
    become ISO strings, NaN becomes null)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    as_of: date
    kind: AlertKind
    key: str = Field(min_length=1)
    severity: Literal["warning", "critical"] = "warning"
    title: str = Field(min_length=1)
    body: str = ""
    details: dict[str, Any] = Field(default_factory=dict)

    @field_validator("details")
    @classmethod
    def _jsonable(cls, value: dict[str, Any]) -> dict[str, Any]:
        jsonable: dict[str, Any] = to_jsonable_python(value, inf_nan_mode="null", fallback=_scalar)
        return jsonable


class AlertResult(BaseModel):
    """What became of an alert: its row ``id``, its ``status``, each channel's delivery
    ("sent", "failed: why", "skipped") and, when suppressed, why."""

    model_config = ConfigDict(frozen=True)

    id: int
    alert: AlertIn
    status: AlertStatus
    deliveries: dict[str, str]
    reason: Suppression | None = None


class Alerter:
    """Raises alerts through ``channels``, stored in ``engine``'s ``alerts`` table (schema
    migrated). ``dedup_days`` and ``max_per_day``: the rules above; ``store_only``: no channel
    on purpose (a simulation), so an unsent alert is logged at debug, not as a warning."""

    def __init__(
        self,
        engine: Engine,
        channels: Sequence[Channel] = (),
        *,
        dedup_days: int = 7,
        max_per_day: int = 20,
        store_only: bool = False,
    ) -> None:
        if dedup_days < 0:
            raise ValueError(f"dedup_days must be >= 0, got {dedup_days}")
        if max_per_day < 1:
            raise ValueError(f"max_per_day must be >= 1, got {max_per_day}")
        names = [channel.name for channel in channels]
        if len(set(names)) != len(names):
            raise ValueError(f"channel names must differ, got {names}")
        self.store = AlertStore(engine)
        self.channels = tuple(channels)
        self.dedup_days = dedup_days
        self.max_per_day = max_per_day
        self.store_only = store_only  # sending is off on purpose (a simulation): no warning

    @classmethod
    def from_settings(cls, settings: Settings, engine: Engine) -> Alerter:
        """The webhook when ``alert_webhook_url`` is set, e-mail when ``alert_smtp_host`` and
        ``alert_email_to`` are; the rules from ``alert_dedup_days`` and ``alert_max_per_day``."""
        channels: list[Channel] = []
        if settings.alert_webhook_url is not None:
            channels.append(
                WebhookChannel(
                    settings.alert_webhook_url.get_secret_value(),
                    timeout_s=settings.alert_timeout_s,
                    attempts=settings.alert_retries,
                )
            )
        if settings.alert_smtp_host and settings.alert_email_to:
            password = settings.alert_smtp_password
            channels.append(
                EmailChannel(
                    host=settings.alert_smtp_host,
                    port=settings.alert_smtp_port,
                    starttls=settings.alert_smtp_starttls,
                    user=settings.alert_smtp_user,
                    password=password.get_secret_value() if password is not None else None,
                    sender=settings.alert_email_from,
                    recipients=settings.alert_email_to,
                    timeout_s=settings.alert_timeout_s,
                    attempts=settings.alert_retries,
                )
            )
        elif settings.alert_smtp_host or settings.alert_email_to:
            log.warning(
                "e-mail alerts are off: set both SIGNALDESK_ALERT_SMTP_HOST and "
                "SIGNALDESK_ALERT_EMAIL_TO"
            )
        return cls(
            engine,
            channels,
            dedup_days=settings.alert_dedup_days,
            max_per_day=settings.alert_max_per_day,
        )

    def raise_alert(self, alert: AlertIn) -> AlertResult:
        """Store ``alert`` and, unless the rules suppress it, send it through every channel.
        Never raises for a channel's failure (a database fault does raise)."""
        skipped = {name: "skipped" for name in (*CHANNEL_NAMES, *self._names())}
        reason, last = self._suppression(alert)
        if reason is not None:
            details = alert.details | {"suppressed": reason}
            if last is not None:
                details["last_raised"] = last.isoformat()
            alert_id = self._store(alert, details, "suppressed", skipped)
            log.info("alert suppressed", extra=self._fields(alert) | {"reason": reason})
            return AlertResult(
                id=alert_id, alert=alert, status="suppressed", deliveries=skipped, reason=reason
            )
        pending = skipped | {name: "pending" for name in self._names()}
        alert_id = self._store(alert, alert.details, "unsent", pending)
        if not self.channels:
            say = log.debug if self.store_only else log.warning
            say("alert raised with no channel configured", extra=self._fields(alert))
            return AlertResult(id=alert_id, alert=alert, status="unsent", deliveries=skipped)
        deliveries = skipped | {c.name: self._deliver(c, alert) for c in self.channels}
        status: AlertStatus = "sent" if "sent" in deliveries.values() else "failed"
        self.store.record_delivery(alert_id, status=status, deliveries=deliveries)
        return AlertResult(id=alert_id, alert=alert, status=status, deliveries=deliveries)

    def _names(self) -> tuple[str, ...]:
        return tuple(channel.name for channel in self.channels)

    def _suppression(self, alert: AlertIn) -> tuple[Suppression | None, date | None]:
        """Why ``alert`` is suppressed (and, for a duplicate, when its key was last raised)."""
        if self.dedup_days > 0:
            since = alert.as_of - timedelta(days=self.dedup_days - 1)
            last = self.store.last_raised(alert.key, since=since, as_of=alert.as_of)
            if last is not None:
                return "duplicate", last
        if self.store.count_raised(as_of=alert.as_of) >= self.max_per_day:
            return "rate limit", None
        return None, None

    def _store(
        self, alert: AlertIn, details: dict[str, Any], status: str, deliveries: dict[str, str]
    ) -> int:
        return self.store.add(
            as_of=alert.as_of,
            kind=alert.kind,
            key=alert.key,
            severity=alert.severity,
            title=alert.title,
            body=alert.body,
            details=details,
            status=status,
            deliveries=deliveries,
        )

    def _deliver(self, channel: Channel, alert: AlertIn) -> str:
        """ "sent", or "failed: why" (logged); never raises."""
        try:
            channel.send(alert)
        except DeliveryError as err:
            log.warning(
                "alert delivery failed",
                extra=self._fields(alert) | {"channel": channel.name, "error": str(err)},
            )
            return f"failed: {err}"
        except Exception as err:  # a channel's bug must not stop the loop: recorded, traced
            log.exception(
                "alert channel raised", extra=self._fields(alert) | {"channel": channel.name}
            )
            return f"failed: {type(err).__name__}: {err}"
        log.info("alert sent", extra=self._fields(alert) | {"channel": channel.name})
        return "sent"

    @staticmethod
    def _fields(alert: AlertIn) -> dict[str, Any]:
        return {"alert_kind": alert.kind, "alert_key": alert.key, "as_of": alert.as_of.isoformat()}
