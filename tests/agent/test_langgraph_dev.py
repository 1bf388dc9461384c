"""A real round trip through ``langgraph dev``: the repository's ``langgraph.json`` served on
127.0.0.1 by the installed CLI (in-memory runtime, no reload, no browser, no version check, no
tracing), on an offline test home, and asked over HTTP with ``langgraph_sdk`` the way a user
of the client contract would (``test_langgraph_json.py`` checks the contract in process).

One server serves the whole module. Skips when ``langgraph-cli[inmem]`` is not installed."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests._servers import free_port, stop, wait_answering

pytest.importorskip("langgraph_cli", reason="langgraph-cli is not installed")
pytest.importorskip("langgraph_api", reason="langgraph-cli[inmem] (langgraph-api) is not installed")
sdk = pytest.importorskip("langgraph_sdk", reason="langgraph-sdk is not installed")

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 90
# inherited variables that could point the server or the agent elsewhere (keys, endpoints, tracing)
_FOREIGN = ("SIGNALDESK_", "LANGSMITH_", "LANGCHAIN_", "LANGGRAPH_", "OPENAI_")


def _spec_in(root: Path) -> Path:
    """The repository's ``langgraph.json`` with its paths made absolute, written under ``root``
    with an empty env file: the server runs in ``root`` and never reads the checkout's ``.env``."""
    spec = json.loads((ROOT / "langgraph.json").read_text())
    spec["dependencies"] = [str((ROOT / dep).resolve()) for dep in spec["dependencies"]]
    spec["graphs"] = {name: str(ROOT / ref) for name, ref in spec["graphs"].items()}
    (root / ".env").write_text("")
    spec["env"] = str(root / ".env")
    path = root / "langgraph.json"
    path.write_text(json.dumps(spec))
    return path


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("langgraph-dev")
    config = _spec_in(root)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(_FOREIGN)}
    env |= {
        "SIGNALDESK_HOME": str(root / "home"),
        "SIGNALDESK_PROFILE": "test",
        "SIGNALDESK_SOURCES": "bundled",
        "LANGGRAPH_NO_VERSION_CHECK": "true",  # no PyPI look-up at start
        "LANGSMITH_TRACING": "false",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
    }
    command = [
        *(sys.executable, "-c", "from langgraph_cli.cli import cli; cli()"),
        *("dev", "--no-browser", "--no-reload", "--host", "127.0.0.1", "--port", str(port)),
        *("--config", str(config)),
    ]
    log = root / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(command, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_answering(f"{url}/ok", proc, log, what="langgraph dev", timeout_s=START_TIMEOUT_S)
        yield url
    finally:
        stop(proc)


def _answer(values: Any) -> dict[str, Any]:  # noqa: ANN401 - runs.wait's JSON
    assert isinstance(values, dict) and values.get("answer"), values
    return values["answer"]


def test_a_thread_run_answers_the_question_as_of_the_input_date(server: str) -> None:
    client = sdk.get_sync_client(url=server)
    thread = client.threads.create()
    question = {"question": "What is AAPL's RSI?", "as_of": "2012-06-29"}
    answer = _answer(client.runs.wait(thread["thread_id"], "signaldesk", input=question))
    assert answer["as_of"] == "2012-06-29" and answer["tickers"] == ["AAPL"]
    rsi = re.match(r"AAPL's RSI\(14\) is (\d+\.\d) on 2012-06-29 ", answer["markdown"])
    assert rsi and 0 < float(rsi.group(1)) < 100, answer["markdown"]
    # Studio's chat on the same thread: a message, the date from the configuration
    chat = {"messages": [{"role": "user", "content": "and MSFT's RSI?"}]}
    config = {"configurable": {"as_of": "2011-06-30"}}
    then = _answer(client.runs.wait(thread["thread_id"], "signaldesk", input=chat, config=config))
    assert then["as_of"] == "2011-06-30" and then["markdown"].startswith("MSFT's RSI(14) is ")


def test_a_bad_input_date_is_declined_over_http(server: str) -> None:
    client = sdk.get_sync_client(url=server)
    question = {"question": "What is AAPL's RSI?", "as_of": "2012-13-45"}
    answer = _answer(client.runs.wait(None, "signaldesk", input=question))
    assert answer["refused"]
    assert answer["markdown"].startswith("I can't answer as of '2012-13-45': that is not a date")


def test_the_assistant_schemas_show_question_and_as_of(server: str) -> None:
    client = sdk.get_sync_client(url=server)
    (assistant,) = client.assistants.search(graph_id="signaldesk")
    schemas = client.assistants.get_schemas(assistant["assistant_id"])
    assert {"question", "as_of", "messages"} <= set(schemas["input_schema"]["properties"])
    for schema in (schemas["context_schema"], schemas["config_schema"]):
        assert {"type": "string", "format": "date"} in schema["properties"]["as_of"]["anyOf"]
