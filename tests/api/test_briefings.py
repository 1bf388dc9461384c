"""Briefings over HTTP: a run started as a job, followed to its stored briefing, which the
latest and by-id routes then serve; jobs belong to the key that started them."""

from __future__ import annotations

import datetime as dt
import time

import sqlalchemy as sa

from api.jobs import JobStore
from data.store import ApiJob, utc_now
from tests.api.conftest import Api


def _wait(api: Api, url: str, headers: dict[str, str], *, limit_s: float = 120.0) -> dict:
    deadline = time.monotonic() + limit_s
    while True:
        job = api.client.get(url, headers=headers).json()
        if job["state"] in ("done", "failed"):
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.2)


def test_a_numbers_only_briefing_runs_as_a_job_then_is_served(api: Api) -> None:
    headers = api.headers("read", "briefing")
    none = api.client.get("/v1/briefings/latest?watchlist=AAPL,IBM", headers=headers)
    assert none.status_code == 404 and "POST /v1/briefings" in none.json()["error"]["message"]
    started = api.client.post(
        "/v1/briefings",
        json={"watchlist": "AAPL,IBM", "as_of": "2012-06-29", "explain": False},
        headers=headers,
    )
    assert started.status_code == 202, started.text
    job = _wait(api, started.json()["url"], headers)
    assert job["state"] == "done", job
    assert (job["done"], job["total"]) == (2, 2) and job["result"]["covered"] == 2
    briefing_id = job["result"]["briefing_id"]
    latest = api.client.get("/v1/briefings/latest?watchlist=ibm,aapl", headers=headers).json()
    assert latest["id"] == briefing_id
    report = latest["briefing"]
    assert report["as_of"] == "2012-06-29" and sorted(report["watchlist"]) == ["AAPL", "IBM"]
    assert api.client.get(f"/v1/briefings/{briefing_id}", headers=headers).json() == latest
    assert api.client.get("/v1/briefings/999", headers=headers).status_code == 404


def test_a_job_is_its_keys_own_and_bad_runs_are_refused(api: Api) -> None:
    mine, theirs = api.headers("read", "briefing"), api.headers("read")
    refused = api.client.post("/v1/briefings", json={"watchlist": "AAPL"}, headers=theirs)
    assert refused.status_code == 403
    for body, code in (
        ({"watchlist": "AAPL:x"}, "invalid_watchlist"),
        ({"watchlist": "AAPL", "as_of": "2999-01-01"}, "bad_request"),
        ({"watchlist": ""}, "invalid_request"),
    ):
        got = api.client.post("/v1/briefings", json=body, headers=mine)
        assert got.json()["error"]["code"] == code, (body, got.text)
    started = api.client.post(
        "/v1/briefings",
        json={"watchlist": "ZZZZ", "as_of": "2012-06-29", "explain": False},
        headers=mine,
    ).json()
    assert api.client.get(started["url"], headers=theirs).status_code == 404
    job = _wait(api, started["url"], mine)
    assert job["state"] in ("done", "failed")
    if job["state"] == "done":  # an unknown ticker is reported in the briefing, not a crash
        assert job["result"]["covered"] == 0


def test_jobs_no_process_runs_any_more_are_marked_failed(api: Api) -> None:
    store = JobStore(api.services.engine)
    job_id = store.create("briefing", key_id="k")
    store.update(job_id, state="running")
    assert store.abandon_stalled() == 0  # still fresh: maybe another worker runs it
    with api.services.engine.begin() as conn:
        hour_ago = utc_now() - dt.timedelta(hours=1)
        conn.execute(sa.update(ApiJob.__table__).values(updated_at=hour_ago))
    assert store.abandon_stalled() == 1
    found = store.get(job_id)
    assert found is not None and found.state == "failed" and "stopped" in (found.error or "")
