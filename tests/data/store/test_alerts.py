"""``AlertStore``: alerts appended, their delivery written, read point in time (SQLite and
PostgreSQL)."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
from sqlalchemy.engine import Engine

from data.store import AlertStore

DAY = date(2013, 2, 25)


def _add(store: AlertStore, **changes) -> int:
    values = dict(
        as_of=DAY,
        kind="drift",
        key="drift:model:m1",
        severity="warning",
        title="m1 drifted",
        body="3 features drifted",
        details={"score": 0.31},
        status="unsent",
        deliveries={"webhook": "skipped", "email": "skipped"},
    )
    return store.add(**(values | changes))  # type: ignore[arg-type]


def test_alerts_are_read_oldest_first_in_their_window(engine: Engine):
    store = AlertStore(engine)
    late = _add(store, as_of=DAY + timedelta(days=2), kind="accuracy", key="accuracy:IBM-h5")
    first = _add(store)
    second = _add(store, status="suppressed")
    assert (first, second) == (late + 1, late + 2)

    frame = store.alerts(as_of=DAY + timedelta(days=2))
    assert list(frame["id"]) == [first, second, late]
    assert list(frame["status"]) == ["unsent", "suppressed", "unsent"]
    assert frame.loc[0, "details"] == {"score": 0.31}
    assert frame.loc[0, "deliveries"] == {"webhook": "skipped", "email": "skipped"}
    assert pd.api.types.is_datetime64_dtype(frame["as_of"])
    assert list(store.alerts(as_of=DAY)["id"]) == [first, second]  # the later one: not yet
    assert list(store.alerts(as_of=DAY + timedelta(days=9), kind="accuracy")["id"]) == [late]
    assert store.alerts(as_of=DAY + timedelta(days=9), since=DAY + timedelta(days=3)).empty


def test_a_delivery_is_written_on_its_alert(engine: Engine):
    store = AlertStore(engine)
    alert_id = _add(store, deliveries={"webhook": "pending", "email": "skipped"})
    store.record_delivery(alert_id, status="failed", deliveries={"webhook": "failed: HTTP 500"})
    row = store.alerts(as_of=DAY).iloc[0]
    assert (row["status"], row["deliveries"]) == ("failed", {"webhook": "failed: HTTP 500"})
    with pytest.raises(LookupError, match="no alert with id 999"):
        store.record_delivery(999, status="sent", deliveries={})
    with pytest.raises(ValueError, match="status must be one of sent, failed, unsent"):
        store.record_delivery(alert_id, status="suppressed", deliveries={})


def test_raised_means_not_suppressed_and_is_read_as_of_a_date(engine: Engine):
    store = AlertStore(engine)
    key = "drift:model:m1"
    _add(store, status="suppressed")
    assert store.last_raised(key, since=DAY - timedelta(days=6), as_of=DAY) is None
    assert store.count_raised(as_of=DAY) == 0

    for status, offset in (("sent", -3), ("failed", 0), ("unsent", 0)):
        _add(store, status=status, as_of=DAY + timedelta(days=offset))
    _add(store, status="sent", as_of=DAY + timedelta(days=5))  # after DAY: unseen on DAY
    _add(store, status="sent", key="other")

    assert store.last_raised(key, since=DAY - timedelta(days=6), as_of=DAY) == DAY
    assert store.last_raised(key, since=DAY - timedelta(days=6), as_of=DAY - timedelta(days=1)) == (
        DAY - timedelta(days=3)
    )
    assert (
        store.last_raised(key, since=DAY + timedelta(days=1), as_of=DAY + timedelta(days=4)) is None
    )
    assert store.count_raised(as_of=DAY) == 3  # failed, unsent, and the other key's sent
    assert store.count_raised(as_of=DAY - timedelta(days=3)) == 1


def test_invalid_rows_are_refused(engine: Engine):
    store = AlertStore(engine)
    with pytest.raises(ValueError, match="status must be one of"):
        _add(store, status="delivered")
    with pytest.raises(ValueError, match="severity must be one of"):
        _add(store, severity="info")
    with pytest.raises(ValueError, match="de-duplication key"):
        _add(store, key="")
    assert store.alerts(as_of=DAY).empty
