"""Champions: which registered model is in use per slot, point in time.

A slot is the (tickers, horizon) a model covers, named ``IBM-h5`` or ``AAPL+MSFT-h5``
(``slot_of``). Its champion at ``as_of`` follows from two kinds of ``ChampionEvent``:

- implicit: a registered model that is not a challenger is promoted by being registered,
  effective from its card's ``as_of``, ordered by its ``created_at``;
- explicit: the lines of ``<registry>/champions.jsonl`` (``ChampionLog``), appended by
  ``ModelRegistry.promote`` and ``rollback``, effective from the event's ``as_of``, ordered by
  its ``at`` (when it was decided).

All events in order form the ``timeline`` (at the same stamp: implicit ones first, by model id,
then explicit ones in log order). Among a slot's events effective on ``as_of`` (all of them
when it is None) the last one names the champion (``reigning``). With no challenger and no
log, that is the newest model trained by ``as_of``, as ``ModelRegistry.latest`` always gave.

A rollback names the model it returns to: the champion before the current one, as the
``succession`` of champions effective on its ``as_of`` says (a promotion stacks a champion, a
rollback takes the top one off).

The log is append-only: one JSON object per line, ``{slot, model_id, action, as_of, at,
reason}``, written under an exclusive ``flock`` with flush and fsync, so that processes
appending at once never interleave; a line that is not such an object (a torn write, an edit)
raises ``RegistryCorruptError`` naming it.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Literal, Protocol

from pydantic import AwareDatetime, BaseModel, ConfigDict, ValidationError

from quant.models.errors import (
    ChampionError,
    LookAheadError,
    ModelNotFoundError,
    RegistryCorruptError,
)

__all__ = [
    "CHAMPIONS",
    "ChampionEvent",
    "ChampionLog",
    "champions_at",
    "check_log",
    "promotion",
    "reign_start",
    "reigning",
    "rollback_event",
    "slot_name",
    "slot_of",
    "succession",
    "timeline",
]

CHAMPIONS = "champions.jsonl"
Action = Literal["promote", "rollback"]
_LINE_FIELDS = frozenset({"slot", "model_id", "action", "as_of", "at", "reason"})


class _Card(Protocol):
    """What the champion rules read of a ``ModelCard``."""

    @property
    def model_id(self) -> str: ...
    @property
    def tickers(self) -> tuple[str, ...]: ...
    @property
    def horizon(self) -> int: ...
    @property
    def as_of(self) -> date: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def challenger(self) -> bool: ...


class ChampionEvent(BaseModel):
    """One change of a slot's champion to ``model_id``, effective from ``as_of``, decided at
    ``at``. implicit: True for a model promoted by being registered (not a line of the log;
    ``at`` is its ``created_at``, ``reason`` says so), False for a line of the log."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    slot: str
    model_id: str
    action: Action
    as_of: date
    at: AwareDatetime
    reason: str
    implicit: bool = False

    def line(self) -> str:
        """The event as one line of the log (no newline)."""
        return self.model_dump_json(exclude={"implicit"})


def slot_name(tickers: Sequence[str], horizon: int) -> str:
    """The slot of models on ``tickers`` at ``horizon``: every ticker, joined with ``+``."""
    return f"{'+'.join(tickers)}-h{horizon}"


def slot_of(card: _Card) -> str:
    """The slot ``card``'s model competes in, e.g. ``IBM-h5``."""
    return slot_name(card.tickers, card.horizon)


def implicit_event(card: _Card) -> ChampionEvent:
    """The promotion a non-challenger model gets by being registered."""
    return ChampionEvent(
        slot=slot_of(card),
        model_id=card.model_id,
        action="promote",
        as_of=card.as_of,
        at=card.created_at,
        reason="registered (not a challenger)",
        implicit=True,
    )


def timeline(cards: Iterable[_Card], logged: Sequence[ChampionEvent]) -> list[ChampionEvent]:
    """Every event of every slot, implicit and logged, in order (module doc)."""
    keyed = [
        ((c.created_at, 0, c.model_id, 0), implicit_event(c)) for c in cards if not c.challenger
    ]
    keyed += [((e.at, 1, "", i), e) for i, e in enumerate(logged)]
    return [event for _, event in sorted(keyed, key=lambda pair: pair[0])]


def _effective(
    events: Sequence[ChampionEvent], slot: str | None, as_of: date | None
) -> Iterable[ChampionEvent]:
    return (
        e
        for e in events
        if (slot is None or e.slot == slot) and (as_of is None or e.as_of <= as_of)
    )


def reigning(
    events: Sequence[ChampionEvent], slots: str | Iterable[str], as_of: date | None
) -> ChampionEvent | None:
    """The event that made the champion of ``slots`` (one, or several: of the one whose
    champion came last) at ``as_of``; None when none is effective. ``events``: a timeline."""
    wanted = {slots} if isinstance(slots, str) else set(slots)
    last = None
    for event in _effective(events, None, as_of):
        if event.slot in wanted:
            last = event
    return last


def champions_at(events: Sequence[ChampionEvent], as_of: date | None) -> dict[str, ChampionEvent]:
    """Per slot with a champion at ``as_of``, the event that made it (``events``: a timeline)."""
    return {e.slot: e for e in _effective(events, None, as_of)}  # the last of each slot stays


def reign_start(events: Sequence[ChampionEvent], slot: str, as_of: date | None) -> date | None:
    """The first day from which ``slot``'s champion at ``as_of`` is its champion at every date
    up to ``as_of`` (a promotion undone at every date does not break a reign); None when it has
    no champion then. ``events``: a timeline."""
    current = reigning(events, slot, as_of)
    if current is None:
        return None
    start = current.as_of
    for day in sorted({e.as_of for e in _effective(events, slot, as_of)}, reverse=True):
        champion = reigning(events, slot, day)
        if champion is None or champion.model_id != current.model_id:
            break
        start = day
    return start


def succession(events: Sequence[ChampionEvent], slot: str, as_of: date | None) -> list[str]:
    """The champions of ``slot`` effective at ``as_of``, the current one last, each above the
    one it replaced: a promotion stacks its model (unless it is already on top), a rollback
    takes the top one off and returns to its model (alone, if it was not below)."""
    line: list[str] = []
    for event in _effective(events, slot, as_of):
        if event.action == "rollback":
            line = line[:-1]
            while line and line[-1] != event.model_id:
                line.pop()
            line = line or [event.model_id]
        elif not line or line[-1] != event.model_id:
            line.append(event.model_id)
    return line


def promotion(
    events: Sequence[ChampionEvent], card: _Card, *, as_of: date, at: datetime, reason: str
) -> ChampionEvent:
    """The event promoting ``card``'s model from ``as_of``, given the timeline ``events``.
    ``LookAheadError`` when it was trained on data after ``as_of``; ``ChampionError`` when it
    is the champion at ``as_of`` already or the event would be outranked (``_takes_effect``)."""
    if card.as_of > as_of:
        raise LookAheadError(
            f"{card.model_id} was trained on data up to {card.as_of}: it cannot be the "
            f"champion from {as_of}"
        )
    slot = slot_of(card)
    current = reigning(events, slot, as_of)
    if current is not None and current.model_id == card.model_id:
        raise ChampionError(f"{card.model_id} is already the champion of {slot} at {as_of}")
    event = ChampionEvent(
        slot=slot, model_id=card.model_id, action="promote", as_of=as_of, at=at, reason=reason
    )
    return _takes_effect(events, event)


def rollback_event(
    events: Sequence[ChampionEvent], slot: str, *, as_of: date, at: datetime, reason: str
) -> ChampionEvent:
    """The event returning ``slot`` from ``as_of`` to the champion before its champion then
    (``succession``), given the timeline ``events``. ``ModelNotFoundError`` when the slot has
    no champion at ``as_of``; ``ChampionError`` when it had none before, or the event would be
    outranked (``_takes_effect``)."""
    line = succession(events, slot, as_of)
    if not line:
        raise ModelNotFoundError(f"no champion of {slot} at {as_of} to roll back")
    if len(line) < 2:
        raise ChampionError(f"cannot roll {slot} back at {as_of}: {line[0]} is its first champion")
    event = ChampionEvent(
        slot=slot, model_id=line[-2], action="rollback", as_of=as_of, at=at, reason=reason
    )
    return _takes_effect(events, event)


def _takes_effect(events: Sequence[ChampionEvent], event: ChampionEvent) -> ChampionEvent:
    """``event``, once checked that appended to the log it makes the champion at its
    ``as_of``; ``ChampionError`` when an event of its slot effective by then was decided
    after it (that one would win at every date, and this one change nothing)."""
    for other in _effective(events, event.slot, event.as_of):
        if other.at > event.at:
            raise ChampionError(
                f"{event.slot}: {other.model_id} became champion from {other.as_of} by a "
                f"decision at {other.at}, after this one ({event.at}); decide at a later time"
            )
    return event


def check_log(logged: Sequence[ChampionEvent], cards: Mapping[str, _Card], path: Path) -> None:
    """``RegistryCorruptError`` naming the first line of the log whose model is not
    registered or is not a model of the line's slot."""
    for number, event in enumerate(logged, start=1):
        card = cards.get(event.model_id)
        if card is None:
            raise RegistryCorruptError(
                f"{path}:{number}: names model {event.model_id!r}, which is not registered"
            )
        if slot_of(card) != event.slot:
            raise RegistryCorruptError(
                f"{path}:{number}: model {event.model_id} is in slot {slot_of(card)}, "
                f"not {event.slot}"
            )


class ChampionLog:
    """The explicit champion events of a registry, in ``path`` (created on the first append)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> list[ChampionEvent]:
        """The logged events, in log order (none when there is no log)."""
        try:
            with self.path.open("rb") as handle:
                fcntl.flock(handle, fcntl.LOCK_SH)  # not while a line is being written
                data = handle.read()
        except FileNotFoundError:
            return []
        return _parse(data, self.path)

    def append(self, decide: Callable[[list[ChampionEvent]], ChampionEvent]) -> ChampionEvent:
        """Append the event ``decide`` makes of the events logged so far, the log locked
        meanwhile (a decision made on the log as it is: no other writer gets in between), and
        return it; nothing is written when ``decide`` raises."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            handle.seek(0)
            event = decide(_parse(handle.read(), self.path))
            if event.implicit:
                raise ValueError("an implicit event is not logged")
            handle.write((event.line() + "\n").encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        return event


def _parse(data: bytes, path: Path) -> list[ChampionEvent]:
    if not data:
        return []
    lines = data.split(b"\n")
    if lines[-1]:
        raise RegistryCorruptError(f"{path}:{len(lines)}: incomplete line (no newline at the end)")
    return [_event(raw, path, number) for number, raw in enumerate(lines[:-1], start=1)]


def _event(raw: bytes, path: Path, number: int) -> ChampionEvent:
    def corrupt(reason: str) -> RegistryCorruptError:
        return RegistryCorruptError(f"{path}:{number}: malformed champion event: {reason}")

    try:
        fields = json.loads(raw.decode("utf-8"))
    except ValueError as err:  # not UTF-8, not JSON
        raise corrupt(f"not a JSON line ({err})") from None
    if not isinstance(fields, dict) or set(fields) != _LINE_FIELDS:
        raise corrupt(f"expected an object of {', '.join(sorted(_LINE_FIELDS))}")
    try:
        return ChampionEvent.model_validate(fields)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise corrupt(f"{where}: {first['msg']}") from None
