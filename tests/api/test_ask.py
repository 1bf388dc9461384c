"""``POST /v1/ask``: the agent's verified answer as ``ask --json`` prints it, streamed as
Server-Sent Events on request, in threads that belong to the key that started them."""

from __future__ import annotations

import json

from tests.api.conftest import Api


def _events(text: str) -> list[tuple[str, dict]]:
    found = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        found.append((lines["event"], json.loads(lines["data"])))
    return found


def test_ask_answers_as_of_the_date_given(api: Api) -> None:
    got = api.client.post(
        "/v1/ask",
        json={"question": "What is IBM's RSI?", "as_of": "2012-06-29"},
        headers=api.headers("ask"),
    )
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["answer"]["as_of"] == "2012-06-29" and body["answer"]["tickers"] == ["IBM"]
    assert "RSI" in body["answer"]["reasons"][0]["text"]
    assert body["verification"]["ok"] and [s["name"] for s in body["steps"]] == ["technicals"]


def test_the_stream_sends_steps_then_the_answer(api: Api) -> None:
    got = api.client.post(
        "/v1/ask",
        json={"question": "Should I buy MSFT?", "as_of": "2012-06-29", "stream": True},
        headers=api.headers("ask"),
    )
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/event-stream")
    events = _events(got.text)
    names = [name for name, _ in events]
    assert names[-1] == "answer" and set(names[:-1]) == {"step"} and len(names) >= 2
    answer = events[-1][1]
    assert answer["answer"]["tickers"] == ["MSFT"] and answer["answer"]["signal"]["action"]
    assert {e[1]["name"] for e in events[:-1]} == {s["name"] for s in answer["steps"]}


def test_a_thread_goes_on_for_its_key_and_no_other(api: Api) -> None:
    mine, theirs = api.headers("ask"), api.headers("ask")
    first = api.client.post(
        "/v1/ask",
        json={"question": "What is IBM's RSI?", "as_of": "2012-06-29", "thread": "t1"},
        headers=mine,
    ).json()
    assert first["thread_id"] == "t1"
    follow = {"question": "And its MACD?", "as_of": "2012-06-29", "thread": "t1"}
    again = api.client.post("/v1/ask", json=follow, headers=mine).json()
    assert again["answer"]["tickers"] == ["IBM"]  # the thread remembered the ticker
    stranger = api.client.post("/v1/ask", json=follow, headers=theirs).json()
    assert stranger["answer"]["tickers"] != ["IBM"]  # another key's "t1" is another thread


def test_bad_asks_are_refused_before_the_agent_runs(api: Api) -> None:
    headers = api.headers("ask")
    for body, code in (
        ({"question": ""}, "invalid_request"),
        ({"question": "x" * 5000}, "invalid_request"),
        ({"question": "RSI of IBM?", "thread": "../etc"}, "invalid_request"),
        ({"question": "RSI of IBM?", "as_of": "2999-01-01"}, "bad_request"),
    ):
        got = api.client.post("/v1/ask", json=body, headers=headers)
        assert got.status_code in (400, 422) and got.json()["error"]["code"] == code, body
