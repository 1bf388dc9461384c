"""``chainlit run ui/app.py`` gets the protections ``signaldesk ui`` installs (``ui.server``'s
``protect_on_import``): each case starts a fresh interpreter that loads ``ui/app.py`` the way
Chainlit's ``run`` command does (``load_module`` on the file, then ``ensure_jwt_secret``) and
drives Chainlit's server app with a TestClient (no lifespan, no network)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ui.auth import hash_password

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"
SECRET = "chainlit-run-secret-" + "y" * 40

_SCRIPT = r"""
import json, sys
import jwt
from chainlit.auth import ensure_jwt_secret
from chainlit.config import config, load_module

config.run.host = sys.argv[2]
config.run.module_name = sys.argv[1]
load_module(sys.argv[1])  # what `chainlit run ui/app.py` does before serving
ensure_jwt_secret()
from chainlit.server import app
from fastapi.testclient import TestClient

client = TestClient(app)
page = client.get("/")
guesses = [
    client.post("/login", data={"username": "ana", "password": f"guess {i}"}).status_code
    for i in range(6)
]
locked = client.post("/login", data={"username": "ana", "password": sys.argv[3]})
forged = jwt.encode(  # what Chainlit itself issues: no token id, not revocable
    {"identifier": "ana", "display_name": None, "metadata": {}, "exp": 2_000_000_000},
    sys.argv[4],
)
replayed = client.get("/user", headers={"Authorization": "Bearer " + forged})
print(json.dumps({
    "headers": {k: page.headers.get(k) for k in
                ("x-frame-options", "x-content-type-options", "content-security-policy")},
    "guesses": guesses,
    "locked": [locked.status_code, locked.json().get("detail")],
    "chainlit_token": replayed.status_code,
}))
"""


def _chainlit_run(tmp_path: Path, host: str = "127.0.0.1", **env: str) -> Any:
    environ = {
        k: v for k, v in os.environ.items() if not k.startswith(("SIGNALDESK_", "CHAINLIT_"))
    }
    environ.update(
        SIGNALDESK_HOME=str(tmp_path / "home"),
        SIGNALDESK_SOURCES="bundled",
        CHAINLIT_APP_ROOT=str(tmp_path),  # Chainlit writes its default .chainlit/ there
        **env,
    )
    return subprocess.run(
        [sys.executable, "-c", _SCRIPT, str(ROOT / "ui" / "app.py"), host, PASSWORD, SECRET],
        cwd=tmp_path,
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_chainlit_run_gets_headers_login_limits_and_token_checks(tmp_path: Path) -> None:
    users = f"ana:{hash_password(PASSWORD, salt=b'ana-salt-1234567')}"
    done = _chainlit_run(tmp_path, SIGNALDESK_UI_USERS=users, CHAINLIT_AUTH_SECRET=SECRET)
    assert done.returncode == 0, done.stderr[-3000:]
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got["headers"]["x-frame-options"] == "DENY"
    assert got["headers"]["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in got["headers"]["content-security-policy"]
    assert got["guesses"] == [401] * 6  # 5 free, the 6th counts and locks
    assert got["locked"][0] == 429  # even the right password waits
    assert got["locked"][1].startswith("too many failed logins: try again in ")
    assert got["chainlit_token"] == 401


@pytest.mark.parametrize(
    ("env", "host", "message"),
    [
        ({}, "0.0.0.0", "the web chat has no logins: refusing to listen on 0.0.0.0"),
        ({"CHAINLIT_AUTH_SECRET": "short"}, "127.0.0.1", "CHAINLIT_AUTH_SECRET is too short"),
    ],
)
def test_chainlit_run_refuses_with_one_line(
    tmp_path: Path, env: dict[str, str], host: str, message: str
) -> None:
    users = f"ana:{hash_password(PASSWORD, salt=b'ana-salt-1234567')}"
    extra = {"SIGNALDESK_UI_USERS": users} if "CHAINLIT_AUTH_SECRET" in env else {}
    done = _chainlit_run(tmp_path, host=host, **env, **extra)
    assert done.returncode == 4
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"SignalDesk chat not started: {message}")
