"""``signaldesk models list|promote|rollback`` in this process (tests/cli/runner.py), on cards
of a small model saved in the test's home: the champion per slot, promotions from the model's
as-of date by default, rollbacks to the champion before, one-line errors, and loop events in
the database only when one exists."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from data.store import LoopEventStore, make_engine
from quant.models import ModelCard, ModelRegistry
from quant.models.champions import CHAMPIONS
from tests.cli.runner import run
from tests.quant.models._cards import save_card, trained_small
from tests.quant.models._trained import Trained

SLOT = "AAPL+MSFT-h5"


@pytest.fixture(scope="module")
def trained() -> Trained:
    return trained_small()


@pytest.fixture
def cards(trained: Trained, tmp_path: Path) -> dict[str, ModelCard]:
    """In the test's home: a and b registered in AAPL+MSFT-h5, c a challenger of b there, m
    in MSFT-h5."""
    registry = ModelRegistry(tmp_path / "home" / "models")

    def at(day: date) -> datetime:
        return datetime(day.year, day.month, day.day, 18, tzinfo=UTC)

    a = save_card(registry, trained, as_of=date(2011, 12, 30), created=at(date(2012, 1, 2)))
    b = save_card(registry, trained, as_of=date(2012, 6, 29), created=at(date(2012, 7, 2)))
    c = save_card(
        registry, trained, as_of=date(2012, 12, 31), created=at(date(2013, 1, 2)),
        challenger=True, parent=b.model_id,
    )  # fmt: skip
    m = save_card(
        registry, trained, as_of=date(2012, 12, 31), created=at(date(2013, 1, 3)),
        tickers=("MSFT",),
    )  # fmt: skip
    return {"a": a, "b": b, "c": c, "m": m}


def _json(*args: str) -> dict[str, Any]:
    out = run("models", *args, "--json")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def _champions(**options: str) -> dict[str, str | None]:
    args = [item for name, value in options.items() for item in (f"--{name}", value)]
    return {s["slot"]: s["champion"] for s in _json("list", *args)["slots"]}


def test_list_shows_the_champion_and_every_version(cards: dict[str, ModelCard]) -> None:
    a, b, c, m = cards["a"], cards["b"], cards["c"], cards["m"]
    slots = _json("list")["slots"]
    assert [(s["slot"], s["champion"], s["since"]) for s in slots] == [
        (SLOT, b.model_id, "2012-06-29"),
        ("MSFT-h5", m.model_id, "2012-12-31"),
    ]
    versions = slots[0]["versions"]
    assert [v["model_id"] for v in versions] == [a.model_id, b.model_id, c.model_id]
    assert [(v["champion"], v["challenger"], v["parent"]) for v in versions] == [
        (False, False, None),
        (True, False, None),
        (False, True, b.model_id),
    ]
    accuracy = c.record.overall.accuracy
    assert versions[2]["accuracy"] == pytest.approx(accuracy)
    assert versions[2]["baseline_accuracy"] == pytest.approx(c.record.overall.baseline_accuracy)
    assert versions[2] | {"accuracy": 0, "baseline_accuracy": 0} == {
        "model_id": c.model_id, "kind": "XGBSignClassifier", "as_of": "2012-12-31",
        "created_at": "2013-01-02T18:00:00+00:00", "accuracy": 0, "baseline_accuracy": 0,
        "verdict": c.record.verdict, "parent": b.model_id, "challenger": True,
        "champion": False,
    }  # fmt: skip
    assert [e["implicit"] for e in slots[0]["history"]] == [True, True]
    assert _champions(**{"as-of": "2012-01-31"}) == {SLOT: a.model_id, "MSFT-h5": None}
    assert _champions(ticker="msft") == {SLOT: b.model_id, "MSFT-h5": m.model_id}
    assert _champions(ticker="IBM") == {}
    text = run("models", "list", "--ticker", "AAPL")
    assert text.returncode == 0, text.stderr
    assert f"{SLOT}: champion {b.model_id} (since 2012-06-29)" in text.stdout
    assert "\nMSFT-h5" not in text.stdout and f"{accuracy:.1%}" in text.stdout


def test_list_without_models() -> None:
    out = run("models", "list")
    assert out.returncode == 0 and "no models registered" in out.stdout


def test_promote_then_roll_back_twice(cards: dict[str, ModelCard], tmp_path: Path) -> None:
    a, b, c = cards["a"], cards["b"], cards["c"]
    promoted = _json("promote", c.model_id, "--reason", "beat b")
    assert promoted | {"at": None} == {
        "slot": SLOT,
        "model_id": c.model_id,
        "action": "promote",
        "as_of": "2012-12-31",
        "at": None,
        "reason": "beat b",
        "previous": b.model_id,
        "recorded": False,
    }  # fmt: skip  (from the model's as-of date by default; no database: not recorded)
    assert _champions()[SLOT] == c.model_id
    assert _champions(**{"as-of": "2012-12-30"})[SLOT] == b.model_id
    back = _json("rollback", SLOT, "--reason", "hit rate fell")
    assert (back["model_id"], back["previous"], back["as_of"]) == (
        b.model_id,
        c.model_id,
        "2012-12-31",
    )
    assert _champions(**{"as-of": "2012-12-31"})[SLOT] == b.model_id  # undone at every date
    text = run("models", "rollback", SLOT)
    assert text.returncode == 0, text.stderr
    assert (
        text.stdout.strip()
        == f"{SLOT}: rolled back to {a.model_id} from 2012-06-29 (was {b.model_id})"
    )
    lines = (tmp_path / "home" / "models" / CHAMPIONS).read_text().splitlines()
    assert [json.loads(x)["action"] for x in lines] == ["promote", "rollback", "rollback"]
    assert not (tmp_path / "home" / "signaldesk.db").exists()  # no database created for it


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["promote", "c", "--as-of", "2012-12-28"], "trained on data up to 2012-12-31"),
        (["promote", "b"], "is already the champion of AAPL+MSFT-h5 at 2012-06-29"),
        (["promote", "IBM-h5-20130102T180000Z-0123456789"], "no model 'IBM-h5-"),
        (["promote", "c", "--as-of", "31/01/2013"], "--as-of '31/01/2013' is not a date"),
        (["rollback", "IBM-h5"], "no champion of IBM-h5"),
        (["rollback", "MSFT-h5"], "is its first champion"),
    ],
)
def test_bad_requests_print_one_line(
    cards: dict[str, ModelCard], args: list[str], message: str
) -> None:
    args = [cards[x].model_id if x in cards else x for x in args]
    out = run("models", *args)
    assert out.returncode == 2, out.stderr
    assert out.stderr.startswith("error: ") and message in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1 and out.stdout == ""


def test_a_malformed_log_is_named(cards: dict[str, ModelCard], tmp_path: Path) -> None:
    (tmp_path / "home" / "models" / CHAMPIONS).write_text('{"slot": "IBM-h5"}\n')
    for args in (["list"], ["rollback", SLOT], ["promote", cards["c"].model_id]):
        out = run("models", *args)
        assert out.returncode == 2 and f"{CHAMPIONS}:1: malformed champion event" in out.stderr


def test_decisions_are_loop_events_when_a_database_exists(
    cards: dict[str, ModelCard], tmp_path: Path
) -> None:
    assert run("db", "upgrade").returncode == 0
    b, c = cards["b"], cards["c"]
    assert _json("promote", c.model_id, "--as-of", "2013-01-31")["recorded"] is True
    assert _json("rollback", SLOT)["recorded"] is True
    engine = make_engine(f"sqlite:///{tmp_path / 'home' / 'signaldesk.db'}")
    try:
        events = LoopEventStore(engine).events(as_of=date(2013, 12, 31))
    finally:
        engine.dispose()
    rows = events.drop(columns=["details"]).to_dict(orient="records")
    keys = ("kind", "slot", "trigger", "outcome", "model_id", "champion_id")
    assert [{k: r[k] for k in keys} for r in rows] == [
        {"kind": "promote", "slot": SLOT, "trigger": "manual", "outcome": "promoted",
         "model_id": c.model_id, "champion_id": b.model_id},
        {"kind": "rollback", "slot": SLOT, "trigger": "manual", "outcome": "rolled_back",
         "model_id": b.model_id, "champion_id": c.model_id},
    ]  # fmt: skip
    assert [r["as_of"].date() for r in rows] == [date(2013, 1, 31)] * 2
    assert set(events["details"][0]) == {"at"}
