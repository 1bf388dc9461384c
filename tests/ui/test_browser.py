"""End to end in a real browser: ``signaldesk ui`` on a free local port, driven by Playwright
through Debian's Chromium (harness: ``tests/ui/_chat_browser.py``).

With a password user and a stored briefing: the login page names a user name and says a wrong
password in words; the starters stay on screen under the briefing and the settings message;
a starter asks, the signal card is drawn above the answer's text, the tool steps read as text,
and the time to the first tool step, the answer's text and the charts is printed (and saved in
``timings.json`` beside the screenshots; measured, not asserted); a citation opens on click
only, alone, under its own title, and nothing opens after an answer or a reload; an uploaded
filing is indexed and cited; the latest briefing's ticker opens and takes a follow-up. Without
logins: the chat says that history is off. Screenshots go to a temporary folder (printed).
Skips with the reason where Playwright or Chromium is missing."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.ui._chat_browser import (
    AS_OF,
    MARKS_JS,
    PASSWORD,
    ChatServer,
    login,
    seed_briefing,
    serve,
    shot,
)
from ui.auth import hash_password

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install -e '.[dev]')"
)
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).exists():
    pytest.skip("Chromium is not installed (apt-get install chromium)", allow_module_level=True)

_CITATION = "[data-testid=citation-link]"
_PANEL = "#side-view-content [data-testid=citation-panel]"
_STARTERS = [
    "Should I buy IBM?",
    "AAPL's 99% VaR",
    "Compare momentum",
    "Backtest MSFT",
    "Risk factors in a 10-K",
    "Scan my watchlist",
]
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


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("screenshots")
    print(f"\nweb chat screenshots: {folder}")
    return folder


@pytest.fixture(scope="module")
def chat_server(tmp_path_factory: pytest.TempPathFactory, shots: Path) -> Iterator[ChatServer]:
    """The chat with one password user (ana) and a stored briefing."""
    root = tmp_path_factory.mktemp("chat")
    seed_briefing(root / "home")
    with serve(root, users=f"ana:{hash_password(PASSWORD)}", shots=shots) as server:
        yield server


@pytest.fixture(scope="module")
def open_chat_server(tmp_path_factory: pytest.TempPathFactory, shots: Path) -> Iterator[ChatServer]:
    """The chat without logins (loopback only)."""
    with serve(tmp_path_factory.mktemp("open-chat"), users=None, shots=shots) as server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()


def _new_page(browser: Any) -> tuple[Any, Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 1100})
    page = context.new_page()
    page.set_default_timeout(60_000)
    return context, page


@pytest.fixture
def page(browser: Any, chat_server: ChatServer) -> Iterator[Any]:
    """A logged-in page on a new chat with the as-of date set in the settings panel."""
    context, page = _new_page(browser)
    login(page, chat_server.url, PASSWORD)
    page.wait_for_selector("#chat-input")
    page.click("#chat-settings-open-modal")
    page.fill("#as_of", AS_OF)
    page.click("#confirm")
    page.get_by_text(f"Settings: as of {AS_OF}").wait_for()
    yield page
    context.close()


def test_login_asks_a_user_name_and_says_a_wrong_password_in_words(
    browser: Any, chat_server: ChatServer
) -> None:
    context, page = _new_page(browser)
    page.goto(chat_server.url)
    assert page.locator("label[for=email]").inner_text() == "User name"
    assert page.locator("#email").get_attribute("placeholder") == "your user name"
    login(page, chat_server.url, "not the password")
    alert = page.get_by_role("alert")
    alert.wait_for(timeout=30_000)
    assert alert.inner_text() == "Wrong user name or password."
    page.get_by_text("Unauthorized: Wrong user name or password.").wait_for()  # Chainlit's toast
    assert "credentialssignin" not in page.locator("body").inner_text().lower()
    assert page.locator("#chat-input").count() == 0 and "/login" in page.url
    shot(page, chat_server, "0-wrong-password")
    context.close()


def test_starters_stay_under_the_briefing_and_the_settings_message(
    page: Any, chat_server: ChatServer
) -> None:
    page.get_by_text("Latest briefing · as of 2013-02-28 · AAPL, IBM").wait_for()
    starters = page.locator("#starters button")
    assert starters.all_inner_texts() == _STARTERS
    shot(page, chat_server, "1-starters-with-briefing")


def _ask(page: Any, question: str) -> None:
    page.fill("#chat-input", question)
    page.click("#chat-submit")


def _answer_text(page: Any) -> Any:
    return page.get_by_text(re.compile(rf"IBM: [A-Z ]+ \(as of {AS_OF}\)")).last


def test_a_starter_asks_and_the_card_is_drawn_above_the_text(
    page: Any, chat_server: ChatServer
) -> None:
    from agent.services import build_tool_context
    from core.settings import load_settings
    from tools.signal import signal_evidence

    ctx = build_tool_context(load_settings(sources=["bundled"]), as_of=dt.date(2013, 2, 28))
    expected = signal_evidence(ctx, "IBM")[0].values
    selectors = {
        "first_step": "[data-step-type=tool]",  # a tool call shown
        "card": "[data-testid=signal-card]",
        "citations": "[data-testid=citations]",
        "charts": ".js-plotly-plot",  # the last part of the answer to arrive
    }
    patterns = {
        "first_token": rf"IBM: [A-Z ]+ \(as of {AS_OF}\)",  # the answer's first line
        "answer_text": r"Research, not investment advice\.",  # its last line
    }
    page.evaluate(MARKS_JS, [selectors, patterns])
    page.locator("#starters button", has_text="Should I buy IBM?").click()
    card = page.locator("[data-testid=signal-card]").last
    card.wait_for()
    assert card.locator("[data-testid=signal-action]").inner_text() == expected["action"]
    assert card.locator("[data-testid=signal-score]").inner_text() == f"{expected['score']:.3f}"
    assert "as of 2013-02-28" in card.inner_text()
    page.wait_for_function("() => 'charts' in window.__signaldesk_marks", timeout=120_000)
    marks = page.evaluate("() => window.__signaldesk_marks")
    timings = {name: round(ms) for name, ms in marks.items()}
    (chat_server.shots / "timings.json").write_text(json.dumps(timings, indent=2))
    print(
        f"\nIBM signal question (offline planner, from the starter): first tool step "
        f"{marks['first_step']:.0f} ms, signal card {marks['card']:.0f} ms, first answer token "
        f"{marks['first_token']:.0f} ms, answer text complete {marks['answer_text']:.0f} ms, "
        f"citations {marks['citations']:.0f} ms, full answer with charts {marks['charts']:.0f} ms"
    )
    # the order things appear in: the card is never pushed above text already on screen
    assert marks["first_step"] <= marks["card"] <= marks["first_token"] <= marks["answer_text"]
    assert card.bounding_box()["y"] < _answer_text(page).bounding_box()["y"]
    assert page.locator("#starters").count() == 0  # the chat has begun

    for tool in ("signal", "technicals", "risk"):  # the tool calls, shown as steps
        assert page.get_by_text(f"Used {tool}").count() >= 1
    page.get_by_role("button", name="Used risk").first.click()
    risk = page.locator("[data-step-type=tool]", has_text="Used risk").last
    risk.get_by_text(re.compile(r"^Took [\d,]+ ms · evidence: E-risk-IBM-20130228")).wait_for()
    text = risk.inner_text()
    assert "ticker: IBM" in text and "json" not in text and "{" not in text
    assert not re.search(r"(^|\s)_|_(\s|$)", text)  # no literal Markdown underscores
    assert page.locator(".js-plotly-plot").count() >= 3  # price, score history, VaR
    card.scroll_into_view_if_needed()
    shot(page, chat_server, "2-card-above-text-and-steps")


def test_a_citation_opens_alone_on_click_under_its_own_title(
    page: Any, chat_server: ChatServer
) -> None:
    _ask(page, "Should I buy IBM?")
    page.wait_for_selector(".js-plotly-plot")
    page.wait_for_timeout(1000)
    assert page.locator("#side-view-title").count() == 0  # nothing opened by itself
    buttons = page.locator(_CITATION)
    ids = [buttons.nth(i).get_attribute("data-evidence-id") for i in range(buttons.count())]
    assert [i.split("-")[1] for i in ids] == ["signal", "technicals", "risk"]

    for ident, heading in [
        (ids[2], "risk · IBM · as of 2013-02-28"),
        (ids[0], "signal · IBM · as of 2013-02-28"),
    ]:
        page.locator(f"{_CITATION}[data-evidence-id='{ident}']").click()
        page.locator(f"{_PANEL}[data-evidence-id='{ident}']").wait_for()
        assert page.locator("#side-view-title").inner_text() == ident
        panel = page.locator(_PANEL)
        assert panel.count() == 1  # one citation at a time
        assert panel.locator("h3").all_inner_texts() == [heading]
        assert f"{ident}" in panel.inner_text()
        shot(page, chat_server, f"3-citation-{heading.split()[0]}")
    assert "Data window" in page.locator(_PANEL).inner_text()

    page.reload()  # the chat comes back, its citations too, and nothing opens by itself
    page.locator(_CITATION).first.wait_for()
    page.wait_for_timeout(1000)
    assert page.locator("#side-view-title").count() == 0
    shot(page, chat_server, "4-after-reload")


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
    shot(page, chat_server, "5-upload-indexed")

    _ask(page, "What did IBM say about risk factors in its 10-K?")
    citation = page.locator(f"{_CITATION}[data-evidence-id^=E-filing-IBM-20130228]").first
    citation.wait_for()
    answer = page.locator("[id^=step-]", has_text="best-matching filing passages").last
    assert "Zephyr mainframe line" in answer.inner_text()
    citation.click()
    panel = page.locator("#side-view-content [data-testid=citation-panel]")
    panel.get_by_text("filing · IBM · as of 2013-02-28").wait_for()
    assert "Filed / published: 2013-02-26" in panel.inner_text()
    shot(page, chat_server, "6-filing-citation")


def test_open_the_latest_briefing_ticker_and_follow_up(page: Any, chat_server: ChatServer) -> None:
    briefing = page.get_by_text("Latest briefing · as of 2013-02-28 · AAPL, IBM")
    briefing.wait_for()
    assert page.get_by_text("failed: no bars").count() == 1
    page.get_by_role("button", name="Open IBM").click()
    page.locator("[data-testid=signal-card]").last.wait_for()
    page.get_by_text("This chat continues IBM's briefing thread").wait_for()
    _ask(page, "and its VaR?")  # no ticker, no date: the briefing thread's
    page.get_by_text("IBM's 95% 1-day VaR is").last.wait_for()
    shot(page, chat_server, "7-briefing-follow-up")


def test_without_logins_the_chat_says_history_is_off(
    browser: Any, open_chat_server: ChatServer
) -> None:
    context, page = _new_page(browser)
    page.goto(open_chat_server.url)
    page.get_by_text("Chat history is off.").wait_for()
    assert "SIGNALDESK_UI_USERS" in page.locator("#root").inner_text()
    assert page.locator("#starters button").all_inner_texts() == _STARTERS
    shot(page, open_chat_server, "8-history-off")
    context.close()
