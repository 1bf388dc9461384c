"""``signaldesk models``: the registered models per slot (tickers, horizon), which one is in use
(the slot's champion), and promotions and rollbacks made by hand.

The registry is the models folder of the settings (``SIGNALDESK_HOME/models``, where
``signaldesk train`` stores models); decisions go to its ``champions.jsonl``, stamped with the
time they are made (``quant.models.champions``). Their effective dates (``--as-of``):

- ``promote``: by default the model's own as-of date (the day its training data end), as if it
  had been registered a champion by ``train``: every forecast from that day on uses it, those
  at dates in offline data included. Give a later ``--as-of`` to keep, at the dates before it,
  the champion they had (what a replay of those dates saw).
- ``rollback``: by default the first day of the current champion's reign (from which it has
  been the champion at every date), so that the rollback undoes its promotion at every date;
  the slot returns to the champion before it.

When a database is configured (``SIGNALDESK_DATABASE_URL``, or the default SQLite database
already exists), each decision is also recorded there as a loop event (trigger ``manual``);
without one that is skipped.

Exit codes: 0 done; 1 decided, but the database could not record it (the decision stands);
2 bad input (unknown model or slot, a promotion before the model's data end, nothing to roll
back to, a malformed champion log, a bad date).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import typer
from rich.box import SIMPLE
from rich.table import Table

from cli._output import BadInputError, Exit, console, err_console, parse_date, print_json

if TYPE_CHECKING:
    from core.settings import Settings
    from data.store import NewLoopEvent
    from quant.models import ChampionEvent, ModelCard, ModelRegistry

__all__ = ["models_app"]

models_app = typer.Typer(
    help="Registered models per slot, the champion in use, promotions and rollbacks.",
    no_args_is_help=True,
)
JsonOpt = typer.Option(False, "--json", help="Machine-readable JSON")


@contextmanager
def _user_errors() -> Iterator[None]:
    """The model layer's errors as one line and exit 2: they name what to change."""
    from quant.models import ModelError

    try:
        yield
    except ModelError as err:
        raise BadInputError(str(err)) from None


def _registry(settings: Settings) -> ModelRegistry:
    from quant.models import ModelRegistry

    return ModelRegistry(settings.models_dir)


def _accuracy(value: float) -> float | None:
    return None if math.isnan(value) else value


def _version(card: ModelCard, champion: str | None) -> dict[str, Any]:
    overall = card.record.overall
    return {
        "model_id": card.model_id,
        "kind": card.kind,
        "as_of": card.as_of.isoformat(),
        "created_at": card.created_at.isoformat(),
        "accuracy": _accuracy(overall.accuracy),
        "baseline_accuracy": _accuracy(overall.baseline_accuracy),
        "verdict": card.record.verdict,
        "parent": card.parent,
        "challenger": card.challenger,
        "champion": card.model_id == champion,
    }


def _slots(registry: ModelRegistry, ticker: str | None, day: date | None) -> list[dict[str, Any]]:
    from quant.models import slot_of
    from quant.models.champions import champions_at, reign_start

    cards = [c for c in registry.list() if ticker is None or ticker in c.tickers]
    events = registry.history()
    reigning = champions_at(events, day)
    out = []
    for slot in sorted({slot_of(c) for c in cards}):
        event = reigning.get(slot)
        champion = event.model_id if event else None
        since = reign_start(events, slot, day)
        out.append(
            {
                "slot": slot,
                "champion": champion,
                "since": since.isoformat() if since else None,
                "versions": [_version(c, champion) for c in cards if slot_of(c) == slot],
                "history": [e.model_dump(mode="json") for e in events if e.slot == slot],
            }
        )
    return out


@models_app.command("list")
def list_cmd(
    ctx: typer.Context,
    ticker: str | None = typer.Option(None, "--ticker", help="Only the slots covering a ticker"),
    as_of: str | None = typer.Option(
        None, "--as-of", help="The champion at YYYY-MM-DD (default: after every decision)"
    ),
    as_json: bool = JsonOpt,
) -> None:
    """Per slot, the champion and every version: as-of date, creation time, kind, walk-forward
    accuracy vs the majority baseline, verdict, parent and whether it is a challenger.

    Example: signaldesk models list --ticker IBM

    Example: signaldesk models list --as-of 2013-01-31 --json
    """
    from data.bars import normalize_ticker

    settings: Settings = ctx.obj
    name = normalize_ticker(ticker) if ticker else None
    day = parse_date(as_of, name="--as-of")
    with _user_errors():
        slots = _slots(_registry(settings), name, day)
    if as_json:
        print_json({"models_dir": str(settings.models_dir), "as_of": day, "slots": slots})
        return
    if not slots:
        whose = f" for {name}" if name else ""
        console.print(
            f"no models registered{whose} in {settings.models_dir}: signaldesk train registers "
            "them",
            markup=False,
        )
        return
    for slot in slots:
        _print_slot(slot, day)


def _print_slot(slot: dict[str, Any], day: date | None) -> None:
    when = f" at {day}" if day else ""
    champion = slot["champion"] or "none"
    since = f" (since {slot['since']})" if slot["since"] else ""
    console.print(f"{slot['slot']}: champion{when} {champion}{since}", markup=False)
    table = Table(box=SIMPLE, padding=(0, 1), show_edge=False)
    table.add_column("")
    widest = max(len(v["model_id"]) for v in slot["versions"])
    table.add_column("model", min_width=widest, overflow="fold")  # copied into promote: whole
    for header in ("as of", "created", "kind", "acc", "base", "verdict"):
        table.add_column(header, no_wrap=header in ("as of", "created"))
    table.add_column("parent", min_width=10, overflow="fold")
    for v in slot["versions"]:
        mark = ("*" if v["champion"] else "") + ("c" if v["challenger"] else "")
        table.add_row(
            mark,
            v["model_id"],
            v["as_of"],
            v["created_at"][:16].replace("T", " "),
            v["kind"],
            _pct(v["accuracy"]),
            _pct(v["baseline_accuracy"]),
            v["verdict"],
            (v["parent"] or "-").removeprefix(f"{slot['slot']}-"),
        )
    console.print(table)
    console.print(
        "*: the champion (in use); c: registered as a challenger, in use once promoted; "
        "parent: the model it challenged (its id after the slot's name)",
        markup=False,
    )


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


@models_app.command("promote")
def promote_cmd(
    ctx: typer.Context,
    model_id: str = typer.Argument(..., help="The model to make its slot's champion"),
    reason: str = typer.Option("promoted by hand", "--reason", help="Why, for the record"),
    as_of: str | None = typer.Option(
        None,
        "--as-of",
        help="In use from YYYY-MM-DD (default: the model's as-of date, the day its data end)",
    ),
    as_json: bool = JsonOpt,
) -> None:
    """Make a model (a challenger, or an earlier version) the champion of its slot.

    Example: signaldesk models promote IBM-h5-20240101T000000Z-0123456789 --reason "beat h5"
    """
    settings: Settings = ctx.obj
    registry = _registry(settings)
    with _user_errors():
        card = registry.card(model_id)
        day = parse_date(as_of, name="--as-of") or card.as_of
        before = _champion_id(registry, card, day)
        event = registry.promote(model_id, as_of=day, at=datetime.now(UTC), reason=reason)
    _finish(settings, event, previous=before, as_json=as_json)


@models_app.command("rollback")
def rollback_cmd(
    ctx: typer.Context,
    slot: str = typer.Argument(..., help="The slot, e.g. IBM-h5 (signaldesk models list)"),
    reason: str = typer.Option("rolled back by hand", "--reason", help="Why, for the record"),
    as_of: str | None = typer.Option(
        None,
        "--as-of",
        help="From YYYY-MM-DD (default: the first day of the current champion's reign)",
    ),
    as_json: bool = JsonOpt,
) -> None:
    """Return a slot to the champion it had before its current one.

    Example: signaldesk models rollback IBM-h5 --reason "hit rate fell below 50%"
    """
    from quant.models import ChampionEvent

    settings: Settings = ctx.obj
    registry = _registry(settings)
    at = datetime.now(UTC)
    with _user_errors():
        day = parse_date(as_of, name="--as-of") or _reign_start(registry, slot)
        current = registry.champion(slot, as_of=day).model_id
        back = registry.rollback(slot, as_of=day, at=at, reason=reason)
    event = ChampionEvent(
        slot=slot, model_id=back.model_id, action="rollback", as_of=day, at=at, reason=reason
    )  # the line just logged
    _finish(settings, event, previous=current, as_json=as_json)


def _reign_start(registry: ModelRegistry, slot: str) -> date:
    """The day from which the current champion of ``slot`` has been its champion."""
    from quant.models import ModelNotFoundError
    from quant.models.champions import reign_start

    start = reign_start(registry.history(slot), slot, None)
    if start is None:
        raise ModelNotFoundError(f"no champion of {slot} (signaldesk models list shows the slots)")
    return start


def _champion_id(registry: ModelRegistry, card: ModelCard, day: date) -> str | None:
    from quant.models import ModelNotFoundError, slot_of

    try:
        return registry.champion(slot_of(card), as_of=day).model_id
    except ModelNotFoundError:  # the slot's first champion
        return None


def _loop_event(event: ChampionEvent, *, previous: str | None) -> NewLoopEvent:
    """The loop event recording ``event``: model_id the new champion, champion_id the one it
    replaced."""
    from data.store import NewLoopEvent

    promoted = event.action == "promote"
    return NewLoopEvent(
        as_of=event.as_of,
        kind=event.action,
        slot=event.slot,
        outcome="promoted" if promoted else "rolled_back",
        reason=event.reason,
        trigger="manual",
        model_id=event.model_id,
        champion_id=previous,
        details={"at": event.at.isoformat()},
    )


def _record(settings: Settings, event: NewLoopEvent) -> bool | str:
    """Add ``event`` to the configured database's loop events (migrated first): True when
    added, False when no database is configured, a warning when it could not be added."""
    from pathlib import Path

    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from data.errors import DataError
    from data.store import LoopEventStore, make_engine, upgrade

    url = make_url(settings.sqlalchemy_url)
    if url.get_backend_name() == "sqlite" and not (url.database and Path(url.database).is_file()):
        return False  # no database yet: none is created for this
    engine = None
    try:
        engine = make_engine(settings.sqlalchemy_url)
        upgrade(engine)
        LoopEventStore(engine).add(event)
    except (DataError, SQLAlchemyError) as err:
        lines = str(err).strip().splitlines() or [type(err).__name__]
        return f"not recorded in the database ({lines[0]}); the decision stands"
    finally:
        if engine is not None:
            engine.dispose()
    return True


def _finish(
    settings: Settings, event: ChampionEvent, *, previous: str | None, as_json: bool
) -> None:
    """Record ``event`` in the database (when configured) and print it."""
    recorded = _record(settings, _loop_event(event, previous=previous))
    if as_json:
        payload = event.model_dump(mode="json", exclude={"implicit"})
        print_json(payload | {"previous": previous, "recorded": recorded is True})
    else:
        verb = "promoted" if event.action == "promote" else "rolled back to"
        was = f" (was {previous})" if previous else ""
        console.print(
            f"{event.slot}: {verb} {event.model_id} from {event.as_of}{was}", markup=False
        )
    if isinstance(recorded, str):
        err_console.print(f"warning: {recorded}", markup=False)
        raise typer.Exit(Exit.CHECK_FAILED)
