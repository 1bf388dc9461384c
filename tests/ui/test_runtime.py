"""The chat's services: one agent per model choice on one checkpointer, and blocking
generators run in one worker thread while the event loop stays free."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path

import pytest

from core.settings import load_settings
from ui.runtime import Runtime, iterate_in_thread


def test_one_agent_per_model_choice(tmp_path: Path) -> None:
    rt = Runtime.open(
        load_settings(
            home=tmp_path / "home",
            sources=["bundled"],
            llm_base_url="http://127.0.0.1:9/v1",  # never called here
            llm_model="tiny",
            llm_api_key="sk-test",
        )
    )
    try:
        choices = rt.model_choices()
        assert list(choices) == ["endpoint", "offline"] and rt.default_model == "endpoint"
        assert choices["endpoint"] == "openai-compatible:tiny @ http://127.0.0.1:9/v1"
        assert choices["offline"].startswith("offline planner")
        assert rt.agent("offline").deps.model is None
        assert rt.agent("no-such-model") is rt.agent("offline")
        # both agents share the thread store
        assert rt.agent("endpoint").graph.checkpointer is rt.agent("offline").graph.checkpointer
        assert {"AAPL", "IBM", "MSFT"} <= rt.known_tickers
    finally:
        rt.close()


def test_iterate_in_thread_keeps_the_loop_free_and_one_thread() -> None:
    var: ContextVar[str] = ContextVar("var", default="unset")

    def produce() -> Iterator[tuple[str, str]]:
        var.set("set inside")  # thread-bound state survives between items
        for i in range(3):
            yield threading.current_thread().name, f"{var.get()} {i}"

    async def main() -> list[tuple[str, str]]:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0)

        beat = asyncio.create_task(ticker())
        got = [item async for item in iterate_in_thread(produce)]
        beat.cancel()
        assert ticks > 0  # the loop ran other work meanwhile
        return got

    got = asyncio.run(main())
    assert [v for _, v in got] == ["set inside 0", "set inside 1", "set inside 2"]
    threads = {name for name, _ in got}
    assert len(threads) == 1 and threading.main_thread().name not in threads


def test_iterate_in_thread_raises_the_generators_error() -> None:
    def produce() -> Iterator[int]:
        yield 1
        raise LookupError("no bars for XYZ")

    async def main() -> list[int]:
        seen = []
        with pytest.raises(LookupError, match="no bars for XYZ"):
            async for item in iterate_in_thread(produce):
                seen.append(item)
        return seen

    assert asyncio.run(main()) == [1]
