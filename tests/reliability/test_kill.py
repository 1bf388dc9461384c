"""SIGKILL in the middle of the commands that write, then the same command again: the final
state equals that of one clean run, with no duplicate and nothing half-written visible.

Each kill lands at a seeded point after the process has started writing; the test asserts that
the process was still running when it was killed (a kill after the end proves nothing).
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from tests.reliability.conftest import Home, kill_when, make_home, table_rows

# real processes on a shared 2-core machine: bounded, but above the suite's 300 s default
pytestmark = [pytest.mark.reliability, pytest.mark.timeout(900)]

BARS = "SELECT ticker, source, date, close, volume FROM daily_bars ORDER BY ticker, source, date"
QUARANTINE = "SELECT ticker, date, reason FROM quarantined_bars ORDER BY ticker, date, reason"
SIGNALS = (
    "SELECT ticker, as_of, action, round(score, 9), config_hash FROM signals "
    "ORDER BY ticker, as_of, config_hash"
)
BRIEFINGS = "SELECT watchlist_key, as_of FROM briefings ORDER BY watchlist_key, as_of"
WATCHLIST = ("--watchlist", "AAPL,MSFT", "--as-of", "2013-02-28")


def _visible_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))


def test_data_load_killed_three_times_then_rerun_equals_a_clean_load(tmp_path: Path) -> None:
    rng = random.Random(20130228)
    killed = make_home(tmp_path / "killed")
    engine = killed.sqlite()
    started = lambda: bool(table_rows(engine, "SELECT 1 FROM daily_bars LIMIT 1"))  # noqa: E731
    hits = [
        kill_when(killed.start("data", "load", "--all"), started, delay=rng.uniform(0.0, 0.6))
        for _ in range(3)
    ]
    assert any(hits), "every kill came after the load had finished"
    assert killed.run("data", "load", "--all").returncode == 0

    clean = make_home(tmp_path / "clean")
    assert clean.run("data", "load", "--all").returncode == 0
    rows, reference = table_rows(engine, BARS), table_rows(clean.sqlite(), BARS)
    assert len(rows) == len(set(rows)) == len(reference) > 15_000
    assert rows == reference
    assert table_rows(engine, QUARANTINE) == table_rows(clean.sqlite(), QUARANTINE)


def _briefing(home: Home) -> list[str]:
    return ["briefing", *WATCHLIST, "--out", str(home.path / "out"), "--format", "md,html,json"]


def test_briefing_killed_then_rerun_stores_one_briefing_and_whole_reports(tmp_path: Path) -> None:
    killed = make_home(tmp_path / "killed")
    # start-up, the agent turns, storing, writing the reports: one kill in each stretch
    hits = [
        kill_when(killed.start(*_briefing(killed)), lambda: True, delay=delay)
        for delay in (2.0, 4.5, 6.5)
    ]
    assert any(hits), "every kill came after the briefing had finished"
    assert killed.run(*_briefing(killed), timeout=180).returncode == 0

    clean = make_home(tmp_path / "clean")
    assert clean.run(*_briefing(clean), timeout=180).returncode == 0
    engine = killed.sqlite()
    assert table_rows(engine, BRIEFINGS) == table_rows(clean.sqlite(), BRIEFINGS)
    assert len(table_rows(engine, BRIEFINGS)) == 1
    assert table_rows(engine, SIGNALS) == table_rows(clean.sqlite(), SIGNALS)
    out, reference = killed.path / "out", clean.path / "out"
    assert _visible_files(out) == _visible_files(reference)
    for name in _visible_files(out):
        if name.endswith(".json"):
            mine, theirs = (json.loads((d / name).read_text()) for d in (out, reference))
            calls = [
                [(t["ticker"], t["action"], t["score"]) for t in r["tickers"]]
                for r in (mine, theirs)
            ]
            assert calls[0] == calls[1] and len(calls[0]) == 2
        if name.endswith(".html"):
            assert (out / name).read_text().rstrip().endswith("</html>")


def test_train_killed_then_rerun_registers_whole_models_only(tmp_path: Path) -> None:
    killed = make_home(tmp_path / "killed")
    train = ("train", "MSFT", "--end", "2012-12-31", "--horizons", "5")
    hits = [kill_when(killed.start(*train), lambda: True, delay=delay) for delay in (1.5, 3.0, 4.2)]
    assert any(hits), "every kill came after training had finished"
    assert killed.run(*train, timeout=180).returncode == 0

    models = killed.path / "models"
    visible = [p for p in models.iterdir() if not p.name.startswith(".")]
    assert visible and all((p / "metadata.json").is_file() for p in visible)
    listed = killed.run("signal", "MSFT", "--as-of", "2013-02-28", "--json")
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout)["kind"] == "signal"


def _filings(folder: Path, count: int) -> Path:
    """``count`` small 10-Ks of invented companies, each with its own risk factor."""
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        body = f"Item 1A. Risk Factors\n\nWidget line {n} depends on one supplier of cobalt-{n}. "
        (folder / f"ACME_10-K_2012-02-{n % 27 + 1:02d}_00009999{n:02d}-12-000001.txt").write_text(
            body * 40 + "\n\nItem 7. Management's Discussion\n\nRevenue grew. " * 20
        )
    return folder


def test_ingest_killed_then_rerun_leaves_a_usable_index_with_every_document(
    tmp_path: Path,
) -> None:
    docs = _filings(tmp_path / "filings", 16)
    killed, clean = make_home(tmp_path / "killed"), make_home(tmp_path / "clean")
    ingest = ("ingest", "folder", str(docs), "--ticker", "ACME", "--json")
    hits = [
        kill_when(killed.start(*ingest), lambda: True, delay=delay) for delay in (3.0, 5.0, 7.0)
    ]
    assert any(hits), "every kill came after the ingest had finished"
    again, reference = killed.run(*ingest, timeout=300), clean.run(*ingest, timeout=300)
    assert again.returncode == 0 and reference.returncode == 0, again.stderr + reference.stderr

    for home in (killed, clean):
        found = home.run("search", "supplier of cobalt-13", "--ticker", "ACME", "--json")
        assert found.returncode == 0, found.stderr
        passages = json.loads(found.stdout)["passages"]
        assert passages and "cobalt-13" in passages[0]["values"]["text"]
    counts = [
        json.loads(h.run("search", "Widget line", "--ticker", "ACME", "--json").stdout)
        for h in (killed, clean)
    ]
    assert len(counts[0]["passages"]) == len(counts[1]["passages"])
