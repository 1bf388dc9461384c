"""Debian's headless Chromium through Playwright, for the tests that open a report: the skip
marker where it is missing, and a tab on a page that collects the page's errors."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

needs_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists(),
    reason="Debian's chromium is not installed (apt-get install chromium)",
)


@contextmanager
def headless_tab(page: Path, *, console_errors: bool = True) -> Iterator[tuple[Any, list[str]]]:
    """A 1200x900 tab on ``page`` and the list its errors land in (uncaught exceptions, and
    console errors unless ``console_errors`` is False); the browser closes after the block."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    errors: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            tab = browser.new_page(viewport={"width": 1200, "height": 900})
            tab.on("pageerror", lambda e: errors.append(str(e)))
            if console_errors:
                tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            tab.goto(page.as_uri())
            yield tab, errors
        finally:
            browser.close()
