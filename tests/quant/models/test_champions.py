"""Champions per slot (quant/models/champions.py through ``ModelRegistry``): registered models
are champions as before, a challenger only once promoted, a promotion or rollback only from its
as-of date, rollbacks return to the champion before, and the log stays whole and checked."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Literal

import pytest

from quant.models import (
    ChampionError,
    LookAheadError,
    ModelCard,
    ModelNotFoundError,
    ModelRegistry,
    RegistryCorruptError,
    slot_of,
)
from quant.models.champions import (
    CHAMPIONS,
    ChampionEvent,
    ChampionLog,
    reign_start,
    succession,
)
from tests.processes import run_together
from tests.quant.models._cards import save_card
from tests.quant.models._trained import Trained

SLOT = "AAPL+MSFT-h5"


def _at(day: date) -> datetime:
    """A deterministic decision time: 18:00 UTC on ``day``."""
    return datetime(day.year, day.month, day.day, 18, tzinfo=UTC)


def _three(registry: ModelRegistry, trained: Trained) -> tuple[ModelCard, ModelCard, ModelCard]:
    """a (data to 2011-12-30) and b (to 2012-06-29), registered; c (to 2012-12-31), a
    challenger of b."""
    a = save_card(registry, trained, as_of=date(2011, 12, 30), created=_at(date(2012, 1, 2)))
    b = save_card(registry, trained, as_of=date(2012, 6, 29), created=_at(date(2012, 7, 2)))
    c = save_card(
        registry,
        trained,
        as_of=date(2012, 12, 31),
        created=_at(date(2013, 1, 2)),
        challenger=True,
        parent=b.model_id,
    )
    return a, b, c


def test_without_challengers_or_log_the_champion_is_the_newest(
    trained: Trained, tmp_path: Path
) -> None:
    registry = ModelRegistry(tmp_path)
    a = save_card(registry, trained, as_of=date(2011, 12, 30), created=_at(date(2012, 1, 2)))
    b = save_card(registry, trained, as_of=date(2012, 6, 29), created=_at(date(2012, 7, 2)))
    msft = save_card(
        registry, trained, as_of=date(2012, 12, 31), created=_at(date(2013, 1, 2)),
        tickers=("MSFT",),
    )  # fmt: skip
    assert registry.slots() == [SLOT, "MSFT-h5"] and slot_of(msft) == "MSFT-h5"
    assert registry.champion(SLOT) == b and registry.champion(SLOT, as_of=date(2012, 6, 28)) == a
    with pytest.raises(ModelNotFoundError, match="no champion of AAPL\\+MSFT-h5 at 2011-12-29"):
        registry.champion(SLOT, as_of=date(2011, 12, 29))
    assert registry.latest("AAPL", 5) == b
    assert registry.latest("MSFT", 5) == msft  # of two slots, the champion that came last
    assert registry.latest("MSFT", 5, as_of=date(2012, 12, 30)) == b
    assert registry.champions(as_of=date(2012, 7, 1)) == {SLOT: b}
    assert registry.champions() == {SLOT: b, "MSFT-h5": msft}
    history = registry.history(SLOT)
    assert [(e.model_id, e.action, e.implicit) for e in history] == [
        (a.model_id, "promote", True),
        (b.model_id, "promote", True),
    ]
    assert (history[1].as_of, history[1].at) == (b.as_of, b.created_at)
    assert not (tmp_path / CHAMPIONS).exists()  # reading writes nothing


def test_a_challenger_is_in_use_only_from_its_promotion(trained: Trained, tmp_path: Path) -> None:
    registry = ModelRegistry(tmp_path)
    a, b, c = _three(registry, trained)
    assert (c.parent, c.challenger, b.parent, b.challenger) == (b.model_id, True, None, False)
    assert registry.latest("AAPL", 5) == b and registry.champion(SLOT) == b
    event = registry.promote(
        c.model_id, as_of=date(2013, 1, 31), at=_at(date(2013, 1, 31)), reason="beat b"
    )
    assert (event.model_id, event.action, event.implicit) == (c.model_id, "promote", False)
    assert registry.latest("AAPL", 5, as_of=date(2013, 1, 30)) == b  # decided later: unseen
    assert registry.latest("AAPL", 5, as_of=date(2013, 1, 31)) == c
    assert registry.latest("MSFT", 5) == c and registry.champion(SLOT) == c
    lines = (tmp_path / CHAMPIONS).read_text().splitlines()
    assert [json.loads(line) for line in lines] == [
        {
            "slot": SLOT,
            "model_id": c.model_id,
            "action": "promote",
            "as_of": "2013-01-31",
            "at": "2013-01-31T18:00:00Z",
            "reason": "beat b",
        }
    ]
    assert [(e.model_id, e.implicit) for e in registry.history(SLOT)] == [
        (a.model_id, True),
        (b.model_id, True),
        (c.model_id, False),
    ]


def test_promotions_that_cannot_be(trained: Trained, tmp_path: Path) -> None:
    registry = ModelRegistry(tmp_path)
    a, b, c = _three(registry, trained)
    day = date(2013, 1, 31)
    with pytest.raises(LookAheadError, match="trained on data up to 2012-12-31"):
        registry.promote(c.model_id, as_of=date(2012, 12, 28), at=_at(day), reason="early")
    with pytest.raises(ChampionError, match="already the champion"):
        registry.promote(b.model_id, as_of=day, at=_at(day), reason="again")
    with pytest.raises(ModelNotFoundError):
        registry.promote("AAPL-h5-20130102T180000Z-0123456789", as_of=day, at=_at(day), reason="")
    with pytest.raises(ValueError, match="timezone"):
        registry.promote(c.model_id, as_of=day, at=datetime(2013, 1, 31), reason="naive")
    assert not (tmp_path / CHAMPIONS).read_text()  # nothing logged
    registry.promote(c.model_id, as_of=day, at=_at(day), reason="beat b")
    with pytest.raises(ChampionError, match="decide at a later time"):  # outranked everywhere
        registry.promote(a.model_id, as_of=date(2013, 2, 28), at=_at(date(2013, 1, 15)), reason="")
    assert len((tmp_path / CHAMPIONS).read_text().splitlines()) == 1
    with pytest.raises(ModelNotFoundError):
        registry.save(
            trained.model, training=trained.training, record=trained.record,
            created_at=_at(date(2013, 2, 1)), challenger=True, parent="IBM-h5-nope",
        )  # fmt: skip


def test_rollback_returns_to_the_champion_before(trained: Trained, tmp_path: Path) -> None:
    registry = ModelRegistry(tmp_path)
    a, b, c = _three(registry, trained)
    registry.promote(c.model_id, as_of=date(2013, 1, 31), at=_at(date(2013, 1, 31)), reason="")
    back = registry.rollback(
        SLOT, as_of=date(2013, 2, 28), at=_at(date(2013, 2, 28)), reason="hit rate fell"
    )
    assert back == b
    assert registry.latest("AAPL", 5, as_of=date(2013, 2, 27)) == c
    assert registry.latest("AAPL", 5, as_of=date(2013, 2, 28)) == b == registry.champion(SLOT)
    again = registry.rollback(SLOT, as_of=date(2013, 3, 28), at=_at(date(2013, 3, 28)), reason="")
    assert again == a and registry.champion(SLOT) == a
    with pytest.raises(ChampionError, match="is its first champion"):
        registry.rollback(SLOT, as_of=date(2013, 4, 30), at=_at(date(2013, 4, 30)), reason="")
    with pytest.raises(ModelNotFoundError, match="no champion of IBM-h5"):
        registry.rollback("IBM-h5", as_of=date(2013, 4, 30), at=_at(date(2013, 4, 30)), reason="")
    assert [(e.action, e.model_id) for e in registry.history(SLOT)] == [
        ("promote", a.model_id),
        ("promote", b.model_id),
        ("promote", c.model_id),
        ("rollback", b.model_id),
        ("rollback", a.model_id),
    ]
    assert [json.loads(x)["action"] for x in (tmp_path / CHAMPIONS).read_text().splitlines()] == [
        "promote",
        "rollback",
        "rollback",
    ]


def test_champions_at_t_need_only_the_decisions_effective_by_t(
    trained: Trained, tmp_path: Path
) -> None:
    """Look-ahead: the champion at t from the whole log equals the champion at t from the log
    cut at t (only its lines effective by t), for every t."""
    full = ModelRegistry(tmp_path / "full")
    _, _, c = _three(full, trained)
    full.promote(c.model_id, as_of=date(2013, 1, 31), at=_at(date(2013, 1, 31)), reason="")
    full.rollback(SLOT, as_of=date(2013, 2, 28), at=_at(date(2013, 2, 28)), reason="")
    lines = (full.root / CHAMPIONS).read_text().splitlines(keepends=True)
    for day in (date(2012, 6, 29), date(2013, 1, 30), date(2013, 1, 31), date(2013, 3, 1)):
        cut = ModelRegistry(tmp_path / f"cut-{day}")
        shutil.copytree(full.root, cut.root)
        kept = [x for x in lines if date.fromisoformat(json.loads(x)["as_of"]) <= day]
        (cut.root / CHAMPIONS).write_text("".join(kept))
        assert cut.champions(as_of=day) == full.champions(as_of=day)
        assert cut.latest("AAPL", 5, as_of=day) == full.latest("AAPL", 5, as_of=day)


def _event(
    model_id: str, action: Literal["promote", "rollback"] = "promote", *, day: date
) -> ChampionEvent:
    return ChampionEvent(
        slot="X-h5", model_id=model_id, action=action, as_of=day, at=_at(day), reason=""
    )


def test_succession_stacks_promotions_and_unstacks_rollbacks() -> None:
    d = date(2013, 1, 1)
    events = [_event("a", day=d), _event("b", day=d), _event("b", day=d), _event("c", day=d)]
    assert succession(events, "X-h5", d) == ["a", "b", "c"]
    assert succession([*events, _event("b", "rollback", day=d)], "X-h5", d) == ["a", "b"]
    assert succession([*events, _event("a", "rollback", day=d)], "X-h5", d) == ["a"]
    assert succession([*events, _event("z", "rollback", day=d)], "X-h5", d) == ["z"]
    assert succession(events, "X-h5", date(2012, 12, 31)) == []


def test_a_reign_starts_where_the_champion_last_changed(trained: Trained, tmp_path: Path) -> None:
    registry = ModelRegistry(tmp_path)
    _, b, c = _three(registry, trained)
    assert reign_start(registry.history(), SLOT, None) == b.as_of
    registry.promote(c.model_id, as_of=date(2013, 1, 31), at=_at(date(2013, 1, 31)), reason="")
    assert reign_start(registry.history(), SLOT, None) == date(2013, 1, 31)
    assert reign_start(registry.history(), SLOT, date(2013, 1, 30)) == b.as_of
    registry.rollback(SLOT, as_of=date(2013, 1, 31), at=_at(date(2013, 2, 1)), reason="undo")
    assert reign_start(registry.history(), SLOT, None) == b.as_of  # c undone at every date
    assert reign_start(registry.history(), SLOT, date(2011, 12, 29)) is None


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", ":2: malformed champion event: not a JSON line"),
        ('{"slot": "AAPL+MSFT-h5"}', ":2: malformed champion event: expected an object of"),
        ("[]", ":2: malformed champion event: expected an object of"),
        ("promote", ":2: malformed champion event: not a JSON line"),
    ],
)
def test_a_malformed_line_is_named(
    trained: Trained, tmp_path: Path, line: str, message: str
) -> None:
    registry = ModelRegistry(tmp_path)
    _, _, c = _three(registry, trained)
    registry.promote(c.model_id, as_of=date(2013, 1, 31), at=_at(date(2013, 1, 31)), reason="")
    log = tmp_path / CHAMPIONS
    with log.open("a") as handle:
        handle.write(line + "\n")
    before = log.read_bytes()
    with pytest.raises(RegistryCorruptError, match=message):
        registry.latest("AAPL", 5)
    with pytest.raises(RegistryCorruptError, match=message):  # and nothing is appended to it
        registry.rollback(SLOT, as_of=date(2013, 2, 28), at=_at(date(2013, 2, 28)), reason="")
    assert log.read_bytes() == before


def test_lines_that_do_not_fit_the_registry_are_named(trained: Trained, tmp_path: Path) -> None:
    registry = ModelRegistry(tmp_path)
    _, b, c = _three(registry, trained)
    log = tmp_path / CHAMPIONS
    good = ChampionEvent(
        slot=SLOT, model_id=c.model_id, action="promote", as_of=date(2013, 1, 31),
        at=_at(date(2013, 1, 31)), reason="",
    )  # fmt: skip
    fields = json.loads(good.line())
    cases = {
        "incomplete line": good.line(),  # a torn write: no newline
        "which is not registered": good.line().replace(c.model_id, "AAPL-h5-gone") + "\n",
        "not IBM-h5": json.dumps(fields | {"slot": "IBM-h5"}) + "\n",
        "action": json.dumps(fields | {"action": "demote"}) + "\n",
        "at: Input should have timezone info": json.dumps(fields | {"at": "2013-01-31T18:00"})
        + "\n",
    }
    for message, text in cases.items():
        log.write_text(text)
        with pytest.raises(RegistryCorruptError, match=f"{CHAMPIONS}:1: .*{message}"):
            registry.champion(SLOT)
    log.write_text(good.line() + "\n")
    assert registry.champion(SLOT) == c and b.model_id != c.model_id


WRITER = """
import os, sys, time
from datetime import UTC, date, datetime
from pathlib import Path
from quant.models.champions import ChampionEvent, ChampionLog
path, count, go = Path(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
while not go.exists():
    time.sleep(0.01)
me = os.getpid()
for i in range(count):
    ChampionLog(path).append(lambda logged, i=i: ChampionEvent(
        slot="AAPL-h5", model_id=f"m{me}-{i}", action="promote", as_of=date(2013, 1, 2),
        at=datetime(2013, 1, 2, tzinfo=UTC), reason=f"{len(logged)}:" + "x" * 20000))
"""


def test_concurrent_appends_keep_every_line_whole(tmp_path: Path) -> None:
    """Six processes append 20 events each (20 kB lines, larger than one pipe buffer), each
    numbered by the lines it saw: every line parses, and no two saw the same log."""
    path = tmp_path / "registry" / CHAMPIONS
    assert run_together(WRITER, [str(path), "20"], tmp_path / "go", n=6) == []
    events = ChampionLog(path).read()
    assert len(events) == 120
    assert sorted(int(e.reason.split(":")[0]) for e in events) == list(range(120))
    by_writer: dict[str, list[int]] = {}
    for e in events:
        writer, i = e.model_id.rsplit("-", 1)
        by_writer.setdefault(writer, []).append(int(i))
    assert sorted(by_writer.values()) == [list(range(20))] * 6
