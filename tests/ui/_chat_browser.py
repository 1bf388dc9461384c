"""The browser tests' harness (``tests/ui/test_browser.py``): ``signaldesk ui`` on a free local
port, with password users or without any, a stored briefing seeded; logging in; and marks of
when parts of an answer first appear in the page. No Playwright import here: the tests hand
their pages in."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests._servers import free_port, stop, wait_answering
from tests.cli.runner import EXE

AS_OF = "2013-02-28"
PASSWORD = "a long test passphrase"
BRIEFING_THREAD = "briefing-2013-02-28-IBM"
# Records, in the page, when each selector first matches an element, or the page's text first
# matches each pattern: ms after the marks are set (just before the question is sent).
MARKS_JS = """([selectors, patterns]) => {
  const t0 = performance.now();
  const marks = {};
  window.__signaldesk_marks = marks;
  const check = () => {
    const now = performance.now() - t0;
    for (const [name, selector] of Object.entries(selectors)) {
      if (!(name in marks) && document.querySelector(selector)) marks[name] = now;
    }
    const text = document.getElementById('root').innerText;
    for (const [name, pattern] of Object.entries(patterns)) {
      if (!(name in marks) && new RegExp(pattern).test(text)) marks[name] = now;
    }
  };
  new MutationObserver(check).observe(document.body,
    {subtree: true, childList: true, characterData: true});
}"""


@dataclass(frozen=True)
class ChatServer:
    url: str
    home: Path
    log: Path
    shots: Path


def seed_briefing(home: Path) -> None:
    """A stored briefing whose IBM explanation is an agent thread (what the briefing writes)."""
    import sqlalchemy as sa

    from agent.runner import open_agent
    from core.settings import load_settings
    from data.store import Briefing, make_engine, upgrade

    settings = load_settings(home=home, sources=["bundled"])
    with open_agent(settings, model=None) as agent:
        signal = agent.ask(
            "Should I buy IBM?", as_of=dt.date(2013, 2, 28), thread_id=BRIEFING_THREAD
        ).answer.signal
    assert signal is not None
    ibm = {
        "ticker": "IBM",
        "status": "ok",
        "action": signal.action.value,
        "score": signal.score,
        "thread_id": BRIEFING_THREAD,
        "error": None,
    }
    aapl = {
        "ticker": "AAPL",
        "status": "failed",
        "action": None,
        "score": None,
        "thread_id": None,
        "error": "no bars",
    }
    engine = make_engine(settings.sqlalchemy_url)
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(
            sa.insert(Briefing.__table__).values(
                watchlist_key="AAPL,IBM",
                as_of=dt.date(2013, 2, 28),
                created_at=dt.datetime(2013, 3, 1, 7, tzinfo=dt.UTC),
                payload={"as_of": AS_OF, "watchlist": ["AAPL", "IBM"], "tickers": [aapl, ibm]},
            )
        )
    engine.dispose()


@contextmanager
def serve(root: Path, *, users: str | None, shots: Path) -> Iterator[ChatServer]:
    """``signaldesk ui`` on loopback with its home in ``root/home`` and the password users
    ``users`` (``name:HASH,...``; None: no logins), until the block ends."""
    home = root / "home"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SIGNALDESK_", "CHAINLIT_"))}
    env |= {"SIGNALDESK_HOME": str(home), "SIGNALDESK_PROFILE": "test"}
    env |= {"SIGNALDESK_SOURCES": "bundled"} | ({"SIGNALDESK_UI_USERS": users} if users else {})
    log = root / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [*EXE, "ui", "--port", str(port)], cwd=root, env=env, stdout=out, stderr=out
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_answering(f"{url}/healthz", proc, log, what="signaldesk ui", timeout_s=150)
        yield ChatServer(url=url, home=home, log=log, shots=shots)
    finally:
        stop(proc)


def login(page: Any, url: str, password: str) -> None:
    page.goto(url)
    page.fill("#email", "ana")
    page.fill("#password", password)
    page.click("button[type=submit]")


def shot(page: Any, server: ChatServer, name: str) -> None:
    page.wait_for_timeout(400)  # let the side panel finish sliding in
    page.screenshot(path=str(server.shots / f"{name}.png"))
