"""End to end in a real browser: ``signaldesk ui`` on a free local port, driven by Playwright
through Debian's Chromium. Logs in, sets the as-of date in the settings panel, asks, waits for
the signal card, opens a citation; uploads a filing and gets a cited answer from it; opens the
latest briefing's ticker and asks a follow-up on its thread. Screenshots go to a temporary
folder (printed), with the time to the first tool step, the first answer token and the full
answer. Skips with the reason where Playwright or Chromium is missing."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.cli.runner import EXE
from ui.auth import hash_password

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install -e '.[dev]')"
)
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).exists():
    pytest.skip("Chromium is not installed (apt-get install chromium)", allow_module_level=True)

AS_OF = "2013-02-28"
PASSWORD = "a long test passphrase"
BRIEFING_THREAD = "briefing-2013-02-28-IBM"
TEN_K = """UNITED STATES SECURITIES AND EXCHANGE COMMISSION

FORM 10-K

For the fiscal year ended December 31, 2012

INTERNATIONAL BUSINESS MACHINES CORPORATION

Item 1. Business
An invented description for a test; it describes no real company.

Item 1A. Risk Factors
Demand for the Zephyr mainframe line depends on a few utility customers in Patagonia; a delay
in their upgrade cycle would reduce hardware revenue.

Item 7. Management's Discussion and Analysis
Revenue grew modestly while margins improved on software mix.
"""
# Records, in the page, when each selector first matches an element, or the page's text first
# matches each pattern: ms after the question is sent.
_MARKS_JS = """([selectors, patterns]) => {
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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _seed_briefing(home: Path) -> None:
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


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 150
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"signaldesk ui exited {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    pytest.fail(f"signaldesk ui did not answer /healthz in time:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def chat_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChatServer]:
    root = tmp_path_factory.mktemp("chat")
    home = root / "home"
    _seed_briefing(home)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SIGNALDESK_", "CHAINLIT_"))}
    env |= {
        "SIGNALDESK_HOME": str(home),
        "SIGNALDESK_PROFILE": "test",
        "SIGNALDESK_SOURCES": "bundled",
        "SIGNALDESK_UI_USERS": f"ana:{hash_password(PASSWORD)}",
    }
    log = root / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [*EXE, "ui", "--port", str(port)], cwd=root, env=env, stdout=out, stderr=out
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc, log)
        shots = tmp_path_factory.mktemp("screenshots")
        print(f"\nweb chat screenshots: {shots}")
        yield ChatServer(url=url, home=home, log=log, shots=shots)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, chat_server: ChatServer) -> Iterator[Any]:
    """A logged-in page on a new chat with the as-of date set in the settings panel."""
    context = browser.new_context(viewport={"width": 1400, "height": 1100})
    page = context.new_page()
    page.set_default_timeout(60_000)
    _login(page, chat_server.url, PASSWORD)
    page.wait_for_selector("#chat-input")
    page.click("#chat-settings-open-modal")
    page.fill("#as_of", AS_OF)
    page.click("#confirm")
    page.get_by_text(f"Settings: as of {AS_OF}").wait_for()
    yield page
    context.close()


def _login(page: Any, url: str, password: str) -> None:
    page.goto(url)
    page.fill("#email", "ana")
    page.fill("#password", password)
    page.click("button[type=submit]")


def test_a_wrong_password_does_not_get_in(browser: Any, chat_server: ChatServer) -> None:
    context = browser.new_context()
    page = context.new_page()
    _login(page, chat_server.url, "not the password")
    page.get_by_role("alert").wait_for(timeout=30_000)
    assert page.locator("#chat-input").count() == 0 and "/login" in page.url
    context.close()


def _ask(
    page: Any,
    question: str,
    *,
    selectors: dict[str, str] | None = None,
    patterns: dict[str, str] | None = None,
) -> None:
    page.fill("#chat-input", question)
    if selectors or patterns:
        page.evaluate(_MARKS_JS, [selectors or {}, patterns or {}])
    page.click("#chat-submit")


def _shot(page: Any, server: ChatServer, name: str) -> None:
    page.wait_for_timeout(400)  # let the side panel finish sliding in
    page.screenshot(path=str(server.shots / f"{name}.png"))


def test_ask_signal_card_citation_and_timings(page: Any, chat_server: ChatServer) -> None:
    from agent.services import build_tool_context
    from core.settings import load_settings
    from tools.signal import signal_evidence

    ctx = build_tool_context(load_settings(sources=["bundled"]), as_of=dt.date(2013, 2, 28))
    expected = signal_evidence(ctx, "IBM")[0].values

    _ask(
        page,
        "Should I buy IBM?",
        selectors={
            "first_step": "#step-signal, #step-technicals, #step-risk",  # a tool call shown
            "charts": ".js-plotly-plot",  # the last part of the answer to arrive
        },
        patterns={
            "first_token": rf"IBM: [A-Z ]+ \(as of {AS_OF}\)",  # the answer's first line
            "answer_text": r"Research, not investment advice\.",  # its last line
        },
    )
    card = page.locator("[data-testid=signal-card]").last
    card.wait_for()
    assert card.locator("[data-testid=signal-action]").inner_text() == expected["action"]
    assert card.locator("[data-testid=signal-score]").inner_text() == f"{expected['score']:.3f}"
    assert "as of 2013-02-28" in card.inner_text()
    page.get_by_text("Research, not investment advice.").wait_for()
    page.wait_for_selector(".js-plotly-plot")
    page.wait_for_function("() => 'charts' in window.__signaldesk_marks")
    marks = page.evaluate("() => window.__signaldesk_marks")
    print(
        f"\nIBM signal question (offline planner): first tool step {marks['first_step']:.0f} ms, "
        f"first answer token {marks['first_token']:.0f} ms, answer text complete "
        f"{marks['answer_text']:.0f} ms, full answer with charts {marks['charts']:.0f} ms"
    )
    assert marks["first_step"] <= marks["first_token"] <= marks["answer_text"]
    assert marks["charts"] < 60_000

    for tool in ("signal", "technicals", "risk"):  # the tool calls, shown as steps
        assert page.get_by_text(f"Used {tool}").count() >= 1
    assert page.locator(".js-plotly-plot").count() >= 3  # price, score history, VaR
    _shot(page, chat_server, "1-signal-answer")

    citation = page.locator("a.element-link", has_text="E-risk-IBM-20130228").first
    citation.click()
    panel = page.get_by_text("risk · IBM · as of 2013-02-28").last
    panel.wait_for()
    assert page.get_by_text("Data window: 2011-03-04 to 2013-02-28 (500 bars)").count() >= 1
    _shot(page, chat_server, "2-citation-opened")
    card.scroll_into_view_if_needed()
    _shot(page, chat_server, "3-signal-card")


def test_upload_a_filing_then_get_a_cited_answer(
    page: Any, chat_server: ChatServer, tmp_path: Path
) -> None:
    filing = tmp_path / "ibm annual report.txt"
    filing.write_text(TEN_K, encoding="utf-8")
    with page.expect_response(
        lambda r: "/project/file" in r.url and r.request.method == "POST"
    ) as up:
        page.set_input_files("#upload-button-input", str(filing))
    assert up.value.ok  # sent with the message only once it is on the server
    page.fill("#chat-input", "IBM 10-K filed 2013-02-26")
    page.click("#chat-submit")
    indexed = page.get_by_text("Indexed IBM_10-K_2013-02-26_ibm_annual_report.txt")
    indexed.wait_for(timeout=120_000)  # the first upload loads the embedding model
    assert "sections Cover, Item 1, Item 1A, Item 7" in indexed.inner_text()
    _shot(page, chat_server, "4-upload-indexed")

    _ask(page, "What did IBM say about risk factors in its 10-K?")
    citation = page.locator("a.element-link", has_text="E-filing-IBM-20130228").first
    citation.wait_for()
    answer = page.locator("[id^=step-]", has_text="best-matching filing passages").last
    assert "Zephyr mainframe line" in answer.inner_text()
    citation.click()
    page.get_by_text("filing · IBM · as of 2013-02-28").last.wait_for()
    assert page.get_by_text("Filed / published: 2013-02-26").count() >= 1
    _shot(page, chat_server, "5-filing-citation")


def test_open_the_latest_briefing_ticker_and_follow_up(page: Any, chat_server: ChatServer) -> None:
    briefing = page.get_by_text("Latest briefing · as of 2013-02-28 · AAPL, IBM")
    briefing.wait_for()
    assert page.get_by_text("failed: no bars").count() == 1
    page.get_by_role("button", name="Open IBM").click()
    page.locator("[data-testid=signal-card]").last.wait_for()
    page.get_by_text("This chat continues IBM's briefing thread").wait_for()
    _ask(page, "and its VaR?")  # no ticker, no date: the briefing thread's
    page.get_by_text("IBM's 95% 1-day VaR is").last.wait_for()
    _shot(page, chat_server, "6-briefing-follow-up")
