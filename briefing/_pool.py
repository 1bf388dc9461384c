"""Run one function per item on a few threads, each item with its own wall-clock limit.

An item that runs past the limit is reported as timed out and its slot goes to the next item;
its thread is a daemon left to finish on its own (Python cannot stop a thread), and whatever it
returns later is ignored. Exceptions are results too: one item failing never stops the others.
"""

from __future__ import annotations

import contextvars
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Generic, Literal, TypeVar

__all__ = ["Outcome", "run_each"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


@dataclass(frozen=True)
class Outcome(Generic[V]):
    kind: Literal["ok", "error", "timeout"]
    value: V | None = None
    error: BaseException | None = None
    seconds: float = 0.0


def run_each(
    items: Iterable[K],
    fn: Callable[[K], V],
    *,
    workers: int,
    timeout_s: float,
    on_done: Callable[[K, Outcome[V]], None] | None = None,
    poll_s: float = 0.05,
    clock: Callable[[], float] = time.monotonic,
) -> dict[K, Outcome[V]]:
    """``fn(item)`` for every item, at most ``workers`` at once; outcomes by item."""
    if workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    waiting: deque[K] = deque(dict.fromkeys(items))
    finished: queue.Queue[tuple[K, Outcome[V]]] = queue.Queue()
    active: dict[K, float] = {}
    outcomes: dict[K, Outcome[V]] = {}

    def work(item: K, started: float) -> None:
        try:
            value = fn(item)
        except Exception as err:  # reported as this item's outcome, never raised
            finished.put((item, Outcome("error", error=err, seconds=clock() - started)))
        else:
            finished.put((item, Outcome("ok", value=value, seconds=clock() - started)))

    def record(item: K, outcome: Outcome[V]) -> None:
        del active[item]
        outcomes[item] = outcome
        if on_done is not None:
            on_done(item, outcome)

    while waiting or active:
        while waiting and len(active) < workers:
            item = waiting.popleft()
            active[item] = clock()
            name = f"signaldesk-{item}"
            context = contextvars.copy_context()  # the run id and the current span go along
            threading.Thread(
                target=context.run, args=(work, item, active[item]), name=name, daemon=True
            ).start()
        try:
            item, outcome = finished.get(timeout=poll_s)
        except queue.Empty:
            pass
        else:
            if item in active:  # else it had timed out already
                record(item, outcome)
        now = clock()
        for item, started in list(active.items()):
            if now - started > timeout_s:
                record(item, Outcome("timeout", seconds=now - started))
    return outcomes
