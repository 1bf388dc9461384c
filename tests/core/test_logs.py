from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.logs import configure_logging, current_run_id, run_scope
from core.settings import Settings


@pytest.fixture
def restore_root() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


def test_json_lines_carry_run_id_and_fields_and_mask_secrets(
    tmp_path: Path, restore_root: None
) -> None:
    settings = Settings(
        profile="prod", home=tmp_path, stooq_api_key="sekrit-token-123", log_level="INFO"
    )
    stream = io.StringIO()
    configure_logging(settings, stream=stream)
    with run_scope("run-abc") as run_id:
        assert current_run_id() == run_id == "run-abc"
        logging.getLogger("data.test").info(
            "fetched %s with key sekrit-token-123",
            "AAPL",
            extra={"rows": 250, "url": "x?k=sekrit-token-123"},
        )
    assert current_run_id() == "-"
    line = json.loads(stream.getvalue().strip().splitlines()[-1])
    assert line["run_id"] == "run-abc"
    assert line["level"] == "INFO" and line["logger"] == "data.test"
    assert line["rows"] == 250
    assert line["msg"] == "fetched AAPL with key **********"
    assert line["url"] == "x?k=**********"
    # the rotating file gets the same JSON line
    logged = (tmp_path / "logs" / "signaldesk.log").read_text().strip().splitlines()[-1]
    assert json.loads(logged)["msg"] == line["msg"]
    assert "sekrit" not in (tmp_path / "logs" / "signaldesk.log").read_text()


def test_console_format_is_readable_and_configure_is_idempotent(
    tmp_path: Path, restore_root: None
) -> None:
    settings = Settings(profile="dev", home=tmp_path, log_file=False)
    stream = io.StringIO()
    configure_logging(settings, stream=stream)
    configure_logging(settings, stream=stream)
    with run_scope("r1"):
        logging.getLogger("agent.x").warning("provider failed", extra={"provider": "yahoo"})
    lines = stream.getvalue().strip().splitlines()
    assert len(lines) == 1
    assert "WARNING [r1] agent.x: provider failed provider=yahoo" in lines[0]


def test_third_party_records_are_masked_too(tmp_path: Path, restore_root: None) -> None:
    settings = Settings(profile="prod", home=tmp_path, stooq_api_key="k3y-abcdef", log_file=False)
    stream = io.StringIO()
    configure_logging(settings, stream=stream)
    logging.getLogger("httpx").warning("HTTP Request: GET https://x/q?apikey=%s", "k3y-abcdef")
    logging.getLogger("httpx").info("dropped: below the httpx threshold k3y-abcdef")
    out = stream.getvalue()
    assert "apikey=**********" in out
    assert "k3y-abcdef" not in out and "dropped" not in out


def test_other_libraries_reach_the_console_at_warning_and_above_only(
    tmp_path: Path, restore_root: None
) -> None:
    settings = Settings(profile="dev", home=tmp_path, log_level="DEBUG")
    stream = io.StringIO()
    configure_logging(settings, stream=stream)
    noisy = logging.getLogger("chatty_library")
    noisy.setLevel(logging.DEBUG)  # as bm25s does to its own logger when imported
    noisy.debug("building index from tokens")
    noisy.warning("something is off")
    logging.getLogger("retrieval.test").debug("ours at debug")
    text = stream.getvalue()
    assert "building index" not in text
    assert "something is off" in text and "ours at debug" in text
