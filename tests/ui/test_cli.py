"""``signaldesk ui`` and ``signaldesk ui hash-password`` as a user runs them (hash-password in a
real process, its password piped to stdin; the rest in this process, tests/cli/runner.py)."""

from __future__ import annotations

import socket

from tests.cli.runner import EXE, run
from ui.auth import hash_password, parse_users, verify_password


def test_hash_password_prints_a_login_line() -> None:
    import subprocess

    done = subprocess.run(
        [*EXE, "ui", "hash-password", "ana"],
        input="tr0ub4dor\ntr0ub4dor\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    line = done.stdout.strip()
    assert "\n" not in line and "Password" not in done.stdout  # prompts went to stderr
    users = parse_users(line)
    assert list(users) == ["ana"] and verify_password("tr0ub4dor", users["ana"])


def test_an_open_chat_is_refused_in_prod() -> None:
    done = run("ui", env_extra={"SIGNALDESK_PROFILE": "prod"})
    assert done.returncode == 4
    assert done.stderr.strip().splitlines()[-1] == (  # above it: prod's JSON log line
        "error: the web chat has no logins and the profile is prod: set SIGNALDESK_UI_USERS "
        "(see signaldesk ui hash-password) or SIGNALDESK_UI_HEADER_AUTH"
    )


def test_a_busy_port_is_one_clear_line() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = run(
            "ui",
            "--port",
            str(port),
            env_extra={"SIGNALDESK_UI_USERS": f"ana:{hash_password('pw')}"},
        )
    assert done.returncode == 4
    assert done.stderr.strip() == f"error: cannot listen on 127.0.0.1:{port}: the address is in use"


def test_a_short_signing_secret_is_one_clear_line() -> None:
    users = f"ana:{hash_password('pw')}"
    done = run("ui", env_extra={"SIGNALDESK_UI_USERS": users, "SIGNALDESK_UI_AUTH_SECRET": "x"})
    assert done.returncode == 4
    assert done.stderr.strip() == (
        "error: SIGNALDESK_UI_AUTH_SECRET is too short (1 characters): at least 32 are needed "
        "(python -c 'import secrets; print(secrets.token_urlsafe(48))')"
    )


def test_an_empty_secret_file_is_one_clear_line() -> None:
    import os
    from pathlib import Path

    secret = Path(os.environ["SIGNALDESK_HOME"]) / "ui" / ".auth_secret"
    secret.parent.mkdir(parents=True, exist_ok=True)
    secret.write_text("\n")
    done = run("ui", env_extra={"SIGNALDESK_UI_USERS": f"ana:{hash_password('pw')}"})
    assert done.returncode == 4
    assert done.stderr.strip() == (
        f"error: the login secret {secret} is empty: delete it to have a new one generated "
        "(everybody logs in again), or set SIGNALDESK_UI_AUTH_SECRET"
    )


def test_proxy_header_logins_off_loopback_need_a_trusted_proxy() -> None:
    done = run(
        "ui", "--host", "0.0.0.0", env_extra={"SIGNALDESK_UI_HEADER_AUTH": "X-Forwarded-User"}
    )
    assert done.returncode == 4
    assert done.stderr.strip() == (
        "error: proxy header logins (SIGNALDESK_UI_HEADER_AUTH) on 0.0.0.0: set "
        "SIGNALDESK_UI_TRUSTED_PROXIES to the proxy's address, or anyone could send the header"
    )
