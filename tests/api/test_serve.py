"""``signaldesk serve`` as its user runs it: keys from the CLI, one real server process on a
loopback port, and the curl flow of the README (token, then a signal)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import httpx
import pytest

from tests._servers import free_port, stop, wait_answering
from tests.cli.runner import EXE, run


def test_keys_create_list_revoke() -> None:
    made = run("serve", "keys", "create", "research-bot", "--scope", "read", "--scope", "ask")
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip()
    assert key.startswith("sdk_") and "not shown again" in made.stderr
    key_id = key.split("_")[1]
    listed = json.loads(run("serve", "keys", "list", "--json").stdout)
    assert [(k["id"], k["name"], k["scopes"], k["state"]) for k in listed] == [
        (key_id, "research-bot", ["read", "ask"], "live")
    ]
    assert key not in run("serve", "keys", "list").stdout  # only the hash is kept
    assert run("serve", "keys", "revoke", key_id).returncode == 0
    assert json.loads(run("serve", "keys", "list", "--json").stdout)[0]["state"] == "revoked"
    missing = run("serve", "keys", "revoke", "nope")
    assert missing.returncode == 2 and "no API key 'nope'" in missing.stderr
    bad = run("serve", "keys", "create", "x", "--scope", "write")
    assert bad.returncode == 2 and bad.stderr.strip() == (
        "error: unknown scope 'write': use read, ask, briefing, admin"
    )


def test_prod_will_not_serve_without_a_signing_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIGNALDESK_PROFILE", "prod")
    got = run("serve", "--port", str(free_port()))
    assert got.returncode == 4
    assert got.stderr.startswith("error: the prod profile needs SIGNALDESK_API_SECRETS")
    monkeypatch.setenv("SIGNALDESK_API_SECRETS", "short")
    assert "too short" in run("serve", "--port", str(free_port())).stderr


@pytest.mark.slow
def test_a_real_server_answers_the_readmes_curl_flow(tmp_path: Path) -> None:
    key = run("serve", "keys", "create", "curl", "--scope", "read").stdout.strip()
    port = free_port()
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [*EXE, "serve", "--host", "127.0.0.1", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_answering(f"{base}/healthz", server, log, what="signaldesk serve", timeout_s=60)
        token = httpx.post(f"{base}/v1/token", data={"client_secret": key}).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        signal = httpx.get(f"{base}/v1/signal/AAPL?as_of=2012-06-29", headers=headers, timeout=30)
        assert signal.status_code == 200 and signal.json()["tickers"] == ["AAPL"]
        docs = httpx.get(f"{base}/docs")
        assert docs.status_code == 200 and "swagger" in docs.text.lower()
        spec = httpx.get(f"{base}/openapi.json").json()
        assert {"/v1/signal/{ticker}", "/v1/signals", "/v1/ask", "/v1/token"} <= set(spec["paths"])
    finally:
        stop(server)
